"""Digit boundary tilting: a linear classifier attacked toward the other class's mean."""
from __future__ import annotations

from . import figure
from .common import pyplot, save


@figure("digit_boundary_tilting")
def draw(out, *, quick=False, seed=0, progress=True):
    """Accuracy of a natural and an adversarially trained linear classifier (3 vs 8) under
    the mean-direction FGSM, and the attack direction."""
    from ..networks.tilting import boundary_tilting

    plt = pyplot()
    r = boundary_tilting(classes=(3, 8), seed=seed)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6))
    a.plot(r.eps, r.accuracy_natural, "o-", label="natural")
    a.plot(r.eps, r.accuracy_adversarial, "s-", label="adversarially trained")
    a.set(xlabel=r"$\epsilon$", ylabel="test accuracy (3 vs 8)", ylim=(0, 1.02))
    a.legend()
    b.imshow(r.direction[0], cmap="coolwarm")
    b.set_title("sign(mean_3 - mean_8)")
    b.axis("off")
    fig.suptitle("Digit boundary tilting: FGSM toward the other class's mean, linear classifier")
    return save(fig, out, "digit_boundary_tilting", {
        "params": {"classes": [3, 8], "train_eps": 0.3}, "seed": seed,
        "summary": {"eps": r.eps, "natural": r.accuracy_natural,
                    "adversarial": r.accuracy_adversarial}})
