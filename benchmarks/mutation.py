"""Mutation testing of the mathematics: does the default test suite notice a wrong sign?

A small AST mutator changes one operator or constant at a time in the source of
``derivations/``, ``theory/``, ``numerics/regime/``, ``numerics/cells/`` and
``numerics/attacks/``, and runs the default tests that cover the changed module
(``TESTS``: module -> test files, so that each mutant costs seconds, not the whole suite).
The sample is seeded and stratified: the same number of mutants from each group.
A mutant is *killed* when those tests fail (or error, or run past the timeout), and
*survives* when they pass.  Survivors are either killed by a new test or listed, with the
reason they are equivalent (they cannot change any result), in
``benchmarks/mutation_equivalent.json``.

Mutations (one per mutant): ``+`` <-> ``-``, ``*`` <-> ``/``, ``**`` -> ``*``, ``+=`` <->
``-=``, unary ``-x`` -> ``x``, ``not x`` -> ``x``, ``<`` <-> ``>``, ``<=`` <-> ``>=``,
``==`` <-> ``!=``, ``and`` <-> ``or``, ``True`` <-> ``False``, a number c -> c + 1 or c - 1.
Docstrings and other strings are never changed.

The mutants run in a copy of the checkout (the tracked and untracked, not ignored files)
in a temporary folder, never in the checkout itself: the copy's ``derivations``, ``theory``
and ``numerics`` are put ahead of the editable install on the import path, and the editable
install's import hooks are removed from the test process, so ``tests/conftest.py``'s
checkout guard sees the copy's code only.  Bytecode is not written (a mutant of the same
size within the same second would otherwise reuse stale bytecode).

Usage (the sample is seeded; progress on stderr)::

    nice -n 10 python benchmarks/mutation.py --mutants 80 --seed 0 --timeout 300 \\
        --out benchmarks/mutation_results.json
    python benchmarks/mutation.py --list          # every mutation point, counted per module
    python benchmarks/mutation.py --table benchmarks/mutation_results.json   # markdown table
"""
from __future__ import annotations

import argparse
import ast
import copy
import fnmatch
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the folders mutated, and the group each file is reported under
GROUPS = {"derivations": "derivations/*.py", "theory": "theory/**/*.py",
          "numerics/regime": "numerics/regime/*.py", "numerics/cells": "numerics/cells/*.py",
          "numerics/attacks": "numerics/attacks/*.py"}
#: module (glob, first match wins) -> the default test files that exercise it
TESTS = [
    ("derivations/shp1.py", ["test_theorems.py", "test_shp1.py"]),
    ("derivations/adaptive_sorting.py", ["test_theorems.py", "test_steady_state.py"]),
    ("derivations/reactions.py", ["test_network_engine.py", "test_expressions.py"]),
    ("derivations/expressions.py", ["test_expressions.py"]),
    ("derivations/ligand_states.py", ["test_network_engine.py", "test_expressions.py"]),
    ("derivations/conservation.py", ["test_network_engine.py", "test_expressions.py"]),
    ("derivations/network_model.py", ["test_network_engine.py", "test_expressions.py"]),
    ("derivations/*.py", ["test_theorems.py", "test_derivations_adaptive.py",
                          "test_kinetic.py"]),
    ("theory/networks/*.py", ["test_theorems.py", "test_network_engine.py"]),
    ("theory/threshold*.py", ["test_threshold_levels.py"]),
    ("theory/strength.py", ["test_strength.py"]),
    ("theory/*evaluat*.py", ["test_theorems.py", "test_steady_state.py"]),
    ("theory/per_ligand_evaluator.py", ["test_theorems.py", "test_steady_state.py"]),
    ("theory/*.py", ["test_derivations_adaptive.py", "test_regimes.py"]),
    ("numerics/regime/*.py", ["test_regime_measures.py"]),
    ("numerics/cells/objective.py", ["test_theorems.py", "test_attacks_all.py"]),
    ("numerics/cells/ode.py", ["test_steady_state.py", "test_network_engine.py"]),
    ("numerics/cells/*.py", ["test_theorems.py", "test_descent.py"]),
    ("numerics/attacks/*.py", ["test_attacks_all.py", "test_networks.py"]),
]
SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
        ast.Pow: ast.Mult, ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE,
        ast.GtE: ast.LtE, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.And: ast.Or,
        ast.Or: ast.And}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
          ast.Lt: "<", ast.Gt: ">", ast.LtE: "<=", ast.GtE: ">=", ast.Eq: "==",
          ast.NotEq: "!=", ast.And: "and", ast.Or: "or"}


