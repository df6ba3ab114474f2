"""Benchmark: the numeric engine on reaction networks of 10 to 300 species.

Run on demand:  nice python benchmarks/networks.py [--json] [--repeats 3] [--steps 1,7,31,97]
                [--corpus | --no-corpus]

The networks are the synthetic TCR proofreading family of ``synthetic_family.py`` (next to
this file): N proofreading steps, ligand rebinding to modified free receptors, two shared
kinases and a consumed adaptor; 3 N + 8 species and 7 N + 7 reactions (N = 1, 7, 31, 97:
11, 29, 101, 299 species).  Each repeat is a fresh interpreter (nothing memoised, no
cache), timed after the package's import:

  read        Antimony text -> ReactionNetwork (antimony, libsbml, the package's checks)
  model       NetworkModel (conservation laws, rate-law checks)
  compile     the numeric engine: rate laws, derivatives, lambdify (NetworkEvaluator)
  setup       read + model + compile + the first steady state (tau = 10 s, L = 1000)
  classify    classify(model) right after the set-up: threshold, antagonism strength,
              dilute-probe gradient (cold: setup + classify)
  warm        classify(model) again in the same process (compiled system and solutions
              reused, as in a sweep or a notebook)
  point       one steady state of a scan, 20 binding times x 2 doses, median per point

The corpus (``--corpus``, on by default): the published models of ``tests/data/corpus``
(IL-7R with its IL-15 branch, PD-1/TCR, the bistable Lipniacki 2008 TCR model, the
53-species proximal TCR/ITAM network of Mukhopadhyay et al. 2013, the revised AKPR model
of Kondo et al. 2025 with its inhibitor) and the Ganti 2020 network, one fresh
interpreter each: set-up (read, model, compile), the steady state on a 3 x 3 grid around
the file's reference agonist (binding time x 1/2, 1, 2; dose x 1/10, 1, 10), each point
checked against libroadrunner's CVODE from rest where libroadrunner is installed
(``cvode_agree``: relative difference at most 1e-8; a CVODE run that stops counts as
disagreeing),
the median time per solved point, and ``classify`` with its verdict or its error.

The model-file limits (100 species, 400 reactions: :mod:`antagonism.io.file_limits`)
are lifted in the synthetic members' interpreters: those networks are generated here.

Wall-clock seconds (the machine's load average is reported; on a shared machine CPU
seconds, ``cpu_*``, are the steadier measure).  Prints min, median and max over the
repeats, and the exponent p of set-up time ~ species^p between neighbouring sizes.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

RUN = """
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[2])
from synthetic_family import synthetic_network
import antagonism.io.file_limits as limits
# the networks are generated here, not untrusted files: the model-file limits (100
# species, 400 reactions) would stop the 101- and 299-species members
limits.MAX_SPECIES = limits.MAX_REACTIONS = 10_000
from antagonism.io.reaction_files import network_from_antimony
from antagonism.derivations.network_model import NetworkModel
from antagonism.theory.networks.engine import NetworkEvaluator
from antagonism.theory import classify
from antagonism.theory.evaluation import model_evaluator
text = synthetic_network(int(sys.argv[1]))
out = {}
def mark(name, start):
    out[name] = time.perf_counter() - start[0]
    out["cpu_" + name] = time.process_time() - start[1]
    return (time.perf_counter(), time.process_time())
t = t0 = (time.perf_counter(), time.process_time())
net = network_from_antimony(text); t = mark("read", t)
model = NetworkModel(net); t = mark("model", t)
ev = model_evaluator(model); assert isinstance(ev, NetworkEvaluator); t = mark("compile", t)
ev.steady_state([10.0], [1000.0]); mark("setup", t0)
t = (time.perf_counter(), time.process_time())
r = classify(model); mark("classify", t)
out["cold"] = out["setup"] + out["classify"]
out["cpu_cold"] = out["cpu_setup"] + out["cpu_classify"]
t = (time.perf_counter(), time.process_time())
classify(model); mark("warm", t)
times, cpu = [], []
for L in (100.0, 1000.0):
    for tau in np.geomspace(0.1, 10, 20):
        a, b = time.perf_counter(), time.process_time()
        ev.steady_state([tau], [L])
        times.append(time.perf_counter() - a); cpu.append(time.process_time() - b)
