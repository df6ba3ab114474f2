"""The sweep layer: one task runner (local, processes, dask) with progress and a cache, and
the parameter sweep built on it.  Every executor must give the same JSON as the local run;
the regimes themselves are checked against the closed form tau* = tau_c (m/N)^(1/(N-m)) of
T_{N,m} (Rademaker, Bengio & Francois 2019: the per-molecule gradient
tau^(m-1) (N tau^(N-m) - m T tau_c^(N-m)) vanishes there on the boundary T = 1)."""
import json
import math
import os
import subprocess
import sys

import pytest

from antagonism.cli import main
from antagonism.numerics import executor as ex
from antagonism.numerics.experiments.sweep import parameter_grid, parameter_sweep, regime_point

GRID = {"N": [2, 3], "m": [0, 1, 2], "tau_c": [1.5]}


def _sweep_json(capsys, *extra):
    assert main(["sweep", "--N", "2:3", "--m", "0:2", "--tau-c", "1.5", "--json", *extra]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_grid_skips_invalid_points_and_reports_them():
    points, skipped = parameter_grid("adaptive", {"N": [2, 5], "m": [0, 4], "tau_c": [3]})
    assert [(p["N"], p["m"]) for p in points] == [(2, 0), (5, 0), (5, 4)]
    assert [s["parameters"] for s in skipped] == [{"N": 2.0, "m": 4.0, "tau_c": 3.0}]
    assert "m must be smaller than N" in skipped[0]["reason"]
    with pytest.raises(ValueError, match="unknown parameter"):
        parameter_grid("adaptive", {"k": [1]})


def test_sweep_rows_against_the_closed_form_tau_star(capsys):
    out, err = _sweep_json(capsys)  # cached: the executors' test below reads it back
    assert err == ""  # silent under --json
    result = json.loads(out)
    assert [(r["parameters"]["N"], r["parameters"]["m"]) for r in result["rows"]] == [
        (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
    assert [s["parameters"] for s in result["skipped"]] == [{"N": 2.0, "m": 2.0, "tau_c": 1.5}]
    for r in result["rows"]:
        N, m, tc = (r["parameters"][k] for k in ("N", "m", "tau_c"))
        if m == 0:
            assert r["tau_star"] is None
        else:
            assert r["tau_star"] == pytest.approx(tc * (m / N) ** (1 / (N - m)), rel=1e-9)


def test_cache_rerun_computes_only_what_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))
    args = [{"model": "adaptive", "parameters": {"N": 3.0, "m": float(m), "tau_c": 1.5}}
            for m in (1, 2)]
    first = ex.run_tasks(regime_point, args, cache="t", progress=True)
    assert (first.computed, first.cached) == (2, 0)
    assert capsys.readouterr().err.count("done") == 2  # progress as tasks finish
    files = sorted((tmp_path / "sweeps" / "t").glob("*.json"))
    entries = [p for p in files if not p.name.endswith(".json.json")]  # and their manifests
    assert len(entries) == 2 and len(files) == 4 and not [p for p in tmp_path.rglob("*.tmp*")]
    second = ex.run_tasks(regime_point, args, cache="t")
    assert (second.computed, second.cached) == (0, 2) and second.results == first.results
    lost = tmp_path / "sweeps" / "t" / f"{ex.task_key(regime_point, args[0])}.json"
    lost.unlink()  # lose one: only that one is computed again, once for its two copies
    third = ex.run_tasks(regime_point, args + args[:1], cache="t")
    assert (third.computed, third.cached) == (1, 1) and third.results[:2] == first.results
    assert third.results[2] == first.results[0]
    lost.write_text("{ not json")  # a damaged entry is computed again, not trusted
    from antagonism.numerics.cache import CacheWarning

    with pytest.warns(CacheWarning, match=lost.name):
        again = ex.run_tasks(regime_point, args, cache="t")
    assert again.results == first.results and (again.computed, again.cached) == (1, 1)
    assert list((lost.parent / "corrupt").iterdir())  # moved aside, not deleted silently


def test_on_result_sees_every_task_cached_first(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))
    args = [{"model": "adaptive", "parameters": {"N": 3.0, "m": float(m), "tau_c": 1.5}}
            for m in (1, 2)]
    ex.run_tasks(regime_point, args[:1], cache="r")
    seen = []
    run = ex.run_tasks(regime_point, args + args[:1], cache="r",
                       on_result=lambda i, r: seen.append((i, r)))
    assert [i for i, _ in seen] == [0, 2, 1]  # the cached ones (a task given twice), then
    assert all(run.results[i] == r for i, r in seen)  # the computed one, with its result


