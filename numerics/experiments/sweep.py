"""Sweeps over many models: the descent over the (N, m) grid of T_{N,m}, and the regime of a
registered model over a grid of its parameters.  Both run through the task runner
(:func:`~antagonism.numerics.executor.run_tasks`: locally, in processes or on a dask
cluster; the parameter sweep cached per grid point)."""
from __future__ import annotations

import itertools
import math
import sys

import numpy as np

from antagonism._core.errors import InputError, LimitError
from antagonism._core.ranges import MAX_GRID_POINTS
from antagonism._core.result import Result
from antagonism.derivations import AdaptiveProofreading

from ..cells.ligands import paper_ligands
from ..executor import run_tasks
from .descent import DescentStatus, descend_to_boundary


def adaptive_grid(N_values, tau_c=3.0):
    """T_{N,m} for every N in ``N_values`` and integer m = 0..N-1."""
    return [AdaptiveProofreading(N, m, tau_c) for N in N_values for m in range(int(N))]


def _plain_parameter(value):
    """A model parameter as plain JSON that rebuilds it exactly: an integer, a fraction
    "p/q" (read back exactly by the strict parser), a bool, or a float."""
    if isinstance(value, bool):
        return value
    if getattr(value, "is_Integer", False) or isinstance(value, int):
        return int(value)
    if getattr(value, "is_Rational", False):
        return f"{value.p}/{value.q}"
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"parameter {value!r} is not a number") from None


def registered_model(model):
    """``model`` as plain JSON, {"model": registry name, "parameters": {...}}, checked to
    rebuild the same model (a task argument of :func:`descent_point`)."""
    from antagonism.derivations import model_spec

    try:
        params = {k: _plain_parameter(v) for k, v in model.parameters().items()}
        same = model_spec(model.name).create(**params)
    except InputError as exc:
        same, why = None, f": {exc}"
    else:
        why = ""
    if same is None or type(same) is not type(model) or same.parameters() != model.parameters():
        raise InputError(f"a descent sweep runs registered models with numeric parameters; "
                         f"{model.label()} is not rebuilt by its name {model.name!r} and "
                         f"parameters{why}")
    return {"model": model.name, "parameters": params}


def descent_point(model, parameters, ligands, options):
    """Task of :func:`sweep_descent`: the descent of the registered ``model`` (with
    ``parameters``) on the seeded ligand set ``ligands`` (the keyword arguments of
    :func:`~antagonism.numerics.cells.ligands.paper_ligands`), with the keyword ``options``
    of :func:`~.descent.descend_to_boundary`.  Returns its summary with the final ``tau``."""
    from antagonism.derivations import model_spec

    lig = paper_ligands(**ligands)
    res = descend_to_boundary(model_spec(model).create(**parameters), lig["tau"], lig["L"],
                              **options)
    return {**res.summary(), "tau": res.tau}


def _restored(row):
    """A task's JSON result as the descent summary: the status an enum, tau an array."""
    return {**row, "parameters": dict(row["parameters"]),
            "status": DescentStatus(row["status"]), "tau": np.asarray(row["tau"], float)}


def sweep_descent(models, *, n_ligands=101**2, agonist_fraction=0.3, seed=0, workers=1,
                  progress=True, **descent_kwargs):
    """Run the paper's descent for every model on one seeded ligand set (the models share
    their tau_c, which sets the set-up).

    The models must be registered (:func:`~antagonism.derivations.model_spec`) with numeric
    parameters: each runs as a task of :func:`~antagonism.numerics.executor.run_tasks`,
    which rebuilds it from its name and parameters.  ``workers > 1`` runs models in
    separate processes (it pays for many small runs; each compiled kernel already uses
    every core for large ligand sets).  Progress goes to standard error.  Returns a list of
    summaries (dicts with the final ``tau``), in the order of ``models``.
    """
    models = list(models)
    if not models:
        raise InputError("no models to sweep")
    tau_c = {float(m.tau_c) for m in models}
    if len(tau_c) != 1:
        raise InputError(f"the models must share tau_c, got {sorted(tau_c)}")
    ligands = {"n_ligands": n_ligands, "agonist_fraction": agonist_fraction,
               "tau_c": tau_c.pop(), "seed": seed}
    paper_ligands(**ligands)  # checked here, before any task; each task draws the same set
    tasks = [{**registered_model(model), "ligands": ligands, "options": descent_kwargs}
             for model in models]
    done = 0

    def report(_, r):
        nonlocal done
        done += 1
        if progress:
            p = r["parameters"]
            print(f"[sweep] {done}/{len(tasks)} {r['model']} {p.get('N', '')} "
                  f"{p.get('m', '')} {r['status']}", file=sys.stderr, flush=True)

    parallel = workers > 1
    run = run_tasks(descent_point, tasks, executor="processes" if parallel else "local",
                    workers=workers if parallel else None, on_result=report)
    return [_restored(r) for r in run.results]


