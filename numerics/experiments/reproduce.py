"""The authors' procedures, run as they ran them, next to the package's exact methods.

Rademaker, Bengio & Francois (PRX 9, 031012, 2019; first version bioRxiv 366724, 2018)
computed their figures with short scripts whose procedural details change the numbers.  Each
function here runs one of those procedures exactly (bin geometry, resets, stopping, grids)
on the authors' set-up, runs the package's exact method on the same set-up, and says why
the two differ:

- ``ligand_descent``: the binned descent (17 bins on [0, 3.5], gradients at
  linspace(0.1, 3.4, 17) with L = counts, tau < 0 reset to 0.1, a stop one step late)
  against the exact per-ligand descent, on 101^2 ligands (30 % agonists ~ N(3.5, 0.1^2),
  70 % self ~ |N(0, (1/3)^2)|), tau_c = 3 s;
- ``immune_boundary``: L_2*(tau_1, L_1) on the authors' grid at tau_c = 4 s, tau_2 in
  {0.1, 3} s, found by root-finding T = 1 as a script does, against the closed form;
- ``antagonism_potential``: R = 10^4, 0.4 R agonists at tau_c = 3 s, 0.6 R at tau_2 on a
  grid, minimum and inflection read off the grid, against the exact tau* and tau_infl;
- ``picture_attack``: an image (default the text MTL rendered with matplotlib) whose pixels
  are ligands, for N = 2..5, m = 1..4 (m < N), attacked by the binned procedure and by the
  exact descent (MTL -> ML);
- ``digits_svc``: PCA to two components + LinearSVC on two digit classes (3 vs 8), with
  training and test images shifted by eps toward the other class's mean, against the
  package's logistic regression on all pixels and its worst case.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result
from antagonism.derivations import AdaptiveProofreading


class Reproduction(Result):
    """One procedure of the authors next to the package's method.

    Keys
    ----
    name : str -- the procedure
    setup : str -- what was run
    columns : list of str -- the table's columns (case, authors', package's, ...)
    rows : list of list -- one row per case (numbers or strings)
    differences : list of str -- why the two columns differ
    """


def _T(tau, L, N, m, tau_c):
    """T_{N,m} = sum L tau^N / (tau_c^(N-m) sum L tau^m)."""
    return float(np.dot(L, tau**N) / (tau_c ** (N - m) * np.dot(L, tau**m)))


def ligand_descent(quick=False, seed=0):
    """The binned procedure against the exact descent over the paper's (N, m) pairs."""
    from ..cells.ligands import paper_ligands
    from .descent import descend_to_boundary

    n = 3000 if quick else 101**2
    pairs = ((4, 1), (5, 3)) if quick else ((4, 1), (4, 2), (5, 3), (4, 3), (5, 4))
    lig = paper_ligands(n, 0.3, 3.0, seed)
    rows = []
    for N, m in pairs:
        model = AdaptiveProofreading(N, m, 3.0)
        b = descend_to_boundary(model, lig.tau, lig.L, variant="binned", max_iter=20000)
        e = descend_to_boundary(model, lig.tau, lig.L, max_iter=20000)
        rows.append([f"({N},{m})", f"{b.status} in {b.iterations} it., T_binned "
                     f"{b.T_binned:.4f}, exact T {b.T_final:.4f}",
                     f"{e.status} in {e.iterations} it., T {e.T_final:.4f}"])
    dropped = float(np.mean(lig.tau[lig.agonist] > 3.5))
    return Reproduction(
        name="ligand_descent", setup=f"{n} ligands, 30 % agonists, tau_c = 3 s, eps = 0.2, "
        f"seed {seed}", columns=["(N,m)", "authors' binned procedure", "exact descent"],
        rows=rows, differences=[
            f"{dropped:.0%} of the agonists lie above the last bin edge (3.5 s) and drop out "
            "of the binned T, which is why the binned run can cross where the exact T of its "
            "final ligands stays above 1",
            "the binned gradient is the bin centre's (centres linspace(0.1, 3.4, 17), not "
            "the bins' midpoints) with L = the bin's count: crowded bins move faster",
            "the binned loop takes one step after its T falls below 1; it has no fixed "
            "point, while the exact descent stops when T no longer changes (the cell is "
            "robust to the self ligands)"])