out["point"], out["cpu_point"] = float(np.median(times)), float(np.median(cpu))
out["species"], out["reactions"] = len(net.species), len(net.reactions)
out["verdict"] = r.verdict
print(json.dumps(out))
"""

KEYS = ("read", "model", "compile", "setup", "classify", "cold", "warm", "point")

CORPUS_RUN = """
import json, sys, time
import numpy as np
from antagonism.io.reaction_files import antimony_to_sbml, load_model_file
from antagonism.derivations.reactions import read_expression
from antagonism.theory.networks.engine import NetworkEvaluator
from antagonism.theory import classify
path = sys.argv[1]
reduced = sys.argv[2] == "reduced"
out = {"file": path.rsplit("/", 1)[-1]}
t0 = time.perf_counter(), time.process_time()
model = load_model_file(path)
net = model.network
ev = NetworkEvaluator(model)
out["setup"] = time.perf_counter() - t0[0]
out["cpu_setup"] = time.process_time() - t0[1]
out["species"], out["reactions"] = len(net.species), len(net.reactions)
tau0, L0 = model.reference_agonist
try:
    import roadrunner
    sbml = antimony_to_sbml(open(path).read())
except ImportError:
    roadrunner = None
expr = read_expression(net.output, "output")
times, agree, solved, points = [], 0, 0, 0
for tau in (tau0 / 2, tau0, 2 * tau0):
    for L in (L0 / 10, L0, 10 * L0):
        points += 1
        a = time.perf_counter()
        try:
            got = NetworkEvaluator(model).steady_state([tau], [L]).output
        except Exception:
            continue
        times.append(time.perf_counter() - a)
        solved += 1
        if roadrunner is None:
            continue
        rr = roadrunner.RoadRunner(sbml)
        rr.conservedMoietyAnalysis = reduced
        rr.resetAll()
        rr["init([%s])" % net.ligand] = L
        if net.off_rate is not None:
            rr[net.off_rate] = 1.0 / tau
        else:
            rr[net.binding_time] = tau
        rr.integrator.relative_tolerance = 1e-12
        rr.integrator.absolute_tolerance = 1e-10 if reduced else 1e-12
        rr.integrator.maximum_num_steps = 2000000 if reduced else 200000
        try:
            rr.simulate(0, 1e8, 2)
        except RuntimeError:
            continue
        ref = float(expr.subs({x: rr["[%s]" % x] for x in expr.free_symbols}))
        agree += abs(got - ref) <= 1e-8 * max(abs(got), abs(ref))
warm = []
for tau in np.geomspace(tau0 / 2, 2 * tau0, 10):
    a = time.perf_counter()
    try:
        ev.steady_state([tau], [L0])
    except Exception:
        continue
    warm.append(time.perf_counter() - a)
out["points"], out["solved"] = points, solved
out["cvode_agree"] = agree if roadrunner is not None else None
out["point"] = float(np.median(warm)) if warm else None
t = time.perf_counter(), time.process_time()
try:
    out["verdict"] = classify(model).verdict
except Exception as e:
    out["verdict"] = type(e).__name__ + ": " + str(e)[:160]