class ParameterSweep(Result):
    """The regime of a registered model over a grid of its parameters.

    Attributes
    ----------
    model : str -- the registered model's name
    grid : dict -- parameter name -> the values swept (floats)
    rows : list of dicts -- one :func:`~antagonism.theory.classify` result (``to_dict()``)
        per valid grid point, in grid order (the last parameter varies fastest)
    skipped : list of {"parameters", "reason"} -- grid points the model rejects (m >= N...)
    """

    def to_text(self, units=None):
        """One line per grid point (parameters, regime, tau*, tau_infl, escape)."""
        fmt = (lambda v: "-" if v is None else f"{v:.4g}")  # noqa: E731
        names = list(self.grid)
        lines = ["  ".join(f"{n:>6}" for n in names) + f"  {'regime':<12} {'tau*':>8} "
                 f"{'tau_infl':>9}  escape"]
        for row in self.rows:
            p = row["parameters"]
            lines.append("  ".join(f"{p.get(n, float('nan')):>6g}" for n in names)
                         + f"  {row['regime'] or 'none':<12} {fmt(row['tau_star']):>8} "
                           f"{fmt(row['tau_inflection']):>9}  {row['escape']}")
        for s in self.skipped:
            pt = ", ".join(f"{k}={v:g}" for k, v in s["parameters"].items())
            lines.append(f"skipped {pt}: {s['reason']}")
        return "\n".join(lines)


def regime_point(model, parameters, level=None):
    """Task of :func:`parameter_sweep`: the regime of the registered ``model`` with
    ``parameters`` (name -> number), as ``classify(...).to_dict()`` (its threshold at
    ``level``, default the model's default level)."""
    from antagonism.derivations import model_spec
    from antagonism.theory import classify

    return classify(model_spec(model).create(**parameters), level=level).to_dict()


def parameter_grid(model, grid):
    """The grid points of ``grid`` (name -> list of numbers) the registered ``model``
    accepts, and the ones it rejects with the reason: ([points], [{"parameters", "reason"}])."""
    from antagonism.derivations import model_spec

    spec = model_spec(model)
    names = list(grid)
    unknown = sorted(set(names) - set(spec.parameters))
    if unknown:
        raise InputError(f"unknown parameter(s) {unknown} for model {model!r}; known: "
                         f"{', '.join(spec.parameters) or 'none'}")
    points, skipped = [], []
    for values in itertools.product(*(grid[n] for n in names)):
        point = {n: float(v) for n, v in zip(names, values)}
        try:
            spec.create(**point)
        except InputError as exc:
            skipped.append({"parameters": point, "reason": str(exc)})
            continue
        points.append(point)
    return points, skipped


def parameter_sweep(model, grid, *, executor="local", scheduler=None, workers=None,
                    cache="parameter-sweep", progress=False, client=None, level=None):
    """Classify the registered ``model`` at every point of ``grid`` (name -> list of
    numbers, e.g. ``{"N": [2, 3, 4, 5], "m": [0, 1, 2, 3, 4], "tau_c": [1, 3]}``); points
    the model rejects (m >= N...) are skipped and reported.  The executor options are those
    of :func:`~antagonism.numerics.executor.run_tasks`; every executor returns the same
    result; ``level``: the response level of every point's threshold (default each point's
    default level, F(tau_c, L_ref)).  Returns a :class:`ParameterSweep`."""
    grid = {str(k): [float(v) for v in vs] for k, vs in grid.items()}
    empty = [k for k, vs in grid.items() if not vs]
    if not grid or empty:
        raise InputError(f"empty sweep grid{f' for {empty[0]}' if empty else ''}")
    total = math.prod(len(vs) for vs in grid.values())
    if total > MAX_GRID_POINTS:  # the command line checks this before building the lists
        raise LimitError(f"the sweep's grid has {total} points; at most {MAX_GRID_POINTS}")
    points, skipped = parameter_grid(model, grid)
    stated = {} if level is None else {"level": float(level)}
    run = run_tasks(regime_point, [{"model": model, "parameters": p, **stated}
                                   for p in points],
                    executor=executor, scheduler=scheduler, workers=workers, cache=cache,
                    progress=progress, label="sweep", client=client)
    return ParameterSweep(model=model, grid=grid, rows=run.results, skipped=skipped)