def immune_boundary(quick=False, seed=0):
    """L_2* by root-finding T = 1 on the authors' grid (tau_c = 4 s) vs the closed form."""
    from scipy.optimize import brentq

    from antagonism.theory import decision_boundary

    tau_c = 4.0
    t1 = np.linspace(4.2, 8, 6 if quick else 25)
    L1 = np.geomspace(1, 1e4, 6 if quick else 25)
    rows = []
    for (N, m) in ((1, 0), (5, 3)):
        model = AdaptiveProofreading(N, m, tau_c)
        for t2 in (0.1, 3.0):
            worst, lo_hi = 0.0, [np.inf, 0.0]
            for a in t1:
                for q in L1:
                    f = lambda L2, a=a, q=q: _T(np.array([a, t2]), np.array([q, L2]), N, m,
                                                tau_c) - 1.0  # noqa: E731
                    root = brentq(lambda x: f(np.exp(x)), -40, 80, xtol=1e-13)
                    numeric = np.exp(root)
                    exact = float(decision_boundary(model, a, q, t2))
                    worst = max(worst, abs(numeric / exact - 1))
                    lo_hi = [min(lo_hi[0], exact), max(lo_hi[1], exact)]
            rows.append([f"({N},{m}), tau_2 = {t2:g} s",
                         f"L2* from {lo_hi[0]:.3g} to {lo_hi[1]:.3g}",
                         "closed form L1 w(tau1)/(-w(tau2))", f"{worst:.1e}"])
    return Reproduction(
        name="immune_boundary", setup=f"tau_1 in [4.2, 8] s x L_1 in [1, 1e4] "
        f"({t1.size} x {L1.size} grid), tau_c = 4 s", columns=[
            "case", "authors' root-finding of T = 1", "package", "max relative difference"],
        rows=rows, differences=[
            "none beyond the root finder's tolerance: the boundary is linear in the "
            "quantities, so the closed form is exact",
            "the authors drew this one figure at tau_c = 4 s; the package's figures use "
            "tau_c = 3 s throughout and draw the boundary as lines L2*(tau1)/L1"])


def antagonism_potential_grid(quick=False, seed=0):
    """Grid minimum and inflection (second differences) vs the exact tau* and tau_infl."""
    from .potential import antagonism_potential

    tau_c, R = 3.0, 1e4
    L = np.array([0.4 * R, 0.6 * R])
    grid = np.linspace(0.0, tau_c, 31 if quick else 301)[1:]
    fmt = lambda v: "none" if v is None else f"{v:.3f}"  # noqa: E731
    rows = []
    for N in range(1, 6):
        for m in range(N):
            T = np.array([_T(np.array([tau_c, t]), L, N, m, tau_c) for t in grid])
            i = int(np.argmin(T))
            grid_min = float(grid[i]) if 0 < i < grid.size - 1 else None
            d2 = np.diff(T, 2)
            d2[np.abs(d2) < 1e-9 * np.ptp(T) + 1e-300] = 0.0  # a straight line has none
            signs = np.sign(d2[d2 != 0])
            where = np.nonzero(d2)[0]
            flips = np.nonzero(np.diff(signs))[0]
            grid_infl = float(grid[where[flips[0]] + 1]) if flips.size else None
            exact = antagonism_potential(AdaptiveProofreading(N, m, tau_c), R=R,
                                         n_points=60 if quick else 400)
            rows.append([f"({N},{m})", f"min {fmt(grid_min)}, infl {fmt(grid_infl)}",
                         f"min {fmt(exact.tau_min)}, infl {fmt(exact.tau_inflection)}"])
    return Reproduction(
        name="antagonism_potential", setup=f"R = 1e4, 0.4 R agonists at tau_c = 3 s, "
        f"0.6 R at tau_2 on a grid of step {grid[1] - grid[0]:.3g} s",
        columns=["(N,m)", "authors' grid (s)", "package, solved (s)"], rows=rows,
        differences=["the grid locates the minimum and the inflection to within one grid "
                     "step; the package solves dT/dtau_2 = 0 (the minimum is tau* = tau_c "
                     "(m T_min/N)^(1/(N-m))) and d2T/dtau_2^2 = 0 with a root finder",
                     "m = 0 and m = 1 have no inflection; m = 0 has no interior minimum"])


