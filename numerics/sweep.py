"""Sweeps of the descent over (N, m) grids."""
from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

from .descent import descend_to_boundary
from .ligands import paper_ligands


def grid_pairs(N_values, integer_m=True):
    """All (N, m) with m = 0..N-1 (integers) for each N."""
    return [(float(N), float(m)) for N in N_values for m in range(int(N)) if m < N]


def _single_threaded():
    """Worker initialiser: one numba thread per process (the processes share the cores)."""
    try:
        import numba

        numba.set_num_threads(1)
    except ImportError:
        pass


def _run(args):
    N, m, kwargs, lig = args
    res = descend_to_boundary(lig["tau"], lig["L"], N, m, lig["tau_c"], **kwargs)
    keep = dict(res.summary())
    keep["tau"] = res.tau
    return keep


def sweep_descent(pairs, *, n_ligands=101**2, agonist_fraction=0.3, tau_c=3.0, seed=0,
                  workers=1, progress=True, **descent_kwargs):
    """Run the paper's descent for every (N, m) in ``pairs`` on one seeded ligand set.

    ``workers > 1`` runs grid points in separate processes (it pays for many small runs;
    each compiled kernel already uses every core for large ligand sets).  Progress goes to
    standard error.  Returns a list of summaries (dicts with the final ``tau``).
    """
    lig = paper_ligands(n_ligands, agonist_fraction, tau_c, seed)
    jobs = [(N, m, descent_kwargs, lig) for N, m in pairs]
    out = []
    if workers > 1:
        # spawn, not fork: forking after numba's thread pool has started is unsafe
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_single_threaded) as pool:
            for i, r in enumerate(pool.map(_run, jobs), 1):
                out.append(r)
                if progress:
                    print(f"[sweep] {i}/{len(jobs)} N={r['N']:g} m={r['m']:g} {r['status']}",
                          file=sys.stderr, flush=True)
        return out
    for i, job in enumerate(jobs, 1):
        r = _run(job)
        out.append(r)
        if progress:
            print(f"[sweep] {i}/{len(jobs)} N={r['N']:g} m={r['m']:g} {r['status']}",
                  file=sys.stderr, flush=True)
    return out
