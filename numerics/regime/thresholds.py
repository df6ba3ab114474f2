"""Thresholds in trained networks: the network analogue of a threshold on binding time.

Madry et al. (ICLR 2018, section 5 and appendix C) report that their PGD-trained MNIST
network's first convolutional layer learns *thresholding filters*: a filter that stays
silent until the pixel intensity under it passes a level.  Three measures test that here:

- :func:`threshold_filters` -- which first-layer filters act as thresholds (the test is
  stated in its docstring);
- :func:`gradient_mass` -- the share of the input gradient carried by pixels of low,
  middle and high intensity (a thresholding network has little on faint pixels);
- :func:`stratified_sweep` -- the regime measure of :mod:`.networks` (single-pixel sweeps
  read by :func:`~.common.strongest_sensitivity`) on background pixels (intensity 0 in the
  clean image, the "self" of a digit) and on-digit pixels, reported separately.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from .common import strongest_sensitivity
from .networks import PIXEL_VALUES

THETA_MIN = 0.05  # a threshold below this intensity is indistinguishable from none
INTENSITY_BINS = (0.0, 1 / 3, 2 / 3)  # low [0, 1/3), middle [1/3, 2/3), high [2/3, 1]


def first_layer(model):
    """(W, b) of the first Dense or Conv2D layer of a numpy network: W has one row per
    filter (its weights over the receptive field, flattened), b one bias per filter."""
    from ..networks.layers import Conv2D, Dense

    for layer in getattr(model, "layers", ()):
        if isinstance(layer, (Dense, Conv2D)):
            return layer.params["W"].T.copy(), layer.params["b"].copy()
    raise InputError(f"{getattr(model, 'name', model)!r} has no Dense or Conv2D layer")


def threshold_filters(W, b, theta_min=THETA_MIN):
    """Which filters respond to a uniform input only above an intensity theta > theta_min.

    **The test.**  A filter with weights w (over its receptive field) and bias b, followed by
    a ReLU, answers a uniform patch of intensity v (every input under it at v) with

        r(v) = max(0, s v + b),   s = sum_i w_i.

    It is a **threshold filter** when s > 0 and theta = -b / s lies in (theta_min, 1):
    r(v) = 0 for every v <= theta and rises linearly (slope s) above it, within the pixel
    range [0, 1].  Not a threshold: s <= 0 (r never rises with v: an edge or an inhibitory
    filter), theta <= theta_min (it already responds to faint or blank input) or theta >= 1
    (silent on every uniform patch).  The same test applies to an MLP's hidden units (the
    "patch" is then the whole image).

    Parameters
    ----------
    W : array (filters, inputs); b : array (filters,); theta_min : float in [0, 1)

    Returns
    -------
    Result with ``fraction`` (of filters that are thresholds), ``threshold`` (bool per
    filter), ``theta`` (-b/s per filter; nan where s <= 0), ``weight_sum`` s and
    ``median_theta`` (over the threshold filters; nan when none).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])
    >>> b = np.array([-1.0, 0.0, -0.5, 1.0])   # theta 0.5, 0 (no threshold), edge, inhibitory
    >>> threshold_filters(W, b).threshold.tolist()
    [True, False, False, False]
    """
    W = np.asarray(W, float)
    b = np.asarray(b, float)
    if W.ndim != 2 or b.shape != (W.shape[0],):
        raise InputError(f"need W (filters, inputs) and b (filters,), got {W.shape}, {b.shape}")
    if not 0 <= theta_min < 1:
        raise InputError(f"theta_min must be in [0, 1), got {theta_min}")
    s = W.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(s > 0, -b / s, np.nan)
    thr = (s > 0) & (theta > theta_min) & (theta < 1)
    return Result(fraction=float(thr.mean()), threshold=thr, theta=theta, weight_sum=s,
                  median_theta=float(np.median(theta[thr])) if thr.any() else float("nan"),
                  theta_min=float(theta_min))


def gradient_mass(classifier, x, y, edges=INTENSITY_BINS, bpda=False):
    """The share of the input gradient on pixels of low, middle and high intensity.

    For each image n, g = d(cross-entropy)/dx and the share of bin k is
    sum_{i: x_i in bin k} |g_i| / sum_i |g_i|; shares are averaged over the images with a
    non-zero gradient (each image counts once).  Bins [edges[k], edges[k+1]), the last up to
    1 inclusive: by default low [0, 1/3), middle [1/3, 2/3), high [2/3, 1].  ``pixel_share``
    is the mean fraction of pixels in each bin, the share a gradient blind to intensity
    would give; ``enrichment`` = share / pixel_share.
    """
    x = np.asarray(x, float)
    _, g = classifier.loss_and_input_grad(x, np.asarray(y), bpda=bpda)
    flat, g = x.reshape(len(x), -1), np.abs(g.reshape(len(x), -1))
    k = np.digitize(flat, np.asarray(edges, float)[1:])
    total = g.sum(axis=1)
    live = total > 0
    mass = np.stack([(g * (k == j)).sum(axis=1) for j in range(len(edges))], axis=1)
    pixels = np.stack([(k == j).mean(axis=1) for j in range(len(edges))], axis=1)
    share = (mass[live] / total[live, None]).mean(axis=0) if live.any() else \
        np.full(len(edges), np.nan)
    pixel_share = pixels.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        enrichment = share / pixel_share
    return Result(share=share.tolist(), pixel_share=pixel_share.tolist(),
                  enrichment=enrichment.tolist(), edges=list(map(float, edges)),
                  n_images=int(live.sum()))


def sweep_pixels(x, per_kind=32, seed=0):
    """For each image, up to ``per_kind`` background pixels (intensity exactly 0) and up to
    ``per_kind`` on-digit pixels (intensity > 0), drawn without replacement by a generator
    seeded with ``seed`` (the same pixels for every network).  Returns (image index, pixel
    index, on-digit flag) arrays."""
    rng = np.random.default_rng(seed)
    flat = np.asarray(x, float).reshape(len(x), -1)
    rows, cols, digit = [], [], []
    for n, row in enumerate(flat):
        for on in (False, True):
            pool = np.flatnonzero(row > 0 if on else row == 0)
            pick = rng.permutation(pool)[:per_kind]
            rows.append(np.full(pick.size, n))
            cols.append(pick)
            digit.append(np.full(pick.size, on))
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(digit)


def stratified_sweep(classifier, x, y, per_kind=32, values=PIXEL_VALUES, *, seed=0,
                     batch_size=8192):
    """gamma[c, k] = dM/dx_i at x_i = values[k] for the curves c = (image n, pixel i) of
    :func:`sweep_pixels`; M = z_y - z_j the logit margin against the clean image's
    runner-up j, held fixed along the sweep (as :func:`~.networks.pixel_sweep`).  Returns
    (gamma, on-digit flag per curve)."""
    from ..networks.classifier import margin_and_runner_up

    x = np.asarray(x, float)
    y = np.asarray(y)
    flat = x.reshape(len(x), -1)
    runner_up = margin_and_runner_up(classifier.logits(x), y)[1]
    n, i, digit = sweep_pixels(x, per_kind, seed)
    V = len(values)
    cn, ci = np.repeat(n, V), np.repeat(i, V)
    cv = np.tile(np.asarray(values, float), n.size)
    out = np.empty(cn.size)
    n_classes = len(classifier.logits(x[:1])[0])
    for start in range(0, cn.size, int(batch_size)):
        sl = slice(start, min(cn.size, start + int(batch_size)))
        rows = flat[cn[sl]].copy()
        r = np.arange(rows.shape[0])
        rows[r, ci[sl]] = cv[sl]
        w = np.zeros((rows.shape[0], n_classes))
        w[r, y[cn[sl]]] = 1.0
        w[r, runner_up[cn[sl]]] = -1.0
        g = classifier.logits_vjp(rows.reshape(-1, *x.shape[1:]), w)
        out[sl] = g.reshape(rows.shape[0], -1)[r, ci[sl]]
    return out.reshape(n.size, V), digit


def curve_measures(values, gamma):
    """specialized_share (the validated measure: the fraction of the antagonistic curves
    that are specialized, ``Strongest.validated``), specialized_fraction (the earlier rule,
    over every curve), weak_share and strongest_position (median v_ext of the
    antagonistic curves) over sweep curves with any sensitivity at all (|gamma| > 1e-12
    somewhere); nan when there is none."""
    live = np.abs(gamma).max(axis=-1) > 1e-12
    if not live.any():
        return {"specialized_fraction": float("nan"), "specialized_share": float("nan"),
                "weak_share": float("nan"), "strongest_position": float("nan"),
                "n_curves": 0}
    s = strongest_sensitivity(values, gamma[live])
    ant = s.antagonistic
    return {"specialized_fraction": float(np.mean(s.specialized)),
            "specialized_share": float(np.mean(s.validated[ant])) if ant.any()
            else float("nan"),
            "weak_share": float(np.mean(s.weak_share)),
            "strongest_position": float(np.median(s.position[ant])) if ant.any()
            else float("nan"), "n_curves": int(live.sum())}


def background_and_digit(classifier, x, y, per_kind=32, values=PIXEL_VALUES, *, seed=0,
                         batch_size=8192):
    """The regime measure on background and on-digit pixels separately (and both
    together): {"background": ..., "digit": ..., "all": ...}, each :func:`curve_measures`."""
    values = np.asarray(values, float)
    gamma, digit = stratified_sweep(classifier, x, y, per_kind, values, seed=seed,
                                    batch_size=batch_size)
    return {"background": curve_measures(values, gamma[~digit]),
            "digit": curve_measures(values, gamma[digit]),
            "all": curve_measures(values, gamma)}
