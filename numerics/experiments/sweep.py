"""Sweeps of the descent over many models, e.g. the (N, m) grid of T_{N,m}."""
from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

from antagonism.derivations import AdaptiveProofreading
from antagonism.derivations.errors import InputError

from ..cells.ligands import paper_ligands
from .descent import descend_to_boundary


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