def target_files():
    """{relative path: group} of every mutated module (``__init__`` files included)."""
    out = {}
    for group, pattern in GROUPS.items():
        for path in sorted(ROOT.glob(pattern)):
            if "__pycache__" not in path.parts:
                out.setdefault(path.relative_to(ROOT).as_posix(), group)
    return out


def tests_for(relpath):
    for pattern, tests in TESTS:
        if fnmatch.fnmatch(relpath, pattern):
            return tests
    raise KeyError(f"no tests mapped for {relpath}")


def _docstring_nodes(tree):
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value,
                                                                     ast.Constant):
                ids.add(id(body[0].value))
    return ids


def mutation_points(tree):
    """[(node index in ast.walk order, kind, detail, line, description)] of a module."""
    points = []
    skip = _docstring_nodes(tree)
    for i, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", None)
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in SWAP:
            new = SWAP[type(node.op)]
            if isinstance(node, ast.AugAssign) and type(node.op) not in (ast.Add, ast.Sub):
                continue
            points.append((i, "op", None, line, f"{SYMBOL[type(node.op)]} -> {SYMBOL[new]}"))
        elif isinstance(node, ast.BoolOp):
            new = SWAP[type(node.op)]
            points.append((i, "op", None, line, f"{SYMBOL[type(node.op)]} -> {SYMBOL[new]}"))
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAP:
                    points.append((i, "compare", k, line,
                                   f"{SYMBOL[type(op)]} -> {SYMBOL[SWAP[type(op)]]}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            points.append((i, "unary", None, line,
                           "-x -> x" if isinstance(node.op, ast.USub) else "not x -> x"))
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            if isinstance(node.value, bool):
                points.append((i, "bool", None, line, f"{node.value} -> {not node.value}"))
            elif isinstance(node.value, (int, float)) and not isinstance(node.value, complex):
                for delta in (1, -1):
                    points.append((i, "number", delta, line,
                                   f"{node.value!r} -> {node.value!r} {delta:+d}"))
    return points


class _Apply(ast.NodeTransformer):
    def __init__(self, index, kind, detail):
        self.index, self.kind, self.detail = index, kind, detail

    def run(self, tree):
        nodes = list(ast.walk(tree))
        node = nodes[self.index]
        if self.kind == "op":
            node.op = SWAP[type(node.op)]()
        elif self.kind == "compare":
            node.ops[self.detail] = SWAP[type(node.ops[self.detail])]()
        elif self.kind == "bool":
            node.value = not node.value
        elif self.kind == "number":
            node.value = node.value + self.detail
        elif self.kind == "unary":
            parent = next(p for p in nodes for f, v in ast.iter_fields(p)
                          if v is node or (isinstance(v, list) and any(x is node for x in v)))
            for field, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, field, node.operand)
                elif isinstance(value, list):
                    value[:] = [node.operand if x is node else x for x in value]
        return ast.fix_missing_locations(tree)


def mutant_source(source, index, kind, detail):
    tree = ast.parse(source)
    return ast.unparse(_Apply(index, kind, detail).run(copy.deepcopy(tree)))


def all_mutants():
    """Every mutant of every target module, in a fixed order."""
    out = []
    for rel, group in target_files().items():
        tree = ast.parse((ROOT / rel).read_text())
        for index, kind, detail, line, what in mutation_points(tree):
            out.append({"id": f"{rel}:{line}:{index}:{kind}:{detail}", "module": rel,
                        "group": group, "line": line, "mutation": what, "index": index,
                        "kind": kind, "detail": detail})
    return out


