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


# ------------------------------------------- distance of the attacked point to the boundary

#: |q| <= NEAR_BUDGET: the point lies within a quarter of the budget of the boundary
NEAR_BUDGET = 0.25


class _Reverse:
    """The attack back across the boundary: the objective's loss and success negated, so
    PGD on it looks for the clean decision (a network's true label, a cell that responds)."""

    def __init__(self, objective):
        self.objective = objective

    def loss_and_grad(self, x):
        loss, grad = self.objective.loss_and_grad(x)
        return -np.asarray(loss), -np.asarray(grad)

    def success(self, x):
        return ~np.asarray(self.objective.success(x), bool)


def _pgd_rows(objective, x, radius, n_steps, domain, rng):
    """Per row, whether L-inf PGD (random start, ``n_steps`` signed steps of 2.5 r /
    n_steps) within that row's ``radius`` r reaches the objective's success at any step: a
    point of the other side within r is a certificate that the boundary is within r."""
    from ..attacks.domain import project

    r = np.asarray(radius, float).reshape((-1,) + (1,) * (x.ndim - 1))
    xa = project(x + rng.uniform(-1.0, 1.0, x.shape) * r, x, r, "inf", domain)
    found = np.asarray(objective.success(xa), bool).copy()
    for _ in range(n_steps):
        _, g = objective.loss_and_grad(xa)
        xa = project(xa + 2.5 * r / n_steps * np.sign(g), x, r, "inf", domain)
        found |= np.asarray(objective.success(xa), bool)
    return found


def boundary_distance(objective, x, r_max, *, domain=None, n_steps=20, bisections=10,
                      seed=0):
    """The signed L-inf distance from each row of ``x`` to the decision boundary of
    ``objective`` (the set where its ``success`` changes), within the ``domain``.

    Rows on the clean side (``success`` false: a network's true label, a cell that
    responds) get +d, d the smallest radius within which PGD reaches success; rows already
    past the boundary get -d, d the smallest radius within which PGD on the negated
    objective comes back.  d is bisected on [0, ``r_max``] (``bisections`` halvings, each
    a PGD-``n_steps`` run with a random start); a found point certifies the boundary within
    d, so d is an upper bound of the exact distance, to the bisection's resolution
    r_max / 2^bisections.  Rows with no boundary found within r_max get +-r_max and
    ``censored`` true.

    Returns (signed distance per row, censored per row).

    Examples
    --------
    A linear classifier, logits x @ W, with margin z_0 - z_1 = 2 (x_0 - x_1): [0.6, 0.4] is
    0.1 from its boundary x_0 = x_1 in L-inf, [0.3, 0.7] is 0.2 past it:

    >>> import numpy as np
    >>> from antagonism.numerics.networks.objective import NetworkObjective
    >>> W = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> objective = NetworkObjective((lambda x: x @ W, lambda x, w: w @ W.T), y=[0, 0])
    >>> d, censored = boundary_distance(objective, np.array([[0.6, 0.4], [0.3, 0.7]]), 1.0)
    >>> d.round(2), censored
    (array([ 0.1, -0.2]), array([False, False]))
    """
    x = np.asarray(x, float)
    rng = np.random.default_rng(seed)
    past = np.asarray(objective.success(x), bool)
    hi = np.full(len(x), float(r_max))
    lo = np.zeros(len(x))
    found = np.zeros(len(x), bool)
    for side in (False, True):
        rows = np.flatnonzero(past == side)
        if not rows.size:
            continue
        # a network's objective holds one label per row; a cell's is the same for every row
        sub = objective.subset(rows) if hasattr(objective, "subset") else objective
        sub = _Reverse(sub) if side else sub
        xs = x[rows]
        up, down = hi[rows], lo[rows]
        ok = _pgd_rows(sub, xs, up, n_steps, domain, rng)
        for _ in range(bisections):
            mid = 0.5 * (down + up)
            hit = _pgd_rows(sub, xs, mid, n_steps, domain, rng)
            up, down = np.where(hit, mid, up), np.where(hit, down, mid)
        hi[rows], found[rows] = up, ok
    d = np.where(found, hi, float(r_max))
    return np.where(past, -d, d), ~found


