"""Benchmark: the sweep layer's throughput, tasks per second, on each executor.

Run on demand:  python benchmarks/sweep.py [--json] [--repeats 3] [--N 2:5 --m 0:4 --tau-c 1,3]

The task is the ``sweep`` command's: the regime of T_{N,m} at one grid point (the issue's
grid by default: 28 valid points of N = 2..5, m = 0..4, tau_c = 1, 3).  Derivations are
memoised inside a process, so every repeat starts from fresh processes and an empty task
cache, and times only the sweep (not the interpreter's start nor the package's import):

  local      one process, one task after the other (a fresh subprocess per repeat)
  processes  a pool of --workers spawned processes, started by the sweep itself
  dask       a dask.distributed LocalCluster of --workers single-threaded processes, started
             before the timing (its start time is reported apart)

Prints tasks per second (min, median and max over the repeats), the speedup of the
medians over local, and the machine's load average before and after each executor.
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

LOCAL = """
import json, sys, time
from antagonism.numerics.experiments.sweep import parameter_sweep
grid = json.loads(sys.argv[1])
start = time.perf_counter()
parameter_sweep("adaptive", grid, executor=sys.argv[2], workers=int(sys.argv[3]), cache=None)
print(time.perf_counter() - start)
"""


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def spread(values):
    return {"min": float(np.min(values)), "median": float(np.median(values)),
            "max": float(np.max(values))}


def time_in_subprocess(grid, executor, workers, env):
    out = subprocess.run([sys.executable, "-c", LOCAL, json.dumps(grid), executor, str(workers)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def time_dask(grid, workers):
    import logging

    from distributed import Client, LocalCluster

    from antagonism.numerics.experiments.sweep import parameter_sweep

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(workers)
        started = time.perf_counter() - start
        t = time.perf_counter()
        parameter_sweep("adaptive", grid, client=client, executor="dask", cache=None)
        return time.perf_counter() - t, started


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", default="2:5")
    p.add_argument("--m", default="0:4")
    p.add_argument("--tau-c", dest="tau_c", default="1,3")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--executors", default="local,processes,dask")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    from antagonism.cli.options import value_grid
    from antagonism.numerics.experiments.sweep import parameter_grid

    grid = value_grid({k: getattr(args, k) for k in ("N", "m", "tau_c")})
    n_tasks = len(parameter_grid("adaptive", grid)[0])
    report = {"tasks": n_tasks, "grid": grid, "workers": args.workers,
              "cpu_count": os.cpu_count(), "repeats": args.repeats, "executors": {}}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, ANTAGONISM_CACHE_DIR=cache)
        os.environ["ANTAGONISM_CACHE_DIR"] = cache
        for executor in args.executors.split(","):
            print(f"[bench] {executor}: {n_tasks} tasks x {args.repeats}", file=sys.stderr,
                  flush=True)
            before, seconds, starts = load_average(), [], []
            for _ in range(args.repeats):
                if executor == "dask":
                    s, started = time_dask(grid, args.workers)
                    starts.append(started)
                else:
                    s = time_in_subprocess(grid, executor, args.workers, env)
                seconds.append(s)
            report["executors"][executor] = {
                "tasks_per_second": spread(n_tasks / np.asarray(seconds)),
                "seconds": spread(seconds),
                **({"cluster_start_seconds": spread(starts)} if starts else {}),
                "load_average": {"before": before, "after": load_average()}}
    base = report["executors"].get("local", {}).get("tasks_per_second", {}).get("median")
    for row in report["executors"].values():
        row["speedup_vs_local"] = (row["tasks_per_second"]["median"] / base) if base else None
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{n_tasks} tasks (regime of T_{{N,m}}), {args.workers} workers, "
          f"{report['cpu_count']} CPUs; tasks per second, median [min, max] over "
          f"{args.repeats} repeats")
    for name, row in report["executors"].items():
        t, load = row["tasks_per_second"], row["load_average"]
        extra = (f"  (cluster start {row['cluster_start_seconds']['median']:.1f} s)"
                 if "cluster_start_seconds" in row else "")
        print(f"{name:>10}  {t['median']:6.2f} [{t['min']:.2f}, {t['max']:.2f}]  "
              f"x{row['speedup_vs_local'] or float('nan'):.2f} vs local  load "
              f"{load['before'][0]:.1f}/{load['after'][0]:.1f}{extra}")


if __name__ == "__main__":
    main()
