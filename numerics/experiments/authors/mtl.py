"""``MTL_to_ML.py``: the picture attack ("MTL" becomes "ML") and the preprocessing of the
authors' image.

The script's set-up (L24-39, L202-296): the coded image fixes the counts, R pixels, Ag
agonists (white), Anta antagonists (light grey), Self = R - Ag - Anta; the binding times are
drawn as agonists tau_c + 1/3 + N(0, 0.01^2) s, antagonists tau_c - |N(0, (1/3)^2)| s, self
|N(0, (1/3)^2)| s (tau_c = 3 s), sorted, and the k-th smallest goes to pixel tau_order[k]
(pixels grouped by code, ascending, raster order inside a code).  Bins: t1 =
int(max tau / 0.2 + 1) 0.2 (3.4 s), 17 bins of 0.2 s on [0, t1] with their true midpoints
as centres, so no agonist leaves the histogram.  Random draws on
``np.random.RandomState(seed)``: the starting distribution, then one draw per off-diagonal
cell of a 5 x 5 grid; the cells with axY > axX descend with (N, m) = (axY + 1, axX + 1).
"""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from ..picture import (
    AUTHORS_IMAGE_SHAPE,
    MTL_COLS,
    MTL_ROWS,
    mtl_counts,
    mtl_preprocess,
    read_grey,
    synthetic_mtl_grey,
)
from .common import difference, find_boundary, memo, reproduction, slice_stats

SCRIPT = "MTL_to_ML.py"
TAU_C, EPS, BINSIZE = 3.0, 0.2, 0.2
PAIRS = tuple((y + 1, x + 1) for x in range(5) for y in range(5) if y > x)
#: the synthetic picture has the size of the authors' cut picture; --quick keeps every
#: third row and column of it (60 x 144, the same proportions of agonists and antagonists)
SHAPE, QUICK_STRIDE = (179, 431), 3


def coded_image(image=None, quick=False):
    """(coded image, description): ``image`` (a file) through the authors' read_image -- the
    rows and columns are deleted when it has the shape of their MTL_before.png (225 x 444
    once read), otherwise none -- or the synthetic picture."""
    if image is not None:
        grey = read_grey(image)
        if grey.shape == AUTHORS_IMAGE_SHAPE:
            return mtl_preprocess(grey), (f"image {image} ({grey.shape[1]} x {grey.shape[0]}), "
                                          "the authors' 46 rows and 13 columns deleted")
        return mtl_preprocess(grey, (), ()), (
            f"image {image} ({grey.shape[1]} x {grey.shape[0]}; not the authors' 444 x 225, "
            "so no row or column deleted)")
    coded = mtl_preprocess(synthetic_mtl_grey(SHAPE), (), ())
    if quick:
        return coded[::QUICK_STRIDE, ::QUICK_STRIDE], (
            f"synthetic MTL rendered with matplotlib ({SHAPE[1]} x {SHAPE[0]}), every "
            f"{QUICK_STRIDE}rd row and column")
    return coded, f"synthetic MTL rendered with matplotlib ({SHAPE[1]} x {SHAPE[0]})"


def draw(rs, c, tau_c=TAU_C, binsize=BINSIZE):
    """setup_distribution (L24-39): sorted tau, edges, centres."""
    ag = rs.normal(0, 0.01, size=c["Ag"])
    anta = -np.abs(rs.normal(0, 1 / 3, size=c["Anta"]))
    slf = np.abs(rs.normal(0, 1 / 3, size=c["Self"]))
    tau = np.sort(np.concatenate((tau_c + 1 / 3 + ag, tau_c + anta, slf)))
    t1 = int(tau.max() / binsize + 1) * binsize
    n = int(t1 / binsize)
    return tau, np.linspace(0, t1, n + 1), np.linspace(binsize / 2, t1 - binsize / 2, n)


def draws(seed, c):
    """The script's draws: the starting distribution, then every off-diagonal cell's."""
    rs = np.random.RandomState(seed)
    start = draw(rs, c)
    cells = {}
    for x in range(5):
        for y in range(5):
            if x != y:
                cells[(y + 1, x + 1)] = draw(rs, c)
    return start, {p: cells[p] for p in PAIRS}


def picture(tau_sorted, order, shape):
    """make_immune_picture (L122-131): pixel order[k] shows the k-th smallest tau."""
    img = np.empty(len(tau_sorted))
    img[order] = tau_sorted
    return img.reshape(shape)


def settings(quick, pairs=None, rows=None, exact_cap=None):
    """(pairs, rows, exact_cap): the 10 pairs; 3002 rows (3000 steps: the script's 1e6 rows
    would take (5,4) past 20 000 steps) and 1000 exact iterations; quick: 302 and 100."""
    return (tuple(pairs or PAIRS), rows or (302 if quick else 3002),
            exact_cap or (100 if quick else 1000))