def picture_image(image=None, quick=False, seed=0):
    """(tau image, masks or None): an image file's grey levels g in [0, 1] as tau = 4 g s, or
    the text MTL as in the figure picture_attack (M, L agonists at 4 s, so that every cell
    responds at first; T antagonists at 2.9 s; self background |N(0, (1/3)^2)| s)."""
    if image is not None:
        import matplotlib.image as mpimg

        try:
            img = np.asarray(mpimg.imread(image), dtype=float)
        except (OSError, ValueError, SyntaxError) as exc:  # PIL: SyntaxError for a bad PNG
            raise InputError(f"cannot read the image {image!r}: {exc}") from None
        if img.ndim == 3:
            img = img[..., :3].mean(axis=2)
        if img.max() > 1:
            img = img / 255.0
        return np.clip(4.0 * img, 1e-3, None), None
    from .picture import mtl_picture

    return mtl_picture(*((24, 60) if quick else (40, 100)), seed)


def picture_attack(quick=False, seed=0, image=None):
    """MTL -> ML over N = 2..5, m = 1..4: the binned procedure vs the exact descent."""
    from .descent import descend_to_boundary

    tau, masks = picture_image(image, quick, seed)
    L = np.ones(tau.size)
    budget = 300 if quick else 3000
    rows = []
    for N in range(2, 6):
        for m in range(1, min(N, 5)):
            model = AdaptiveProofreading(N, m, 3.0)
            cells = []
            for variant in ("binned", "exact"):
                r = descend_to_boundary(model, tau.ravel(), L, variant=variant,
                                        max_iter=budget)
                change = np.abs(r.tau - tau.ravel()).reshape(tau.shape)
                where = ""
                if masks is not None:
                    bg = ~(masks[0] | masks[1] | masks[2])
                    where = (f", |dtau| T letter {change[masks[1]].mean():.2f} s, "
                             f"background {change[bg].mean():.2f} s")
                if r.iterations == 0 and r.T_initial < r.threshold:
                    cells.append(f"off from the start, T {r.T_initial:.3f}")
                else:
                    cells.append(f"{r.status} in {r.iterations} it., T {r.T_final:.3f}{where}")
            rows.append([f"({N},{m})", *cells])
    return Reproduction(
        name="picture_attack", setup=("the text MTL rendered with matplotlib" if image is None
                                      else f"image {image}") + f", {tau.shape[0]}x"
        f"{tau.shape[1]} pixels as ligands, tau_c = 3 s, budget {budget} iterations",
        columns=["(N,m)", "authors' binned procedure", "exact descent"], rows=rows,
        differences=[
            "the binned procedure moves every pixel of a bin by the bin's gradient with "
            "L = its count, so a crowded bin (the background, or the whole T letter) moves "
            "fast, and a pixel pushed below 0 is reset to 0.1 s: the T letter is erased in "
            "one step (MTL -> ML); the letters M and L at 4 s lie above its last bin edge "
            "(3.5 s), so its binned T starts below 1 and it stops after its one late step, "
            "while the exact T of its final pixels stays above 1 for most (N, m)",
            "T in both columns is the exact T_{N,m} of the final pixels; small m recruits "
            "the background (an invisible change), large m moves only the T letter and the "
            "upper tail of the background toward tau*"])


