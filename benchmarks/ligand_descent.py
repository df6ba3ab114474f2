"""Benchmark: exact ligand descent, compiled vs plain numpy vs the paper's binned procedure.

Run on demand:  python benchmarks/ligand_descent.py [--json] [--sizes 1e4,1e5,1e6]

For every size it times, in the same run and on the same ligands (the paper's set-up):
  compiled  the package's descent loop over its fused numba pass (antagonism.numerics.cells),
            exact per-ligand gradient; specialised (exponents baked in, the default) and
            generic (one module for every (N, m))
  numpy     a plain vectorised numpy implementation of the same exact descent (below)
  binned    a faithful re-implementation of the paper's binned procedure (below)
  floor     a streaming floor that only reads tau and L and writes tau (copyto + dot)
and prints ns per ligand per iteration, the compiled kernel's speedup over numpy and its ratio
to the floor.  Cold start (derive + generate + compile) and warm start (disk cache) are
measured in fresh subprocesses.
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
from antagonism.numerics.cells import AdaptiveKernels, paper_ligands
from antagonism.numerics.experiments.descent import run_descent

TAU_C = 3.0


def numpy_exact_step(tau, L, N, m, eps, sum_L):
    """Reference: one exact descent step in plain numpy (the paper's set-up)."""
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


def timed(fn, iters, repeats=3):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / iters


def bench_size(n, N, m, iters, specialise):
    lig = paper_ligands(n, 0.3, TAU_C, seed=0)
    L = lig.L
    k = AdaptiveKernels(AdaptiveProofreading(N, m, TAU_C), specialise=specialise).warm_up()
    eps, sum_L = 0.2, float(L.sum())
    t_compiled = np.inf
    for _ in range(3):  # the package's descent loop over the fused pass, fresh ligands
        work = lig.tau.copy()
        settle()
        start = time.perf_counter()
        stepper = k.descent_stepper(work, L, eps, 1e-9 * TAU_C, TAU_C * (1 - 1e-12))
        done, status, _, _ = run_descent(stepper, 1.0, iters, 0.0)
        elapsed = time.perf_counter() - start
        if done != iters:
            raise RuntimeError(f"descent stopped after {done} of {iters} iterations "
                               f"(status {status}); pick a set-up that does not cross")
        t_compiled = min(t_compiled, elapsed / iters)
    tau_np = lig.tau.copy()
    t_numpy = timed(lambda: numpy_exact_step(tau_np, L, float(N), float(m), eps, sum_L),
                    max(3, iters // 10))
    edges = np.append(np.arange(0.0, 3.5, 0.2), 3.5)
    centres = 0.5 * (edges[1:] + edges[:-1])
    tau_b = lig.tau.copy()
    t_binned = timed(lambda: binned_step(tau_b, float(N), float(m), eps, edges, centres),
                     max(3, iters // 10))
    out = np.empty_like(lig.tau)
    t_floor = timed(lambda: floor_step(lig.tau, L, out), iters)
    ns = {name: 1e9 * t / n for name, t in (("compiled", t_compiled), ("numpy", t_numpy),
                                            ("binned", t_binned), ("floor", t_floor))}
    return {"ns_per_ligand_iter": ns, "speedup_vs_numpy": ns["numpy"] / ns["compiled"],
            "speedup_vs_binned": ns["binned"] / ns["compiled"],
            "ratio_to_floor": ns["compiled"] / ns["floor"]}


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
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    report = {}
    for label, (N, m, specialise) in (
            ("specialised kernel, (N, m) = (5, 3)", (5, 3, True)),
            ("specialised kernel, (N, m) = (4.5, 2.5)", (4.5, 2.5, True)),
            ("generic kernel, (N, m) = (5, 3)", (5, 3, False))):
        rows = {}
        for n in sizes:
            print(f"[bench] {label}: {n} ligands", file=sys.stderr, flush=True)
            rows[str(n)] = bench_size(n, N, m, args.iters, specialise)
        report[label] = {"sizes": rows, **start_times(N, m, specialise)}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for label, block in report.items():
        print(f"\n{label}   cold start {block['cold_start_s']:.2f} s, "
              f"warm start {block['warm_start_s']:.2f} s")
        print(f"{'ligands':>9} {'compiled':>9} {'numpy':>9} {'binned':>9} {'floor':>9}   "
              f"{'vs numpy':>8} {'vs binned':>9} {'/ floor':>8}   (ns per ligand per iteration)")
        for n, r in block["sizes"].items():
            ns = r["ns_per_ligand_iter"]
            print(f"{n:>9} {ns['compiled']:9.2f} {ns['numpy']:9.2f} {ns['binned']:9.2f} "
                  f"{ns['floor']:9.2f}   {r['speedup_vs_numpy']:7.1f}x "
                  f"{r['speedup_vs_binned']:8.1f}x {r['ratio_to_floor']:7.2f}x")


if __name__ == "__main__":
    main()
