"""Benchmark: exact ligand descent, compiled vs plain numpy vs the paper's binned procedure.

Run on demand:  python benchmarks/ligand_descent.py [--json] [--sizes 1e4,1e5,1e6] [--repeats 5]

For every size it times, in the same run and on the same ligands (the paper's set-up):
  compiled  the package's descent loop over its fused numba pass (antagonism.numerics.cells),
            exact per-ligand gradient; specialised (exponents baked in, the default) and
            generic (one module for every (N, m): integer exponents by repeated squaring,
            others through exp and log, hence both (5, 3) and (4.5, 2.5))
  numpy     a plain vectorised numpy implementation of the same exact descent (below)
  binned    a faithful re-implementation of the paper's binned procedure (below)
  floor     a streaming floor that only reads tau and L and writes tau (copyto + dot)
and prints ns per ligand per iteration (min, median and max over ``--repeats`` repeats), the
compiled kernel's speedup over numpy and its ratio to the floor.  The compiled pass and the
floor are timed back to back in every repeat, and the ratio is the median of the per-repeat
ratios, so a load that changes during the run affects both alike; the machine's load
average (os.getloadavg) before and after each size is part of the report.  Cold start
(derive + generate + compile) and warm start (disk cache) are measured in fresh subprocesses.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from antagonism.derivations import AdaptiveProofreading
from antagonism.numerics.cells import AdaptiveKernels, descent_stepper, paper_ligands
from antagonism.numerics.experiments.descent import run_descent

TAU_C = 3.0


def numpy_exact_step(tau, L, N, m, eps, sum_L):
    """Reference: one exact descent step in plain numpy (Rademaker, Bengio & Francois 2019,
    the gradient of T_{N,m} = S_N / (tau_c^(N-m) S_m) for each ligand)."""
    S_N = L @ tau**N
    S_m = L @ tau**m
    T = S_N / (TAU_C ** (N - m) * S_m)
    g = sum_L * tau ** (m - 1) * (N * tau ** (N - m) - m * T * TAU_C ** (N - m)) / (
        TAU_C ** (N - m) * S_m)
    move = tau < TAU_C
    np.clip(np.where(move, tau - eps * g, tau), 1e-9 * TAU_C, None, out=tau)
    return T


def binned_step(tau, N, m, eps, edges, centres):
    """Reference: the paper's binned step -- histogram, bin-centre gradient with L = count,
    every sub-threshold ligand moves by its bin's gradient, then re-sort."""
    counts, _ = np.histogram(tau, edges)
    S_N = counts @ centres**N
    S_m = counts @ centres**m
    T = S_N / (TAU_C ** (N - m) * S_m)
    g = counts * centres ** (m - 1) * (N * centres ** (N - m) - m * T * TAU_C ** (N - m)) / (
        TAU_C ** (N - m) * S_m)
    idx = np.clip(np.searchsorted(edges, tau, side="right") - 1, 0, centres.size - 1)
    tau -= np.where((tau < TAU_C) & (tau < edges[-1]), eps * g[idx], 0.0)
    tau.sort()
    return T


def floor_step(tau, L, out):
    np.copyto(out, tau)
    return float(tau @ L)


def settle():
    """Let the BLAS worker threads of the numpy measurements go idle: OpenBLAS keeps them
    spinning for about 0.1 s after a call, and on 2 cores they would slow the parallel
    kernels timed next."""
    time.sleep(0.3)


def spread(values):
    """min, median and max of a list of numbers."""
    return {"min": float(np.min(values)), "median": float(np.median(values)),
            "max": float(np.max(values))}


def timed(fn, iters, repeats):
    """Seconds per call of ``fn``, one value per repeat of ``iters`` calls."""
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        out.append((time.perf_counter() - start) / iters)
    return out