# -- running ------------------------------------------------------------------------------------
_RUNNER = """
import sys
# drop the editable install's import hooks: the copy ahead on sys.path is what gets imported
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path_hooks[:] = [h for h in sys.path_hooks if "editable" not in repr(h).lower()]
sys.path[:] = [p for p in sys.path if "__editable__" not in p]
sys.path_importer_cache.clear()
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def make_copy(dest):
    """The checkout's files (tracked and untracked, not ignored) copied to ``dest``, with an
    import folder ``dest/_import/antagonism`` linking the mapped packages."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    pkg = dest / "_import" / "antagonism"
    pkg.mkdir(parents=True)
    for name in ("derivations", "theory", "numerics"):
        (pkg / name).symlink_to(dest / name, target_is_directory=True)
    return dest / "_import"


def run_tests(work, imports, tests, timeout):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": str(imports), "NUMBA_NUM_THREADS": "1"}
    cmd = ["nice", "-n", "10", sys.executable, "-c", _RUNNER, "-x", "-q",
           "-p", "no:cacheprovider", "-p", "no:xdist", *[f"tests/{t}" for t in tests]]
    start = time.perf_counter()
    try:
        out = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start, ""
    tail = (out.stdout + out.stderr).strip().splitlines()[-1:] or [""]
    status = {0: "survived", 1: "killed"}.get(out.returncode, "error")
    return status, time.perf_counter() - start, tail[0][:200]


def run(args):
    globs = args.modules.split(",")
    mutants = [m for m in all_mutants() if any(fnmatch.fnmatch(m["module"], g)
                                               for g in globs)]
    rng = random.Random(args.seed)
    groups = sorted({m["group"] for m in mutants}, key=list(GROUPS).index)
    sample = []
    for k, group in enumerate(groups):  # stratified: the same share of mutants per group
        pool = [m for m in mutants if m["group"] == group]
        share = args.mutants // len(groups) + (k < args.mutants % len(groups))
        picked = sorted(rng.sample(pool, min(share, len(pool))),
                        key=lambda m: (m["module"], m["index"]))
        sample.append(picked)
    # round robin over the groups: a run stopped early has covered every group alike
    sample = [m for row in itertools.zip_longest(*sample) for m in row if m is not None]
    results = []
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    header = {"seed": args.seed, "commit": commit, "mutants_total": len(mutants),
              "sampled": len(sample),
              "points_per_group": {g: sum(m["group"] == g for m in mutants) for g in groups},
              "timeout_s": args.timeout,
              "command": " ".join(["python", "benchmarks/mutation.py", *sys.argv[1:]])}
    with tempfile.TemporaryDirectory(prefix="antagonism-mutation-") as tmp:
        work = Path(tmp)
        imports = make_copy(work)
        baseline = {}  # each test subset run unmutated first, when first needed
        started = time.perf_counter()
        for n, m in enumerate(sample, 1):
            tests = tuple(tests_for(m["module"]))
            if tests not in baseline:
                status, seconds, tail = run_tests(work, imports, tests, args.timeout)
                baseline[tests] = status
                print(f"baseline {' '.join(tests)}: {status} ({seconds:.0f} s) {tail}",
                      file=sys.stderr, flush=True)
            path = work / m["module"]
            original = path.read_text()
            if baseline[tests] != "survived":
                status, seconds, tail = "baseline-failed", 0.0, ""
            else:
                path.write_text(mutant_source(original, m["index"], m["kind"], m["detail"]))
                try:
                    status, seconds, tail = run_tests(work, imports, tests, args.timeout)
                finally:
                    path.write_text(original)
            results.append({**m, "tests": list(tests), "status": status,
                            "seconds": round(seconds, 1), "last_line": tail})
            if args.out:  # written after every mutant: an interrupted run keeps its results
                args.out.write_text(json.dumps({**header, "complete": n == len(sample),
                                                "mutants": results}, indent=1) + "\n")
            elapsed = time.perf_counter() - started
            print(f"[{n}/{len(sample)}] {status:8s} {m['module']}:{m['line']} "
                  f"{m['mutation']} ({seconds:.0f} s; {elapsed / 60:.1f} min, ETA "
                  f"{elapsed / n * (len(sample) - n) / 60:.1f} min)", file=sys.stderr,
                  flush=True)
    return {**header, "complete": True, "mutants": results}