class BoundaryReport(Result):
    """Keys: networks (name -> {quantity -> per-seed values, mean, t_interval}),
    vs_random (name -> quantity -> the strongest perturbation against the random one of the
    same size, paired by seed), cells (rows per m and seed, and per m the range over
    seeds), eps, cell_eps, seeds, arch, dataset, n_images, near, definition."""

    def to_text(self, units=None):
        lines = [f"q = signed L-inf distance to the decision boundary / budget (0 on it, < 0 "
                 f"past it), networks at eps {self.eps:g} on {self.n_images} test digits, "
                 f"seeds {self.seeds}: mean over seeds [95 % t-interval]"]
        for name, row in self.networks.items():
            lines.append(
                f"{name:<12} clean: median q {_fmt(row['median_q_clean'])}\n"
                f"{'':<12} strongest: median q {_fmt(row['median_q_attack'])}, near "
                f"(|q| <= {self.near:g}) {_fmt(row['near_attack'])}, approach "
                f"{_fmt(row['median_approach_attack'])}\n"
                f"{'':<12} random: median q {_fmt(row['median_q_random'])}, near "
                f"{_fmt(row['near_random'])}, approach {_fmt(row['median_approach_random'])}")
        for m, c in (self.cells or {}).get("summary", {}).items():
            lines.append(f"T_{{5,{m}}} at {self.cell_eps:g} s: q clean "
                         f"{c['q_clean'][0]:+.3f}..{c['q_clean'][1]:+.3f}, strongest "
                         f"{c['q_attack'][0]:+.3f}..{c['q_attack'][1]:+.3f}, random "
                         f"{c['q_random'][0]:+.3f}..{c['q_random'][1]:+.3f}")
        return "\n".join(lines)


def _fmt(s):
    lo, hi = s["t_interval"]
    return f"{s['mean']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def _q_summary(q, near):
    q = np.asarray(q, float)
    return {"median_q": float(np.median(q)), "median_abs_q": float(np.median(np.abs(q))),
            "near": float(np.mean(np.abs(q) <= near))}


def network_boundary(classifier, x, y, eps, *, seed=0, bpda=False, n_steps=20,
                     bisections=10, near=NEAR_BUDGET):
    """On the images ``classifier`` gets right: q = the signed L-inf distance to its
    decision boundary (:func:`boundary_distance`, radius up to 1, the whole pixel range)
    over ``eps``, at the clean image, at the end of the strongest perturbation (PGD-40 at
    ``eps``, :func:`strongest_direction`) and at a random perturbation of the same size
    (every pixel +-eps, clipped to [0, 1]: the control, which moves as far without aiming).
    Returns per point (clean, attack, random) the median q, the median |q|, the share with
    |q| <= ``near``, the median approach q_clean - q (how much of its budget the move
    spends walking toward the boundary: at most 1, since q is 1-Lipschitz), the q values
    and the attack's success rate."""
    from ..attacks import Domain
    from ..networks.objective import NetworkObjective

    x, y = np.asarray(x, float), np.asarray(y)
    ok = classifier.predict(x) == y
    x, y = x[ok], y[ok]
    delta, success = strongest_direction(classifier, x, y, eps, seed=seed, bpda=bpda)
    rng = np.random.default_rng([seed, 1])
    points = {"clean": x, "attack": np.clip(x + delta, 0.0, 1.0),
              "random": np.clip(x + eps * rng.choice([-1.0, 1.0], size=x.shape), 0.0, 1.0)}
    obj = NetworkObjective(classifier, y, bpda=bpda)
    out = {"n_images": int(ok.sum()), "attack_success": float(np.mean(success))}
    qs = {}
    for name, pts in points.items():
        d, censored = boundary_distance(obj, pts, 1.0, domain=Domain(0.0, 1.0),
                                        n_steps=n_steps, bisections=bisections, seed=seed)
        qs[name] = q = d / eps
        out[name] = {**_q_summary(q, near), "censored": int(censored.sum()),
                     "q": q.tolist()}
    for name in ("attack", "random"):  # at most 1: q is 1-Lipschitz in budgets
        out[name]["median_approach"] = float(np.median(qs["clean"] - qs[name]))
    out["clean"]["median_approach"] = 0.0
    return out


