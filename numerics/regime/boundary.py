"""Where the strongest perturbation sits relative to the decision boundary.

For a cell the strongest antagonist is a sub-threshold ligand: tau* sits below the
threshold tau_c, close to the decision boundary (T_{5,3}: tau* = 0.775 tau_c; Rademaker,
Bengio & Francois, PRX 9, 031012, 2019).  For a network the strongest perturbation of an
image within an L-inf budget eps is the PGD-40 solution delta = x_pgd - x; this module
follows the logit margin M (z_y - max_{j != y} z_j, the analogue of log T) along that
direction, x(t) = clip(x + t delta, 0, 1) for t in [0, t_max] (t = 1: the PGD point, at
most eps from x), and reads

- the boundary crossing t_b: the first t with M(x(t)) <= 0 (linear interpolation on the
  grid; nan when the margin stays positive up to t_max);
- the normalised margin at the PGD point, M(x(1)) / M(x): 0 means the strongest
  perturbation ends exactly on the boundary, -1 as far past it as the image was before it;
- the loss and margin along the line, for the landscape figure, and a second, random
  direction orthogonal to delta (:func:`margin_plane`).
"""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result

T_GRID = np.linspace(0.0, 2.0, 41)
NEAR = 0.25  # |M(x(1))| <= NEAR * M(x): the strongest perturbation sits near the boundary


def strongest_direction(classifier, x, y, eps=0.3, *, n_steps=40, seed=0, bpda=False):
    """The PGD-40 perturbation delta = x_pgd - x (step 2.5 eps / 40, one random start) and
    whether it flips the decision."""
    from ..attacks import Domain, pgd
    from ..networks.objective import NetworkObjective

    res = pgd(NetworkObjective(classifier, y, bpda=bpda), x, eps, n_steps=n_steps,
              step=2.5 * eps / n_steps, domain=Domain(0.0, 1.0), seed=seed)
    return res.x_adv - np.asarray(x, float), np.asarray(res.success)


def first_crossing(t, margin):
    """The first t where ``margin`` (rows over the grid ``t``) reaches 0, linearly
    interpolated between grid points; nan for rows that stay positive (0 for rows that start
    at or below 0)."""
    m = np.asarray(margin, float)
    below = m <= 0
    k = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    out = np.full(len(m), np.nan)
    for n, j in enumerate(k):
        if j == 0:
            out[n] = t[0]
        elif j > 0:
            a, b = m[n, j - 1], m[n, j]
            out[n] = t[j - 1] + (t[j] - t[j - 1]) * a / (a - b)
    return out


def attack_line(classifier, x, y, eps=0.3, t=T_GRID, *, n_steps=40, seed=0, bpda=False):
    """Margin and loss along the strongest perturbation, and where the boundary sits.

    Returns a Result with ``t``, ``margin`` and ``loss`` (images x t), ``crossing`` (t_b
    per image), ``success`` (PGD flips the image within eps) and the summary of
    :func:`line_summary` over the correctly classified images."""
    from ..networks.classifier import margin_and_runner_up, softmax_cross_entropy

    x = np.asarray(x, float)
    y = np.asarray(y)
    t = np.asarray(t, float)
    delta, success = strongest_direction(classifier, x, y, eps, n_steps=n_steps, seed=seed,
                                         bpda=bpda)
    pts = np.clip(x[:, None] + t[None, :, None] * delta[:, None], 0.0, 1.0)
    flat = pts.reshape(len(x) * len(t), *x.shape[1:])
    yy = np.repeat(y, len(t))
    z = classifier.logits(flat)
    margin = margin_and_runner_up(z, yy)[0].reshape(len(x), len(t))
    loss = softmax_cross_entropy(z, yy)[0].reshape(len(x), len(t))
    crossing = first_crossing(t, margin)
    return Result(t=t, margin=margin, loss=loss, crossing=crossing, success=success,
                  eps=float(eps), **line_summary(t, margin, crossing))


def line_summary(t, margin, crossing, near=NEAR):
    """Over the images classified correctly (M(x) > 0): the median crossing t_b of those
    that cross within the grid, the fraction crossing within the budget (t_b <= 1) and
    within 2 eps, the median normalised margin at the PGD point M(x(1)) / M(x), the
    fraction whose PGD point sits near the boundary (|M(x(1))| <= ``near`` M(x)), and the
    median normalised margin profile M(x(t)) / M(x) with its quartiles."""
    t = np.asarray(t, float)
    ok = margin[:, 0] > 0
    if not ok.any():
        nan = float("nan")
        return {"median_crossing": nan, "crossed_within_eps": nan, "crossed_within_grid": nan,
                "median_margin_at_pgd": nan, "near_boundary_fraction": nan,
                "profile": [nan] * len(t), "profile_quartiles": [[nan] * len(t)] * 2,
                "n_images": 0}
    k1 = int(np.argmin(np.abs(t - 1.0)))
    norm = margin[ok] / margin[ok, :1]
    tb = crossing[ok]
    crossed = np.isfinite(tb)
    return {"median_crossing": float(np.median(tb[crossed])) if crossed.any() else float("nan"),
            "crossed_within_eps": float(np.mean(crossed & (tb <= 1.0))),
            "crossed_within_grid": float(np.mean(crossed)),
            "median_margin_at_pgd": float(np.median(norm[:, k1])),
            "near_boundary_fraction": float(np.mean(np.abs(norm[:, k1]) <= near)),
            "profile": np.median(norm, axis=0).tolist(),
            "profile_quartiles": np.percentile(norm, [25, 75], axis=0).tolist(),
            "n_images": int(ok.sum())}


def margin_plane(classifier, x, y, eps=0.3, t=None, s=None, *, seed=0, bpda=False):
    """The margin of one image over the plane x + a delta + b r (clipped to [0, 1]): delta
    the PGD-40 perturbation, r a random direction orthogonal to it with the same Euclidean
    norm; a on ``t``, b on ``s`` (default -1..2 and -1.5..1.5).  Returns a Result with
    ``t``, ``s``, ``margin`` (t x s) and ``success`` of the PGD point."""
    from ..networks.classifier import margin_and_runner_up

    x = np.asarray(x, float).reshape(1, -1)
    t = np.linspace(-1.0, 2.0, 31) if t is None else np.asarray(t, float)
    s = np.linspace(-1.5, 1.5, 31) if s is None else np.asarray(s, float)
    delta, success = strongest_direction(classifier, x, np.asarray(y).reshape(1), eps,
                                         seed=seed, bpda=bpda)
    rng = np.random.default_rng(seed)
    r = rng.normal(size=delta.shape)
    r -= (r * delta).sum() / max((delta * delta).sum(), 1e-300) * delta
    r *= np.linalg.norm(delta) / max(np.linalg.norm(r), 1e-300)
    T, S = np.meshgrid(t, s, indexing="ij")
    pts = np.clip(x + T.reshape(-1, 1) * delta + S.reshape(-1, 1) * r, 0.0, 1.0)
    m = margin_and_runner_up(classifier.logits(pts), np.full(len(pts), int(np.ravel(y)[0])))[0]
    return Result(t=t, s=s, margin=m.reshape(T.shape), success=bool(success[0]), eps=eps)
