"""Sweeps over many models: the descent over the (N, m) grid of T_{N,m}, and the regime of a
registered model over a grid of its parameters (through the executor layer: locally, in
processes or on a dask cluster, cached per grid point)."""
from __future__ import annotations

import itertools
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

from antagonism._core.errors import InputError
from antagonism._core.result import Result
from antagonism.derivations import AdaptiveProofreading

from ..cells.ligands import paper_ligands
from .descent import descend_to_boundary
from .executor import run_tasks


def adaptive_grid(N_values, tau_c=3.0):
    """T_{N,m} for every N in ``N_values`` and integer m = 0..N-1."""
    return [AdaptiveProofreading(N, m, tau_c) for N in N_values for m in range(int(N))]


def _single_threaded():
    """Worker initialiser: one numba thread per process (the processes share the cores)."""
    try:
        import numba

        numba.set_num_threads(1)
    except ImportError:
        pass


def _run(args):
    model, kwargs, lig = args
    res = descend_to_boundary(model, lig["tau"], lig["L"], **kwargs)
    keep = dict(res.summary())
    keep["tau"] = res.tau
    return keep


def sweep_descent(models, *, n_ligands=101**2, agonist_fraction=0.3, seed=0, workers=1,
                  progress=True, **descent_kwargs):
    """Run the paper's descent for every model on one seeded ligand set (the models share
    their tau_c, which sets the set-up).

    ``workers > 1`` runs models in separate processes (it pays for many small runs; each
    compiled kernel already uses every core for large ligand sets).  Progress goes to
    standard error.  Returns a list of summaries (dicts with the final ``tau``).
    """
    models = list(models)
    if not models:
        raise InputError("no models to sweep")
    tau_c = {float(m.tau_c) for m in models}
    if len(tau_c) != 1:
        raise InputError(f"the models must share tau_c, got {sorted(tau_c)}")
    lig = paper_ligands(n_ligands, agonist_fraction, tau_c.pop(), seed)
    jobs = [(model, descent_kwargs, lig) for model in models]

    def report(i, r):
        if progress:
            p = r["parameters"]
            print(f"[sweep] {i}/{len(jobs)} {r['model']} {p.get('N', '')} {p.get('m', '')} "
                  f"{r['status']}", file=sys.stderr, flush=True)

    out = []
    if workers > 1:
        # spawn, not fork: forking after numba's thread pool has started is unsafe
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_single_threaded) as pool:
            for i, r in enumerate(pool.map(_run, jobs), 1):
                out.append(r)
                report(i, r)
        return out
    for i, job in enumerate(jobs, 1):
        out.append(_run(job))
        report(i, out[-1])
    return out


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


def regime_point(model, parameters):
    """Task of :func:`parameter_sweep`: the regime of the registered ``model`` with
    ``parameters`` (name -> number), as ``classify(...).to_dict()``."""
    from antagonism.derivations import model_spec
    from antagonism.theory import classify

    return classify(model_spec(model).create(**parameters)).to_dict()


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
                    cache="parameter-sweep", progress=False, client=None):
    """Classify the registered ``model`` at every point of ``grid`` (name -> list of
    numbers, e.g. ``{"N": [2, 3, 4, 5], "m": [0, 1, 2, 3, 4], "tau_c": [1, 3]}``); points
    the model rejects (m >= N...) are skipped and reported.  The executor options are those
    of :func:`~.executor.run_tasks`; every executor returns the same result.
    Returns a :class:`ParameterSweep`."""
    grid = {str(k): [float(v) for v in vs] for k, vs in grid.items()}
    empty = [k for k, vs in grid.items() if not vs]
    if not grid or empty:
        raise InputError(f"empty sweep grid{f' for {empty[0]}' if empty else ''}")
    points, skipped = parameter_grid(model, grid)
    run = run_tasks(regime_point, [{"model": model, "parameters": p} for p in points],
                    executor=executor, scheduler=scheduler, workers=workers, cache=cache,
                    progress=progress, label="sweep", client=client)
    return ParameterSweep(model=model, grid=grid, rows=run.results, skipped=skipped)