CELL_MS = (2, 3, 4)
CELL_BOUNDARY_EPS = 0.5  # seconds: between PGD's smallest budget for m = 2 and m = 3


def cell_boundary(ms=CELL_MS, seeds=(0, 1, 2), eps=CELL_BOUNDARY_EPS, *, n_ligands=1000,
                  agonist_fraction=0.05, n_steps=20, bisections=10, progress=False):
    """The same q on claim 11's cells (:func:`~.cells.attack_budgets`' set-up: T_{5,m},
    tau_c = 3 s, ``agonist_fraction`` agonists among self ligands, only the self ligands
    movable and kept below tau_c): the attacked point is PGD-40 on the binding times within
    ``eps`` seconds (L-inf), the control every self ligand moved by +-eps at random; q is
    the signed L-inf distance (s) of each point to the cell's boundary T = 1 (radius up to
    tau_c) over ``eps``.  Rows per (m, seed) with q at the clean, attacked and random
    points; per m the range over the seeds."""
    from antagonism.derivations import AdaptiveProofreading

    from ..attacks import Domain, pgd
    from ..cells.ligands import paper_ligands
    from ..cells.objective import CellObjective
    from ..progress import Progress

    tau_c = 3.0
    rows = []
    eta = Progress(len(ms) * len(seeds), progress, "cell boundary")
    for m in ms:
        model = AdaptiveProofreading(5, m, tau_c)
        for seed in seeds:
            eta.step(f"T_{{5,{m}}}, seed {seed}")
            lig = paper_ligands(n_ligands, agonist_fraction, tau_c, seed)
            obj = CellObjective(model, lig.tau, lig.L, threshold=1.0, backend="numpy")
            x0 = obj.x0()
            movable = (lig.tau < tau_c)[None, :]
            dom = Domain(lower=1e-6 * tau_c,
                         upper=np.where(movable, tau_c * (1 - 1e-9), np.inf), mask=movable)
            attacked = pgd(obj, x0, eps, n_steps=40, random_init=False, domain=dom).x_adv
            rng = np.random.default_rng([seed, 1])
            rand = dom.freeze(dom.clip(x0 + eps * rng.choice([-1.0, 1.0], size=x0.shape)),
                              x0)
            pts = np.concatenate([x0, attacked, rand])
            d, censored = boundary_distance(obj, pts, tau_c, domain=dom, n_steps=n_steps,
                                            bisections=bisections, seed=seed)
            q = d / eps
            rows.append({"m": m, "seed": seed, "q_clean": float(q[0]),
                         "q_attack": float(q[1]), "q_random": float(q[2]),
                         "approach_attack": float(q[0] - q[1]),
                         "approach_random": float(q[0] - q[2]),
                         "censored": censored.tolist()})
    keys = ("q_clean", "q_attack", "q_random", "approach_attack", "approach_random")
    summary = {f"{m:g}": {k: [min(r[k] for r in rows if r["m"] == m),
                              max(r[k] for r in rows if r["m"] == m)] for k in keys}
               for m in ms}
    return {"rows": rows, "summary": summary, "eps": float(eps), "seeds": list(seeds),
            "n_ligands": n_ligands, "agonist_fraction": agonist_fraction}