def test_descent_sweep_needs_models_the_registry_rebuilds():
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.numerics.experiments.sweep import registered_model, sweep_descent

    class Renamed(AdaptiveProofreading):
        pass

    assert registered_model(AdaptiveProofreading(4, 1, 1.5)) == {
        "model": "adaptive", "parameters": {"N": 4, "m": 1, "tau_c": "3/2"}}
    with pytest.raises(ValueError, match="registered models"):
        sweep_descent([Renamed(3, 1, 3.0)], n_ligands=10, progress=False)


def test_run_tasks_rejects_bad_input():
    with pytest.raises(ValueError, match="executor must be one of"):
        ex.run_tasks(regime_point, [], executor="threads")
    with pytest.raises(ValueError, match="needs --executor dask"):
        ex.run_tasks(regime_point, [], scheduler="tcp://localhost:8786")
    with pytest.raises(ValueError, match="plain JSON"):
        ex.run_tasks(regime_point, [{"model": object()}])
    with pytest.raises(ValueError, match="plain JSON"):
        ex.run_tasks(regime_point, [{"model": "adaptive", "parameters": {"N": float("inf")}}])
    with pytest.raises(ValueError, match="importable by name"):
        ex.run_tasks(lambda: 1, [{}])
    with pytest.raises(ValueError, match="cache name"):
        ex.run_tasks(regime_point, [], cache="../elsewhere")
    with pytest.raises(ValueError, match="empty sweep grid"):
        parameter_sweep("adaptive", {"N": []})
    with pytest.raises(ValueError, match="unknown model"):  # a task's error reaches the caller
        ex.run_tasks(regime_point, [{"model": "nope", "parameters": {}}])


@pytest.mark.parametrize("argv,msg", [
    (["--N", "5:2"], "a <= b"), (["--N", "1:2:0"], "step > 0"), (["--N", "x"], "number"),
    (["--N", "1:2:3:4"], "a:b, lin:a:b:n or log:a:b:n"),
    (["--N", "3", "--workers", "0"], "positive"),
    (["--N", "3", "--scheduler", "tcp://h:1"], "needs --executor dask"),
    ([], "at least one parameter"), (["--param", "k"], "name=values"),
])
def test_sweep_cli_rejects_bad_grids(argv, msg, capsys):
    assert main(["sweep", *argv]) == 2
    assert msg in capsys.readouterr().err


def test_processes_and_dask_give_the_local_json(capsys):
    """The same JSON from every executor: local, a process pool, and a dask LocalCluster with
    2 single-threaded workers reached through --scheduler (as a remote cluster would be)."""
    distributed = pytest.importorskip("distributed")  # the optional 'dask' extra
    local, _ = _sweep_json(capsys)
    processes, _ = _sweep_json(capsys, "--no-cache", "--executor", "processes", "--workers", "2")
    assert processes == local
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        dask, _ = _sweep_json(capsys, "--no-cache", "--executor", "dask", "--scheduler",
                              cluster.scheduler_address)
    assert dask == local