def digits_svc(quick=False, seed=0, classes=(3, 8)):
    """PCA (2 components) + LinearSVC with eps-shifted training and testing, vs logistic
    regression on all pixels under the same shift and under its own worst case."""
    from sklearn.decomposition import PCA
    from sklearn.svm import LinearSVC

    from ..networks.datasets import load_digits
    from ..networks.tilting import boundary_tilting, mean_direction_attack

    r = boundary_tilting(classes=classes, seed=seed)
    data = load_digits(seed=seed)
    keep = np.isin(data.y_train, classes)
    xtr_all = data.x_train[keep].reshape(keep.sum(), -1)
    ytr = (data.y_train[keep] == classes[1]).astype(int)
    xte = r.x_test.reshape(len(r.y_test), -1)
    yte = r.y_test
    d = np.asarray(r.direction).reshape(-1)
    test_eps = (0.0, 0.1, 0.2, 0.3) if quick else (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
    rows = []
    svcs = {}
    for train_eps in (0.0, 0.3):
        x_fit = (xtr_all if train_eps == 0 else np.concatenate(
            [xtr_all, mean_direction_attack(xtr_all, ytr, d, train_eps)]))
        y_fit = ytr if train_eps == 0 else np.concatenate([ytr, ytr])
        pca = PCA(n_components=2, random_state=seed).fit(x_fit)
        svc = LinearSVC(random_state=seed, max_iter=20000).fit(pca.transform(x_fit), y_fit)
        svcs[train_eps] = (pca, svc)
    for e in test_eps:
        shifted = mean_direction_attack(xte, yte, d, e)
        acc = [float(np.mean(svc.predict(pca.transform(shifted)) == yte))
               for pca, svc in svcs.values()]
        near = np.nonzero(np.isclose(r.eps, e))[0]
        i = int(near[0]) if near.size else None
        pkg = ("-" if i is None else
               f"{r.accuracy_natural[i]:.2f} / {r.accuracy_adversarial[i]:.2f}")
        rows.append([f"{e:g}", f"{acc[0]:.2f} / {acc[1]:.2f}", pkg])
    return Reproduction(
        name="digits_svc", setup=f"digits {classes[0]} vs {classes[1]} (scikit-learn's 8x8), "
        "shift x -/+ eps sign(mean_a - mean_b), adversarial training at eps = 0.3",
        columns=["test eps", "authors' PCA(2) + LinearSVC: natural / adv. trained",
                 "package's logistic regression (64 pixels): natural / adv. trained"],
        rows=rows, differences=[
            "the natural classifiers fall alike: the shift moves each image along the "
            "difference of the class means, which both the two PCA components and the "
            "64-pixel weights use; with only two components the adversarially trained SVC "
            "gives up more clean accuracy than the 64-pixel model",
            "training on shifted images whose shift's sign gives the label teaches a model "
            "to read the shift (label leaking, Kurakin, Goodfellow & Bengio, ICLR 2017): "
            "accuracy under the same shift can rise with eps, while the model's own worst "
            "case (figure digit_boundary_tilting, dashed) shows no robustness"])


PROCEDURES = {"ligand_descent": ligand_descent, "immune_boundary": immune_boundary,
              "antagonism_potential": antagonism_potential_grid,
              "picture_attack": picture_attack, "digits_svc": digits_svc}


def reproduce(name=None, quick=False, seed=0, image=None):
    """Run one procedure (``name``) or all; returns {name: Reproduction}."""
    if name is not None and name not in PROCEDURES:
        raise InputError(f"unknown procedure {name!r}; choose from {', '.join(PROCEDURES)}")
    names = list(PROCEDURES) if name is None else [name]
    out = {}
    for n in names:
        kwargs = {"image": image} if n == "picture_attack" else {}
        out[n] = PROCEDURES[n](quick=quick, seed=seed, **kwargs)
    return out


def table_text(results):
    """The reproductions as plain-text tables, each followed by why the columns differ."""
    blocks = []
    for r in results.values():
        rows = [r.columns, *[[str(c) for c in row] for row in r.rows]]
        widths = [max(len(row[i]) for row in rows) for i in range(len(r.columns))]
        lines = [f"== {r.name}: {r.setup}"]
        for k, row in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines += ["why they differ:", *[f"  - {d}" for d in r.differences]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