def _diff_lines(source, m):
    """The lines a mutant changes: (removed, added), as text."""
    import difflib

    before = ast.unparse(ast.parse(source)).splitlines()
    after = mutant_source(source, m["index"], m["kind"], m["detail"]).splitlines()
    diff = list(difflib.unified_diff(before, after, n=0, lineterm=""))[2:]
    return (tuple(d[1:] for d in diff if d.startswith("-")),
            tuple(d[1:] for d in diff if d.startswith("+")))


def recheck(path, tests, timeout):
    """Run the survivors of a results file against ``tests`` (the tests written for them):
    each survivor is found in the current source by the lines it changes (the module may
    have moved since), applied in a copy, and marked ``recheck``: "killed", "survived" or
    "not found".  The results file is updated."""
    report = json.loads(path.read_text())
    survivors = [m for m in report["mutants"] if m["status"] == "survived"]
    current = {}
    with tempfile.TemporaryDirectory(prefix="antagonism-mutation-") as tmp:
        work = Path(tmp)
        imports = make_copy(work)
        for n, m in enumerate(survivors, 1):
            commit = m.get("commit", report.get("commit"))  # merged runs: per mutant
            old = subprocess.run(["git", "show", f"{commit}:{m['module']}"],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
            want = _diff_lines(old, m)
            source = (work / m["module"]).read_text()
            if m["module"] not in current:
                tree = ast.parse(source)
                current[m["module"]] = [
                    {"index": i, "kind": k, "detail": d, "mutation": w}
                    for i, k, d, _, w in mutation_points(tree)]
            match = next((c for c in current[m["module"]] if c["mutation"] == m["mutation"]
                          and _diff_lines(source, c) == want), None)
            if match is None:
                m["recheck"] = "not found"
                continue
            (work / m["module"]).write_text(
                mutant_source(source, match["index"], match["kind"], match["detail"]))
            try:
                status, seconds, tail = run_tests(work, imports, tests, timeout)
            finally:
                (work / m["module"]).write_text(source)
            m["recheck"] = "survived" if status == "survived" else "killed"
            m["recheck_tests"] = list(tests)
            print(f"[{n}/{len(survivors)}] {m['recheck']:8s} {m['id']} ({seconds:.0f} s) "
                  f"{tail}", file=sys.stderr, flush=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    return report


def rerun_failed(path, timeout):
    """Run again the mutants of a results file whose tests' baseline failed (ran past the
    timeout), with the current ``TESTS`` mapping; their modules must be unchanged since the
    results' commit.  The results file is updated (``rerun``: the new tests)."""
    report = json.loads(path.read_text())
    failed = [m for m in report["mutants"] if m["status"] == "baseline-failed"]
    with tempfile.TemporaryDirectory(prefix="antagonism-mutation-") as tmp:
        work = Path(tmp)
        imports = make_copy(work)
        baseline = {}
        for n, m in enumerate(failed, 1):
            old = subprocess.run(["git", "show", f"{report['commit']}:{m['module']}"],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
            source = (work / m["module"]).read_text()
            if old != source:
                m["rerun"] = "module changed since"
                continue
            tests = tuple(tests_for(m["module"]))
            if tests not in baseline:
                baseline[tests] = run_tests(work, imports, tests, timeout)[0]
                print(f"baseline {' '.join(tests)}: {baseline[tests]}", file=sys.stderr,
                      flush=True)
            if baseline[tests] != "survived":
                continue
            (work / m["module"]).write_text(
                mutant_source(source, m["index"], m["kind"], m["detail"]))
            try:
                status, seconds, tail = run_tests(work, imports, tests, timeout)
            finally:
                (work / m["module"]).write_text(source)
            m.update(status=status, seconds=round(seconds, 1), last_line=tail,
                     tests=list(tests), rerun=f"baseline of the first mapping ran past "
                                             f"{report['timeout_s']:g} s")
            print(f"[{n}/{len(failed)}] {status:8s} {m['id']} ({seconds:.0f} s)",
                  file=sys.stderr, flush=True)
            path.write_text(json.dumps(report, indent=1) + "\n")
    return report


def show(mutant_id, commit=None):
    """The unified diff of one mutant against the (unparsed) module, as it was at
    ``commit`` (the results' commit) or as it is now."""
    import difflib

    module, _, index, kind, detail = mutant_id.split(":")
    m = {"module": module, "index": int(index), "kind": kind,
         "detail": None if detail == "None" else int(detail)}
    source = ((ROOT / module).read_text() if commit is None else subprocess.run(
        ["git", "show", f"{commit}:{module}"], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout)
    before = ast.unparse(ast.parse(source)).splitlines(keepends=True)
    after = mutant_source(source, m["index"], m["kind"], m["detail"]).splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, m["module"], m["module"], n=2))


def table(report, equivalent=None):
    """The markdown table: per group, mutants run, killed by the default tests (failed,
    errored or timed out), survived, the kill rate; then the survivors killed since by the
    tests written for them (``--recheck``), those listed as equivalent, those left, and the
    kill rate among the non-equivalent mutants with the new tests."""
    equivalent = equivalent or {}
    rows = []
    groups = list(GROUPS)
    for group in [*groups, "all"]:
        ms = [m for m in report["mutants"] if (group == "all" or m["group"] == group)
              and m["status"] != "baseline-failed"]
        killed = sum(m["status"] in ("killed", "error", "timeout") for m in ms)
        survived = [m for m in ms if m["status"] == "survived"]
        new = sum(m.get("recheck") == "killed" for m in survived)
        eq = sum(m["id"] in equivalent for m in survived)
        left = len(survived) - new - eq
        live = len(ms) - eq
        rate = f"{100 * killed / len(ms):.0f} %" if ms else "-"
        after = f"{100 * (killed + new) / live:.0f} %" if live else "-"
        rows.append(f"| {group} | {len(ms)} | {killed} | {len(survived)} | {rate} | {new} | "
                    f"{eq} | {left} | {after} |")
    head = ("| module | mutants | killed | survived | kill rate | survivors killed by new "
            "tests | equivalent | not killed | kill rate now (non-equivalent) |\n"
            "|---|---|---|---|---|---|---|---|---|")
    return "\n".join([head, *rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=80, help="mutants sampled (default 80)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modules", default="*",
                        help="only modules matching these globs (comma-separated)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant")
    parser.add_argument("--out", type=Path, default=None, help="write the results (JSON)")
    parser.add_argument("--list", action="store_true", help="count mutation points")
    parser.add_argument("--table", type=Path, default=None, help="print a results file's table")
    parser.add_argument("--rerun-failed", type=Path, default=None, metavar="RESULTS",
                        help="run again a results file's mutants whose baseline failed")
    parser.add_argument("--recheck", type=Path, default=None, metavar="RESULTS",
                        help="run a results file's survivors against --recheck-tests")
    parser.add_argument("--recheck-tests", nargs="+",
                        default=["test_mutation_survivors.py"])
    parser.add_argument("--show", default=None, metavar="ID",
                        help="print the diff of one mutant (its id in the results; with "
                             "--table RESULTS, the module as it was at the results' commit)")
    parser.add_argument("--equivalent", type=Path,
                        default=ROOT / "benchmarks" / "mutation_equivalent.json")
    args = parser.parse_args(argv)
    equivalent = (json.loads(args.equivalent.read_text())
                  if args.equivalent.exists() else {})
    if args.list:
        counts = {}
        for m in all_mutants():
            counts[m["group"]] = counts.get(m["group"], 0) + 1
        print(json.dumps(counts, indent=1))
        return 0
    if args.rerun_failed:
        print(table(rerun_failed(args.rerun_failed, args.timeout), equivalent))
        return 0
    if args.recheck:
        print(table(recheck(args.recheck, args.recheck_tests, args.timeout), equivalent))
        return 0
    if args.show:
        commit = (json.loads(args.table.read_text())["commit"] if args.table else None)
        print(show(args.show, commit))
        return 0
    if args.table:
        print(table(json.loads(args.table.read_text()), equivalent))
        return 0
    report = run(args)
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(table(report, equivalent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
