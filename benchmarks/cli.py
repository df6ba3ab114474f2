"""Benchmark: the command line's CPU time, warm and cold, as a ratio to the floor.

Run on demand:  python benchmarks/cli.py [--json] [--repeats 5]

Each command runs in a fresh interpreter (``python -m antagonism ...``); its CPU time is the
user + system time of that child process and of the processes it waited for (the change of
``resource.getrusage(RUSAGE_CHILDREN)`` around it: one child at a time), so a loaded machine
stretches the wall time but barely the CPU time.  The floor is the CPU time of
``python -c "import numpy, json"``, the least any command costs.

- cold: once per command, with an empty cache folder (and a fresh cache key), as on a first
  run: models are derived, files read, kernels compiled;
- warm: ``--repeats`` more runs on the cache the cold run filled (a classify, steady or
  regimes asked before is read from the stored answers); the floor is measured as often,
  interleaved with them, so that both see the same machine.

Reported per command: warm CPU time (min, median, max), its ratio to the floor's median
(median, and min and max over the warm runs), the cold time and its ratio.  Targets: warm
``classify`` and ``steady`` at most 4x the floor, ``antagonism --help`` at most 2x; the
exit status is 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: the Ganti et al. (PNAS 117, 26020, 2020) TCR network with 8 proofreading steps
TCR_NETWORK = ROOT / "tests" / "data" / "ganti2020_tcr_latpp_8step.ant"
FLOOR = ["-c", "import numpy, json"]
#: name -> (command line, target ratio of the warm median to the floor's median or None)
COMMANDS = {
    "help": (["--help"], 2),
    "classify-T53": (["classify", "--model", "adaptive", "--N", "5", "--m", "3", "--json"],
                         4),
    "classify-shp1": (["classify", "--model", "shp1", "--json"], 4),
    "classify-file": (["classify", "--model-file", "mckeithan_kpr", "--json"], 4),
    "steady-tcr": (["steady", "--model-file", str(TCR_NETWORK), "--tau", "5", "--L",
                            "100", "--json"], 4),
    "derive": (["derive", "--model", "adaptive", "--N", "5", "--m", "3", "--quantity",
                "tau-star", "--json"], None),
    "regimes": (["regimes", "--json"], None),
}


def cpu_seconds(argv, env):
    """CPU time (user + system, s) of ``python argv`` and its waited-for children; its
    stdout.  Raises when the command fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env,
                         cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({run.returncode}): "
                           f"{run.stderr.strip()[-500:]}")
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used, run.stdout


def spread(values):
    return {"min": float(np.min(values)), "median": float(np.median(values)),
            "max": float(np.max(values))}


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def fresh_env(folder):
    """The environment of a run with its own cache (and cache key) under ``folder``."""
    return {**os.environ, "ANTAGONISM_CACHE_DIR": str(folder / "cache"),
            "ANTAGONISM_SECRET_FILE": str(folder / "secret" / "cache.key")}


def measure(names, repeats, progress):
    floor, rows = [], {}
    with tempfile.TemporaryDirectory(prefix="antagonism-cli-bench-") as tmp:
        for name in names:
            argv, target = COMMANDS[name]
            env = fresh_env(Path(tmp) / name)
            if progress:
                print(f"[cli] {name}: cold", file=sys.stderr, flush=True)
            cold, out = cpu_seconds(["-m", "antagonism", *argv], env)
            warm = []
            for _ in range(repeats):
                floor.append(cpu_seconds(FLOOR, env)[0])
                warm.append(cpu_seconds(["-m", "antagonism", *argv], env)[0])
            rows[name] = {"argv": ["antagonism", *argv], "cold_s": cold, "warm_s": spread(warm),
                          "warm": warm, "target": target}
            if name.startswith("steady"):
                rows[name]["species"] = len(json.loads(out)["species"])
    base = float(np.median(floor))
    for row in rows.values():
        w = row["warm_s"]
        row["warm_ratio"] = w["median"] / base
        row["warm_ratio_range"] = [w["min"] / base, w["max"] / base]
        row["cold_ratio"] = row["cold_s"] / base
        row["meets_target"] = None if row["target"] is None else row["warm_ratio"] <= row["target"]
    return {"floor_s": spread(floor), "floor": ["python", *FLOOR], "repeats": repeats,
            "commands": rows,
            "targets_met": all(r["meets_target"] is not False for r in rows.values())}


def table(report):
    f = report["floor_s"]
    lines = [f"floor `python -c \"import numpy, json\"`: {f['median']:.3f} s CPU (median of "
             f"{len(report['commands']) * report['repeats']}; {f['min']:.3f}-{f['max']:.3f})",
             "",
             "| command | warm CPU (s), median [min-max] | warm / floor | cold CPU (s) "
             "| cold / floor | target |",
             "|---|---|---|---|---|---|"]
    for r in report["commands"].values():
        w, lo, hi = r["warm_s"], *r["warm_ratio_range"]
        target = ("-" if r["target"] is None else
                  f"<= {r['target']}x: {'met' if r['meets_target'] else 'MISSED'}")
        lines.append(f"| `{' '.join(r['argv']).replace(str(ROOT) + '/', '')}` | "
                     f"{w['median']:.3f} [{w['min']:.3f}-{w['max']:.3f}] | "
                     f"{r['warm_ratio']:.2f}x [{lo:.2f}-{hi:.2f}] | {r['cold_s']:.2f} | "
                     f"{r['cold_ratio']:.1f}x | {target} |")
    lines += [f"\n{name}: the network has {r['species']} species"
              for name, r in report["commands"].items() if "species" in r]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="warm runs per command (and floors)")
    p.add_argument("--only", default=None,
                   help=f"comma-separated names among: {', '.join(COMMANDS)}")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    names = list(COMMANDS) if args.only is None else [n.strip() for n in args.only.split(",")]
    unknown = [n for n in names if n not in COMMANDS]
    if unknown or args.repeats < 1:
        p.error(f"unknown command {unknown[0]!r}" if unknown else "--repeats must be >= 1")
    before = load_average()
    report = measure(names, args.repeats, progress=not args.json)
    report["machine"] = {"cpus": os.cpu_count(), "load_average_before": before,
                         "load_average_after": load_average(), "python": sys.version.split()[0]}
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0 if report["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