def test_unreachable_scheduler_is_a_clear_error(capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(ex, "CONNECT_TIMEOUT", "1s")
    assert main(["sweep", "--N", "3", "--m", "1", "--no-cache", "--executor", "dask",
                 "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the dask scheduler at 'tcp://127.0.0.1:9'" in capsys.readouterr().err


@pytest.mark.slow
def test_issue_command_dask_equals_local(tmp_path):
    """The issue's own command, in fresh processes: --executor dask (a local cluster started
    by the command) prints the same JSON as --executor local."""
    pytest.importorskip("distributed")
    base = [sys.executable, "-m", "antagonism.cli", "sweep", "--model", "adaptive",
            "--N", "2:5", "--m", "0:4", "--tau-c", "1,3", "--json", "--no-cache"]
    env = dict(os.environ, ANTAGONISM_CACHE_DIR=str(tmp_path))
    run = lambda *extra: subprocess.run([*base, *extra], env=env, check=True,
                                        capture_output=True, text=True).stdout
    local, dask = run("--executor", "local"), run("--executor", "dask", "--workers", "2")
    assert dask == local
    result = json.loads(local)
    assert len(result["rows"]) == 2 * 14 and len(result["skipped"]) == 2 * 6
    for r in result["rows"]:
        N, m, tc = (r["parameters"][k] for k in ("N", "m", "tau_c"))
        if m > 0:
            assert math.isclose(r["tau_star"], tc * (m / N) ** (1 / (N - m)), rel_tol=1e-9)


@pytest.mark.slow
def test_literature_table_is_the_same_on_every_executor(capsys):
    pytest.importorskip("distributed")
    outs = []
    for extra in ([], ["--executor", "processes", "--workers", "2"],
                  ["--executor", "dask", "--workers", "2"]):
        assert main(["literature", "--json", "--no-cache", *extra]) == 0
        outs.append(capsys.readouterr().out)
    assert outs[1] == outs[0] and outs[2] == outs[0]
    assert len(json.loads(outs[0])) >= 7


def test_regime_executor_only_with_sensitivity(capsys):
    """The executor options belong to the sensitivity job and to the networks job with
    --arch (one task per seed); the networks job on the digit MLPs refuses them."""
    assert main(["regime", "--executor", "processes", "--quick"]) == 2
    assert "--executor and --scheduler apply with --arch" in capsys.readouterr().err
    assert main(["regime", "sensitivity", "--workers", "0"]) == 2
    assert "positive integer" in capsys.readouterr().err


def test_regime_flags_are_aliases_of_the_sub_commands():
    from antagonism.cli.networks import regime_argv

    assert regime_argv(["regime", "--calibrate", "--json"]) == ["regime", "calibrate", "--json"]
    assert regime_argv(["regime", "--cell-attacks"]) == ["regime", "cells"]
    assert regime_argv(["regime", "--sensitivity", "--quick"]) == [
        "regime", "sensitivity", "--quick"]
    assert regime_argv(["regime", "--networks", "natural"]) == [
        "regime", "networks", "--networks", "natural"]
    assert regime_argv(["regime", "calibrate"]) == ["regime", "calibrate"]
    assert regime_argv(["classify", "--calibrate"]) == ["classify", "--calibrate"]


@pytest.mark.slow
def test_sensitivity_rows_are_the_same_in_processes(tmp_path, monkeypatch):
    from antagonism.numerics.regime import sensitivity_table

    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))
    kw = dict(seeds=(0,), widths=(32,), train_eps=(0.1,), eps=(0.1, 0.2), quick=True,
              progress=False)
    local = sensitivity_table(**kw)
    pooled = sensitivity_table(**kw, executor="processes", workers=2)
    assert pooled.to_dict() == local.to_dict()
    assert [(r.width, r.eps) for r in local.rows] == [(32, 0.1), (32, 0.2)]


@pytest.mark.slow  # by default: test_processes_and_dask_give_the_local_json
def test_robustness_seeds_on_a_dask_cluster_equal_the_local_run(tmp_path, monkeypatch):
    """robustness runs one task per seed: on a LocalCluster the report equals the local one
    (the trained networks come from the shared cache or are trained identically)."""
    distributed = pytest.importorskip("distributed")  # the optional 'dask' extra
    from antagonism.numerics.networks.robustness import robustness_report

    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))
    kw = dict(eps_list=(0.2,), seeds=(0, 1), quick=True, names=["natural"], progress=False,
              n_queries=20)
    local = robustness_report(**kw).to_dict()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = robustness_report(**kw, executor="dask",
                                   scheduler=cluster.scheduler_address).to_dict()
    assert remote == local
    assert local["seeds"] == [0, 1] and len(local["models"]["natural"]["per_seed"]) == 2
    with pytest.raises(ValueError, match="one seed"):
        robustness_report(eps_list=(0.2,), seeds=(0, 1), data=object(), progress=False)