out["classify"] = time.perf_counter() - t[0]
out["cpu_classify"] = time.process_time() - t[1]
print(json.dumps(out))
"""

CORPUS = [HERE.parent / "tests" / "data" / "corpus" / f for f in
          ("park2019_il7r.ant", "arulraj2018_pd1_tcr.ant", "lipniacki2008_tcr.ant",
           "mukhopadhyay2013_tcr_itam.ant", "kondo2025_akpr_inhibitor.ant")] + [
    HERE.parent / "tests" / "data" / "ganti2020_tcr_latpp_8step.ant"]
#: CVODE on libroadrunner's reduced system (its conserved-moiety analysis; atol 1e-10):
#: on the full system the conserved totals drift by more than the 1e-8 compared
#: (tests/test_network_corpus.py, REDUCED)
REDUCED = {"mukhopadhyay2013_tcr_itam.ant"}


def run_corpus(timeout):
    """One fresh interpreter per corpus model (see the module docstring)."""
    rows = []
    for path in CORPUS:
        env = {**os.environ,
               "ANTAGONISM_CACHE_DIR": tempfile.mkdtemp(prefix="bench-corpus-")}
        mode = "reduced" if path.name in REDUCED else "full"
        p = subprocess.run([sys.executable, "-c", CORPUS_RUN, str(path), mode], env=env,
                           capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            rows.append({"file": path.name, "error": p.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
    return rows


def load_average():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def run_once(n_steps, timeout):
    env = {**os.environ, "ANTAGONISM_CACHE_DIR": tempfile.mkdtemp(prefix="bench-networks-")}
    p = subprocess.run([sys.executable, "-c", RUN, str(n_steps), str(HERE)], env=env,
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"N = {n_steps}: {p.stderr.strip().splitlines()[-1:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def summary(values):
    return {"min": min(values), "median": float(np.median(values)), "max": max(values)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", default="1,7,31,97",
                    help="proofreading steps N of the members (species = 3 N + 8)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--corpus", action=argparse.BooleanOptionalAction, default=True,
                    help="also time the published models of tests/data/corpus")
    args = ap.parse_args(argv)
    rows = []
    failed = []
    for n in (int(s) for s in args.steps.split(",")):
        before = load_average()
        try:
            runs = [run_once(n, args.timeout) for _ in range(args.repeats)]
        except RuntimeError as err:  # reported, and the other members still run
            failed.append({"n_steps": n, "species": 3 * n + 8, "error": str(err)})
            continue
        row = {"n_steps": n, "species": runs[0]["species"], "reactions": runs[0]["reactions"],
               "verdict": runs[0]["verdict"], "load_before": before, "load_after": load_average()}
        for key in KEYS:
            row[key] = summary([r[key] for r in runs])
            row["cpu_" + key] = summary([r["cpu_" + key] for r in runs])
        rows.append(row)
    for a, b in zip(rows, rows[1:]):
        b["setup_exponent"] = float(np.log(b["setup"]["median"] / a["setup"]["median"])
                                    / np.log(b["species"] / a["species"]))
    result = {"repeats": args.repeats, "python": sys.version.split()[0],
              "cpus": os.cpu_count(), "rows": rows, "failed": failed}
    if args.corpus:
        result["corpus"] = run_corpus(args.timeout)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{'species':>7} {'setup':>8} {'classify':>9} {'cold':>8} {'warm':>8} "
          f"{'point (ms)':>10}  medians in s (cpu s)  exponent")
    for r in rows:
        med = {k: r[k]["median"] for k in KEYS}
        cpu = {k: r["cpu_" + k]["median"] for k in KEYS}
        print(f"{r['species']:>7} {med['setup']:>8.2f} {med['classify']:>9.2f} "
              f"{med['cold']:>8.2f} {med['warm']:>8.2f} {1e3 * med['point']:>10.2f}  "
              f"({cpu['setup']:.2f}, {cpu['classify']:.2f}, {cpu['cold']:.2f}, "
              f"{cpu['warm']:.2f}, {1e3 * cpu['point']:.2f} ms)  "
              f"{r.get('setup_exponent', float('nan')):.2f}")
    for r in failed:
        print(f"{r['species']:>7} failed: {r['error']}")
    for r in result.get("corpus", []):
        if "error" in r:
            print(f"{r['file']}: {r['error']}")
            continue
        point = "-" if r["point"] is None else f"{1e3 * r['point']:.2f} ms"
        print(f"{r['file']}: {r['species']} species, set-up {r['setup']:.2f} s, "
              f"solved {r['solved']}/{r['points']} (CVODE agrees: {r['cvode_agree']}), "
              f"point {point}, classify {r['classify']:.2f} s: {r['verdict']}")


if __name__ == "__main__":
    main()
