"""Digit boundary tilting: a linear classifier attacked toward the other class's mean."""
from __future__ import annotations

import numpy as np

from . import figure
from .common import TWO_COLUMN, colour, label_panels, new_figure, save


def worst_case_accuracy(model, x, y, eps_grid):
    """Accuracy under FGSM on the model itself (for a linear classifier, the worst case
    within the L-infinity ball, up to the [0, 1] clip)."""
    from ..attacks import Domain, fgsm
    from ..networks.objective import NetworkObjective

    obj = NetworkObjective(model, y)
    return np.array([model.accuracy(fgsm(obj, x, e, domain=Domain(0.0, 1.0)).x_adv, y)
                     for e in eps_grid])


@figure("digit_boundary_tilting")
def draw(out, *, quick=False, seed=0, progress=True, classes=(3, 8)):
    """Accuracy of a natural and a mean-direction adversarially trained linear classifier
    (3 vs 8) under the mean-direction attack x -/+ eps sign(mean_3 - mean_8) (solid) and under
    each model's own worst case, FGSM (dashed); right: the attack direction.

    The adversarially trained model's accuracy rises with eps under the fixed mean-direction
    attack: the perturbation's sign says the label (class 3 always moves by -eps d, class 8 by
    +eps d), so training on it teaches the classifier to read the perturbation -- "label
    leaking" (Kurakin, Goodfellow & Bengio, ICLR 2017).  Its own worst case shows it is not
    robust."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from ..networks.tilting import boundary_tilting

    r = boundary_tilting(classes=classes, seed=seed)
    worst = {name: worst_case_accuracy(r[f"{name}_model"], r.x_test, r.y_test, r.eps)
             for name in ("natural", "robust")}
    fig, (a, b) = new_figure(TWO_COLUMN, 2.8, nrows=1, ncols=2, width_ratios=(1.6, 1))
    a.plot(r.eps, r.accuracy_natural, "o-", color=colour(0), label="natural, mean direction")
    a.plot(r.eps, worst["natural"], "o--", color=colour(0), mfc="w",
           label="natural, worst case (FGSM)")
    a.plot(r.eps, r.accuracy_adversarial, "s-", color=colour(3),
           label="adv. trained, mean direction")
    a.plot(r.eps, worst["robust"], "s--", color=colour(3), mfc="w",
           label="adv. trained, worst case (FGSM)")
    a.axvline(0.3, color="0.6", lw=0.6, ls=":")
    a.set(xlabel=r"attack size $\epsilon$ (grey levels, $[0, 1]$)",
          ylabel=f"test accuracy ({classes[0]} vs {classes[1]})", ylim=(0, 1.02),
          title=r"linear classifier; adv. training at $\epsilon = 0.3$ (dotted)")
    a.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    d = np.asarray(r.direction).reshape(8, 8)
    # three values only: a discrete scale, one colour each
    im = b.imshow(d, cmap=ListedColormap(["#0072B2", "#F0F0F0", "#D55E00"]),
                  norm=BoundaryNorm([-1.5, -0.5, 0.5, 1.5], 3))
    b.set_title(rf"$d = {{\rm sign}}(\bar x_{classes[0]} - \bar x_{classes[1]})$")
    b.set_axis_off()
    cb = fig.colorbar(im, ax=b, ticks=(-1, 0, 1), shrink=0.85)
    cb.ax.set_yticklabels(["\u22121", "0", "+1"])
    cb.set_label("attack direction per pixel")
    label_panels((a, b))
    fig.suptitle("Digit boundary tilting: each image pushed toward the other class's mean")
    return save(fig, out, "digit_boundary_tilting", {
        "params": {"classes": list(classes), "train_eps": 0.3}, "seed": seed,
        "summary": {"eps": r.eps, "natural": r.accuracy_natural,
                    "adversarial": r.accuracy_adversarial,
                    "natural_worst_case": worst["natural"],
                    "adversarial_worst_case": worst["robust"]}})