def boundary_report(seeds=(0,), *, arch="cnn", dataset="mnist5k", data_dir=None, limit=None,
                    eps=0.3, n_images=100, names=("natural", "pgd_trained"), cells=True,
                    cell_eps=CELL_BOUNDARY_EPS, quick=False, progress=True, networks=None,
                    near=NEAR_BUDGET):
    """Claim 14 measured with one quantity for networks and cells: q, the signed L-inf
    distance from the end of the strongest perturbation to the decision boundary over the
    budget (:func:`network_boundary`, :func:`cell_boundary`), against a random perturbation
    of the same size, over seeds (each network of a seed on the same ``n_images`` test
    digits, the first of :func:`~antagonism.numerics.networks.mnist.evaluation_subset`).

    ``networks``: optional function (data, seed, names) -> the dict of
    :func:`~antagonism.numerics.networks.mnist.trained_networks` (default: that function,
    training or loading from the store)."""
    from antagonism._core.errors import InputError

    from ..networks.datasets import load_dataset
    from ..networks.mnist import evaluation_subset, trained_networks
    from ..networks.torch_backend import fast_classifier
    from ..progress import Progress
    from ..statistics import interval, paired_comparison

    def summarize(values, bounds):  # as regime.mnist's (which imports this module)
        mean, lo, hi = interval(values, bounds=bounds)
        return {"per_seed": [float(v) for v in values], "mean": mean,
                "t_interval": [lo, hi], "n_seeds": len(values)}

    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("need at least one seed")
    if not 0 < float(eps) <= 1:
        raise InputError(f"eps must be in (0, 1], got {eps}")
    data = load_dataset(dataset, seed=0, data_dir=data_dir, limit=limit)
    x, y = evaluation_subset(data, n_images)
    runs = {n: [] for n in names}
    eta = Progress(len(seeds) * len(names), progress, "boundary")
    for seed in seeds:
        nets = (trained_networks(data, seed, arch=arch, quick=quick, names=list(names),
                                 progress=progress) if networks is None
                else networks(data, seed, list(names)))
        for name, net in nets.items():
            eta.step(f"seed {seed}: {name}")
            runs[name].append(network_boundary(fast_classifier(net["model"]), x, y,
                                               float(eps), seed=seed, bpda=net["defended"],
                                               near=near))
    out, vs = {}, {}
    for name, rs in runs.items():
        row = {}
        for point in ("clean", "attack", "random"):
            for k in ("median_q", "median_abs_q", "near", "median_approach"):
                bounds = (0.0, 1.0) if k == "near" else (-np.inf, np.inf)
                row[f"{k}_{point}"] = summarize([r[point][k] for r in rs], bounds)
            row[f"censored_{point}"] = [r[point]["censored"] for r in rs]
        row["attack_success"] = summarize([r["attack_success"] for r in rs], (0.0, 1.0))
        row["n_images"] = [r["n_images"] for r in rs]
        out[name] = row
        vs[name] = {k: paired_comparison(row[f"{k}_attack"]["per_seed"],
                                         row[f"{k}_random"]["per_seed"])
                    for k in ("median_abs_q", "near", "median_approach")}
        for c in vs[name].values():
            c.pop("bootstrap_interval", None)
    cell = cell_boundary(seeds=(0, 1, 2), eps=cell_eps, progress=progress) if cells else None
    return BoundaryReport(
        networks=out, vs_random=vs, cells=cell, eps=float(eps), cell_eps=float(cell_eps),
        seeds=seeds, arch=arch, dataset=dataset, n_images=len(y), near=float(near),
        definition="q = d / eps: d the L-inf distance from the point to the decision "
                   "boundary (+ on the clean side, - past it), the smallest radius within "
                   "which PGD-20 crosses, bisected 10 times on [0, 1] (cells: [0, tau_c]); "
                   "the points: the clean input, the end of the strongest perturbation "
                   "(PGD-40 at eps) and a random +-eps perturbation (the control)")