def load_average():
    """The machine's 1, 5 and 15 minute load averages (None where unavailable)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def bench_size(n, N, m, iters, specialise, repeats):
    lig = paper_ligands(n, 0.3, TAU_C, seed=0)
    L = lig.L
    k = AdaptiveKernels(AdaptiveProofreading(N, m, TAU_C), specialise=specialise).warm_up()
    eps, sum_L = 0.2, float(L.sum())
    load_before = load_average()
    out = np.empty_like(lig.tau)
    t_compiled, t_floor = [], []
    for _ in range(repeats):  # the package's descent loop over the fused pass, fresh ligands
        work = lig.tau.copy()
        settle()
        start = time.perf_counter()
        stepper = descent_stepper(k, work, L, eps, 1e-9 * TAU_C, TAU_C * (1 - 1e-12))
        done, status, _, _ = run_descent(stepper, 1.0, iters, 0.0)
        elapsed = time.perf_counter() - start
        if done != iters:
            raise RuntimeError(f"descent stopped after {done} of {iters} iterations "
                               f"(status {status}); pick a set-up that does not cross")
        t_compiled.append(elapsed / iters)
        t_floor += timed(lambda: floor_step(lig.tau, L, out), iters, 1)
    tau_np = lig.tau.copy()
    t_numpy = timed(lambda: numpy_exact_step(tau_np, L, float(N), float(m), eps, sum_L),
                    max(3, iters // 10), repeats)
    edges = np.append(np.arange(0.0, 3.5, 0.2), 3.5)
    centres = 0.5 * (edges[1:] + edges[:-1])
    tau_b = lig.tau.copy()
    t_binned = timed(lambda: binned_step(tau_b, float(N), float(m), eps, edges, centres),
                     max(3, iters // 10), repeats)
    ns = {name: spread(1e9 * np.asarray(t) / n)
          for name, t in (("compiled", t_compiled), ("numpy", t_numpy), ("binned", t_binned),
                          ("floor", t_floor))}
    med = {name: v["median"] for name, v in ns.items()}
    return {"ns_per_ligand_iter": ns, "repeats": repeats, "iterations": iters,
            "speedup_vs_numpy": med["numpy"] / med["compiled"],
            "speedup_vs_binned": med["binned"] / med["compiled"],
            "ratio_to_floor": spread(np.asarray(t_compiled) / np.asarray(t_floor)),
            "load_average": {"before": load_before, "after": load_average()}}


START = ("import time; t = time.perf_counter();"
         "from antagonism.derivations import AdaptiveProofreading;"
         "from antagonism.numerics.cells import AdaptiveKernels;"
         "AdaptiveKernels(AdaptiveProofreading({N}, {m}, 3.0), specialise={specialise})"
         ".warm_up(); print(time.perf_counter() - t)")


def start_times(N, m, specialise):
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, ANTAGONISM_CACHE_DIR=cache)
        code = START.format(N=N, m=m, specialise=specialise)
        run = lambda: float(subprocess.run([sys.executable, "-c", code],
                                           env=env, check=True, capture_output=True,
                                           text=True).stdout)
        return {"cold_start_s": run(), "warm_start_s": run()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e4,1e5,1e6")
    p.add_argument("--iters", type=int, default=200, help="iterations timed per size")
    p.add_argument("--repeats", type=int, default=5, help="timed repeats per measurement")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.repeats < 1 or args.iters < 1:
        p.error("--repeats and --iters must be positive")
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    report = {}
    for label, (N, m, specialise) in (
            ("specialised kernel, (N, m) = (5, 3)", (5, 3, True)),
            ("specialised kernel, (N, m) = (4.5, 2.5)", (4.5, 2.5, True)),
            ("generic kernel, (N, m) = (5, 3)", (5, 3, False)),
            ("generic kernel, (N, m) = (4.5, 2.5)", (4.5, 2.5, False))):
        rows = {}
        for n in sizes:
            print(f"[bench] {label}: {n} ligands", file=sys.stderr, flush=True)
            rows[str(n)] = bench_size(n, N, m, args.iters, specialise, args.repeats)
        report[label] = {"sizes": rows, **start_times(N, m, specialise)}
    report = {"cpu_count": os.cpu_count(), "kernels": report}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{report['cpu_count']} CPUs; ns per ligand per iteration, median [min, max] over "
          f"{args.repeats} repeats; load = 1-minute load average before/after")
    for label, block in report["kernels"].items():
        print(f"\n{label}   cold start {block['cold_start_s']:.2f} s, "
              f"warm start {block['warm_start_s']:.2f} s")
        print(f"{'ligands':>9} {'compiled':>20} {'numpy':>8} {'binned':>8} {'floor':>20}   "
              f"{'vs numpy':>8} {'/ floor':>20}  load")
        for n, r in block["sizes"].items():
            ns, rf, load = r["ns_per_ligand_iter"], r["ratio_to_floor"], r["load_average"]
            rng = lambda v: f"{v['median']:6.2f} [{v['min']:.2f}, {v['max']:.2f}]"  # noqa: E731
            loads = "/".join("?" if x is None else f"{x[0]:.1f}"
                             for x in (load["before"], load["after"]))
            print(f"{n:>9} {rng(ns['compiled']):>20} {ns['numpy']['median']:8.2f} "
                  f"{ns['binned']['median']:8.2f} {rng(ns['floor']):>20}   "
                  f"{r['speedup_vs_numpy']:7.1f}x {rng(rf):>19}x  {loads}")

if __name__ == "__main__":
    main()
