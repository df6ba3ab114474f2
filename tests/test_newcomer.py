"""A newcomer's first hour: help that explains its words and shows its defaults, names
with hyphens (underscores still work), did-you-mean for models, species and figures, shipped
models by name from any folder, and progress with an ETA on standard error (none under
--json)."""
import json
import time
from pathlib import Path

import pytest
from helpers import run_cli

from antagonism.numerics.progress import Progress, eta_text, heartbeat

ROOT = Path(__file__).resolve().parents[1]


def _help(command):
    """The --help text of a sub-command (without running it)."""
    import argparse

    from antagonism.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command].format_help()


def test_every_help_points_to_the_vocabulary_and_the_page_has_its_words():
    for command in ("classify", "descend", "robustness", "figures"):
        assert "docs/regimes.md#vocabulary" in " ".join(_help(command).split()), command
    page = (ROOT / "docs" / "regimes.md").read_text()
    assert "\n## Vocabulary\n" in page  # the anchor #vocabulary
    for word in ("**T_{N,m}**", "**dose budget**", "**frozen**", "**L-inf budget**",
                 "**tau\\***"):
        assert word in page, word


def test_help_shows_defaults_even_zero_and_cache_kinds():
    seed = " ".join(_help("figures").split())
    assert "random seed (>= 0) (default: 0)" in seed  # --seed 0 is a default too
    assert "sweeps" in _help("cache") and "(default: True)" not in _help("sweep")


def test_model_names_accept_underscores_and_suggest_the_nearest():
    from antagonism._core.errors import InputError
    from antagonism.derivations import model_spec

    assert model_spec("adaptive_sorting") is model_spec("adaptive-sorting")
    with pytest.raises(InputError, match="did you mean adaptive\\?"):
        model_spec("adaptiv")
    p = run_cli("classify", "--model", "shp", "--json")
    assert p.returncode == 2 and "did you mean shp1?" in p.stderr


def test_a_typo_in_a_rate_law_names_the_nearest_species(tmp_path):
    from antagonism._core.errors import InputError
    from antagonism.io.reaction_files import literature_files, load_model_file

    text = literature_files()["mckeithan_kpr"].read_text()
    assert "phi*C4\n" in text
    bad = tmp_path / "typo.ant"
    bad.write_text(text.replace("phi*C4\n", "phi*C44\n", 1))
    with pytest.raises(InputError, match="C44 is not a species or parameter; did you mean C4\\?"):
        load_model_file(bad)


def test_shipped_models_by_name_from_any_folder(tmp_path):
    p = run_cli("models", "--json")
    out = json.loads(p.stdout)
    assert "adaptive-sorting" in out["registered"] and "mckeithan_kpr" in out["shipped"]
    assert "mckeithan_kpr" in run_cli("models").stdout
    from helpers import run_cli_process

    p = run_cli_process("steady", "--model-file", "mckeithan-kpr", "--tau", "5", "--L", "100",
                        "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["output"] > 0
    p = run_cli_process("steady", "--model-file", "mckeithan", "--tau", "5", "--L", "100",
                        cwd=tmp_path)
    assert p.returncode == 2 and "did you mean mckeithan_kpr?" in p.stderr


def test_progress_lines_eta_and_heartbeat(capsys):
    assert eta_text(10.0, 2, 5) == ", ETA 15 s" and eta_text(1.0, 0, 5) == ""
    steps = Progress(2, True, "job")
    steps.step("first")
    steps.step("second")
    steps.finish("all done")
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("[job] 1/2 first (elapsed") and "ETA" in err[1]
    assert err[2].startswith("[job] all done in")
    with heartbeat("quiet", quiet_s=0.2):
        time.sleep(1.0)
    assert "[quiet] working... (elapsed" in capsys.readouterr().err
    with heartbeat("off", on=False):
        time.sleep(0.3)
    assert capsys.readouterr().err == ""


def test_descend_reports_progress_on_stderr_and_none_under_json():
    args = ("descend", "--N", "4", "--m", "1", "--ligands", "300", "--max-iter", "50")
    p = run_cli(*args)
    assert p.returncode == 0, p.stderr
    assert "[descend] 1/2 deriving the model" in p.stderr and "[descend] 2/2" in p.stderr
    q = run_cli(*args, "--json")
    assert q.returncode == 0 and "[descend]" not in q.stderr
