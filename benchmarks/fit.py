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
   each draw's compiled evaluator (``--forward evaluator``), their ratio; and the cost of
   one likelihood of KPR (derived), SHP-1 and adaptive sorting (numeric steady states).
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
    times, cpu = [], []
    for k in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fit = fit_antagonism(data, "adaptive", seed=seed + k)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return _stats(times), _stats(cpu), fit


def _per_likelihood(forward, theta, seed):
    data = simulate(ForwardModel("adaptive"), [5.0, 3.0], np.random.default_rng(seed))
    prior = build_priors(forward.name, forward.free, forward.values, domain=forward.in_domain)
    post = LogPosterior(forward, prior, data)
    post(theta[:1])  # warm: compile, derive
    start = time.perf_counter()
    for row in theta[1:]:  # one at a time, as a sampler without vectorisation would
        post(row[None, :])
    return (time.perf_counter() - start) / (len(theta) - 1)


def time_likelihood(n_theta, seed=0):
    """Seconds per likelihood (the 30 rows of the calibration's design) of T_{N,m} through
    the derived fold change and through each draw's evaluator (the compiled kernels, one
    module per (N, m)), on the same prior draws, and of the models with numeric steady
    states at their default free parameters (prior draws)."""
    out = {}
    rng = np.random.default_rng(seed)
    adaptive = build_priors("adaptive", ("N", "m"), {}, domain=lambda t: t[:, 1] < t[:, 0])
    theta = np.round(adaptive.sample(rng, n_theta + 1), 3)  # N, m to three decimals
    out["adaptive_derived"] = _per_likelihood(ForwardModel("adaptive"),
                                              adaptive.sample(rng, 201), seed)
    out["adaptive_evaluator"] = _per_likelihood(ForwardModel("adaptive", route="evaluator"),
                                                theta, seed)
    out["ratio_evaluator_over_derived"] = out["adaptive_evaluator"] / out["adaptive_derived"]
    for name in ("kpr", "shp1", "adaptive-sorting"):
        forward = ForwardModel(name)
        prior = build_priors(name, forward.free, forward.values, domain=forward.in_domain)
        out[f"{name}_{forward.route}"] = _per_likelihood(forward, prior.sample(rng, 6), seed)
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
    fit_time, fit_cpu, fit = time_fit(args.repeats, args.seed)
    per_likelihood = time_likelihood(args.likelihoods, args.seed)

    sbc = simulation_based_calibration(
        "adaptive", replicates=args.replicates, seed=args.seed, walkers=32, steps=4000,
        executor="processes" if args.workers > 1 else "local", workers=args.workers,
        cache="fit-calibration", progress=not args.json) if args.replicates > 0 else None
    out = {"cores": cores, "fit_seconds": fit_time, "fit_cpu_seconds": fit_cpu,
           "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
           "bound_seconds": BOUND_S,
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
          f"({'within' if out['within_bound'] else 'OVER'} the {BOUND_S:.0f} s bound); CPU "
          f"time min {fit_cpu['min']:.1f} s, median {fit_cpu['median']:.1f} s; load average "
          f"{out['load_average']}")
    print("seconds per likelihood (30 rows): " + ", ".join(
        f"{k} {v:.3g}" for k, v in per_likelihood.items()))
    if sbc is not None:
        print(sbc.to_text())


if __name__ == "__main__":
    main()