def run(seed=0, image=None, quick=False, pairs=PAIRS, rows=3002, exact_cap=1000, note=None):
    """Every pair: the authors' loop and the package's exact descent, pixel by pixel."""
    return memo(("mtl", seed, image, quick, tuple(pairs), rows, exact_cap),
                lambda: _run(seed, image, quick, pairs, rows, exact_cap, note))


def _run(seed, image, quick, pairs, rows, exact_cap, note):
    from ..descent import descend_to_boundary

    coded, source = coded_image(image, quick)
    c = mtl_counts(coded)
    order, shape = c["tau_order"], c["shape"]
    start, cells = draws(seed, c)
    out = {"coded": coded, "source": source, "counts": c, "start": start, "pairs": {}}
    for k, (N, m) in enumerate(pairs):
        if note:
            note(f"({N},{m}), pair {k + 1} of {len(pairs)}")
        tau, edges, centres = cells[(N, m)]
        a = find_boundary(tau, edges, centres, TAU_C, N, m, eps=EPS, binsize=BINSIZE,
                          rows=rows, track=True)
        first = picture(tau, order, shape)
        e = descend_to_boundary(AdaptiveProofreading(N, m, TAU_C), first.ravel(),
                                np.ones(first.size), eps=EPS, max_iter=exact_cap)
        by_ligand = np.empty(tau.size)
        by_ligand[a.ids] = a.tau
        out["pairs"][(N, m)] = {
            "authors": a, "exact": e, "start": first, "edges": edges, "centres": centres,
            "authors_picture": picture(a.tau, order, shape),
            "authors_by_ligand": picture(by_ligand, order, shape),
            "package_picture": e.tau.reshape(shape)}
    return out


def _changes(change, coded):
    """Mean and max |dtau| (s) per pixel class: the T letter (antagonists, code 15), M and L
    (agonists, 25), the background (self: every other code)."""
    out = {}
    for name, sel in (("T_letter", coded == 15), ("M_and_L", coded == 25),
                      ("background", (coded != 15) & (coded != 25))):
        part = np.abs(change[sel])
        out[name] = ({"mean": float(part.mean()), "max": float(part.max())} if part.size
                     else {"mean": None, "max": None})
    return out


def _fmt(ch):
    return ", ".join(f"{k} {v['mean']:.3f}/{v['max']:.3f}" for k, v in ch.items()
                     if v["mean"] is not None)


def picture_attack(quick=False, seed=0, image=None, pairs=None, rows=None, exact_cap=None,
                   note=None):
    """The authors' loop on the picture for the 10 pairs, next to the package's exact
    descent; every pixel compared with its own starting value."""
    pairs, rows, exact_cap = settings(quick, pairs, rows, exact_cap)
    res = run(seed, image, quick, pairs, rows, exact_cap, note)
    c, coded = res["counts"], res["coded"]
    authors, package, table, arrays = {}, {}, [], {}
    for (N, m), d in res["pairs"].items():
        a, e, case = d["authors"], d["exact"], f"({N},{m})"
        shown = _changes(d["authors_picture"] - d["start"], coded)
        own = _changes(d["authors_by_ligand"] - d["start"], coded)
        exact = _changes(d["package_picture"] - d["start"], coded)
        groups = slice_stats(a.tau, (c["Ag"], c["Anta"], c["Self"]))
        authors[case] = {"T0": a.T0, "T_printed": a.T_printed, "Num_iter_printed": a.num_iter,
                         "steps": a.steps, "T_final": a.T_final, "capped": a.capped,
                         "abs_change_per_pixel": shown, "abs_change_per_ligand": own,
                         "printed_groups": groups}
        package[case] = {"status": str(e.status), "iterations": e.iterations,
                         "T_initial": e.T_initial, "T_final": e.T_final,
                         "abs_change_per_pixel": exact}
        arrays[case] = {k: d[k] for k in ("start", "authors_picture", "authors_by_ligand",
                                          "package_picture")}
        table.append([case, f"T0 {a.T0:.4f}, prints Num_iter = {a.num_iter}"
                      f"{' (cap)' if a.capped else ''} ({a.steps} steps), T_N = "
                      f"{a.T_printed:.4f}; |dtau| mean/max: {_fmt(shown)}",
                      f"{e.status} in {e.iterations} it., T {e.T_initial:.3f} -> "
                      f"{e.T_final:.3f}; |dtau|: {_fmt(exact)}"])
    above = [c for c, v in package.items() if v["T_final"] >= 1 and v["T_initial"] > 1]
    return reproduction(
        "picture_attack", SCRIPT, "find_boundary on the picture for 10 (N, m) pairs "
        "(L43-95, L248-266)",
        f"{res['source']}: {c['shape'][0]} x {c['shape'][1]} pixels, {c['Ag']} agonists at "
        f"tau_c + 1/3 s, {c['Anta']} antagonists, {c['Self']} self; 17 bins of 0.2 s on "
        f"[0, 3.4] s (true midpoints), tau_c = 3 s, eps = 0.2, seed {seed}; row cap {rows} "
        f"(at most {rows - 2} steps), exact descent at most {exact_cap} iterations",
        authors, package, [
            difference("no step where T starts below 1", "the binned T0 of (2,1) and (3,1) is "
                       "below 1: the loop takes no step and prints Num_iter = 1 (the package's "
                       "binned stepper takes none either)", "test_picture_attack_steps"),
            difference("per-pixel change", "each pixel against its own starting value; the "
                       "script's picture puts the k-th smallest tau at pixel tau_order[k], so "
                       "after re-sorting a pixel can show another ligand (per_ligand: following "
                       "each ligand instead)", "test_picture_attack_per_pixel"),
            difference("the exact descent", "each pixel moves by its own gradient, with every "
                       "agonist counted (its T starts above the binned T): the T letter "
                       "(antagonists at 2-3 s) and the background move toward tau*, in fewer "
                       "steps than the binned loop; above 1 at the end: "
                       f"{', '.join(above) or 'none'}", "test_picture_attack_per_pixel"),
            difference("the cap", f"the script has 1e6 rows; here {rows - 2} steps (on the "
                       "authors' image the (5,4) loop is still above 1 after 20 000 steps)",
                       "test_picture_attack_steps")],
        ["(N,m)", "authors' loop (|dtau| per pixel, s)", "package's exact descent"], table,
        arrays)


