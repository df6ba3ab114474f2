"""Benchmark and calibration of ``antagonism fit``.  Run on demand:

    python benchmarks/fit.py [--replicates 400] [--repeats 3] [--json] [--out FILE]

1. Simulation-based calibration of the T_{N,m} fit (:mod:`antagonism.numerics.fit.calibration`):
   truths drawn from the default priors, 30 simulated mixtures with Gaussian noise
   (sd 0.05), one fit per replicate with the default sampler settings; the coverage of the
   50 % and 95 % central intervals, as a table (the one in docs/fitting.md).
2. Timing: the full fit of T_{N,m} to 30 mixtures (default settings: 32 walkers x 4000
   steps, 200 draws for the regime, tau* and strength), ``--repeats`` times (min, median,
   max; the issue's bound is 2 min on 2 cores), and the cost of one likelihood through the
   derived fold change against the reference in the same run: the same likelihood through
   each draw's compiled evaluator (``--forward evaluator``), their ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import time
import warnings

import numpy as np

from antagonism.numerics.fit import fit_antagonism, simulation_based_calibration
from antagonism.numerics.fit.calibration import simulate
from antagonism.numerics.fit.forward import ForwardModel
from antagonism.numerics.fit.likelihood import LogPosterior
from antagonism.numerics.fit.posterior import ConvergenceWarning
from antagonism.numerics.fit.priors import build_priors

BOUND_S = 120.0


def _stats(values):
    return {"min": float(np.min(values)), "median": float(np.median(values)),
            "max": float(np.max(values)), "repeats": len(values)}


def time_fit(repeats, seed=0):
    """Wall time of the default T_{N,m} fit to the 30 simulated mixtures of one truth."""
    forward = ForwardModel("adaptive")
    data = simulate(forward, [5.0, 3.0], np.random.default_rng(seed))
    times = []
    for k in range(repeats):
        start = time.perf_counter()
        fit = fit_antagonism(data, "adaptive", seed=seed + k)
        times.append(time.perf_counter() - start)
    return _stats(times), fit


def time_likelihood(n_theta, seed=0):
    """Seconds per likelihood (30 rows) through the derived fold change and through each
    draw's evaluator (the compiled kernels of T_{N,m}), on the same prior draws."""
    out = {}
    rng = np.random.default_rng(seed)
    for route in ("derived", "evaluator"):
        forward = ForwardModel("adaptive", route=route)
        data = simulate(forward, [5.0, 3.0], np.random.default_rng(seed))
        prior = build_priors("adaptive", forward.free, forward.values, domain=forward.in_domain)
        theta = np.round(prior.sample(rng, n_theta), 3)  # kernels compile per (N, m)
        post = LogPosterior(forward, prior, data)
        post(theta[:1])  # warm: compile, derive
        start = time.perf_counter()
        for row in theta:  # one at a time, as a sampler without vectorisation would
            post(row[None, :])
        out[route] = (time.perf_counter() - start) / n_theta
    out["ratio_evaluator_over_derived"] = out["evaluator"] / out["derived"]
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=400,
                   help="simulated data sets of the calibration (0: timing only)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--likelihoods", type=int, default=20,
                   help="parameter vectors timed per route")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1,
                   help="processes for the calibration's replicates (the package's task "
                        "runner; finished replicates are cached, so a run resumes)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", default=None, help="also write the JSON to this file")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    fit_time, fit = time_fit(args.repeats, args.seed)
    per_likelihood = time_likelihood(args.likelihoods, args.seed)

    sbc = simulation_based_calibration(
        "adaptive", replicates=args.replicates, seed=args.seed, walkers=32, steps=4000,
        executor="processes" if args.workers > 1 else "local", workers=args.workers,
        cache="fit-calibration", progress=not args.json) if args.replicates > 0 else None
    out = {"cores": cores, "fit_seconds": fit_time, "bound_seconds": BOUND_S,
           "within_bound": fit_time["max"] < BOUND_S,
           "fit_converged": fit.diagnostics["converged"],
           "likelihood_seconds": per_likelihood,
           "calibration": None if sbc is None else sbc.to_dict()}
    text = json.dumps(out, indent=1)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text + "\n")
    if args.json:
        print(text)
        return
    f = fit_time
    print(f"fit of T_{{N,m}} to 30 mixtures ({cores} cores): min {f['min']:.1f} s, median "
          f"{f['median']:.1f} s, max {f['max']:.1f} s over {f['repeats']} repeats "
          f"({'within' if out['within_bound'] else 'OVER'} the {BOUND_S:.0f} s bound)")
    lk = per_likelihood
    print(f"one likelihood (30 rows): derived {1e3 * lk['derived']:.3f} ms, evaluator "
          f"{1e3 * lk['evaluator']:.1f} ms (ratio {lk['ratio_evaluator_over_derived']:.0f})")
    if sbc is not None:
        print(sbc.to_text())


if __name__ == "__main__":
    main()