def preprocessing(quick=False, seed=0, image=None, note=None):
    """read_image and the starting picture (initial_dist_MTL.png): counts, bins, the tau of
    each pixel class."""
    coded, source = coded_image(image, quick)
    c = mtl_counts(coded)
    (tau, edges, centres), _ = draws(seed, c)
    start = picture(tau, c["tau_order"], c["shape"])
    classes = {}
    ramps = {}
    for code in np.unique(coded):
        sel = coded == code
        classes[f"code {code:g}"] = {"pixels": int(sel.sum()), "tau_min": float(start[sel].min()),
                                     "tau_mean": float(start[sel].mean()),
                                     "tau_max": float(start[sel].max())}
        ramps[f"code {code:g}"] = bool(np.all(np.diff(start.ravel()[sel.ravel()]) >= 0))
    counts = np.histogram(tau, edges)[0]
    authors = {"shape": list(c["shape"]), "R": c["R"], "Ag": c["Ag"], "Anta": c["Anta"],
               "Self": c["Self"], "unmatched": c["unmatched"], "t1": float(edges[-1]),
               "n_bins": int(len(centres)), "centres_are_midpoints": bool(np.allclose(
                   centres, 0.5 * (edges[1:] + edges[:-1]), atol=1e-12)),
               "L_initial": counts.tolist(), "classes": classes}
    package = {"reader": "matplotlib.image.imread, grey = 0.2125 R + 0.7154 G + 0.0721 B of "
               "v/255 (skimage 2018)", "raster_ramp_per_class": ramps}
    return reproduction(
        "picture_preprocessing", SCRIPT, "read_image (L156-196) and the starting picture "
        "(L122-142, L235-241)", f"{source}, seed {seed}", authors, package, [
            difference("reading", "skimage.io.imread(as_grey=True) of 2018 against matplotlib's "
                       "imread with the same grey weights: the same levels for 8-bit images",
                       "test_picture_preprocessing"),
            difference("binding times by rank", "the k-th smallest tau goes to pixel "
                       "tau_order[k], so inside each colour tau grows in raster order (a ramp, "
                       "not independent pixels)", "test_picture_preprocessing"),
            difference("rows and columns", f"deleted only for the authors' picture "
                       f"({len(MTL_ROWS)} rows, {len(MTL_COLS)} columns of 225 x 444)",
                       "test_picture_preprocessing")],
        ["quantity", "authors' read_image", "package"],
        [["pixels", f"{c['shape'][0]} x {c['shape'][1]}", "same"],
         ["agonists / antagonists / self", f"{c['Ag']} / {c['Anta']} / {c['Self']}", "same"],
         ["bins", f"{len(centres)} on [0, {edges[-1]:.1f}] s, midpoints", "same"],
         ["tau ramps in raster order", str(all(ramps.values())), "same picture"]],
        {"coded": coded, "start": start})
