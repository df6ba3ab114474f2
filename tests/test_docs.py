"""Documentation: generated pages in sync, every code example runs, figures regenerate."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli, run_cli_process

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_generated_pages_match_committed(tmp_path):
    assert run_cli("docs", "--out", tmp_path).returncode == 0
    from antagonism.numerics.reports import generated_pages

    for name in generated_pages():
        assert (tmp_path / name).read_text() == (DOCS / name).read_text(), (
            f"docs/{name} is stale: run `antagonism docs --out docs`")


PAGES = sorted(p for p in [ROOT / "README.md", *DOCS.rglob("*.md")]
               if "```python" in p.read_text())


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_code_examples_run(page, tmp_path):
    """All ```python blocks of a page, run in order in one fresh interpreter."""
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    assert blocks
    p = subprocess.run([sys.executable, "-c", "\n".join(blocks)], capture_output=True,
                       text=True, cwd=tmp_path, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]


def test_every_figure_has_a_page_and_an_image():
    from antagonism.numerics.figures import figure_names

    for name in figure_names():
        page = DOCS / "figures" / f"{name}.md"
        assert page.exists(), name
        assert f"({name}.png)" in page.read_text()
        assert (DOCS / "figures" / f"{name}.png").exists()


def _check_figures(out, names):
    for name in names:
        for ext in ("png", "pdf", "json"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
        meta = json.loads((out / f"{name}.json").read_text())
        assert meta["seed"] == 0 and meta["versions"]["numpy"]


CELL_FIGURES = ("antagonism_potential", "picture_attack", "immune_boundary_tilting",
                "shp1_ot1", "digit_boundary_tilting")


def test_quick_cell_figures(tmp_path):
    """The figures that need no trained network, quick versions, through the command."""
    p = run_cli_process("figures", "--quick", "--out", tmp_path / "figs", "--only",
                        ",".join(CELL_FIGURES))
    assert p.returncode == 0, p.stderr[-3000:]
    assert "[figures]" in p.stderr  # progress
    _check_figures(tmp_path / "figs", CELL_FIGURES)


@pytest.mark.slow
def test_every_figure_quick(tmp_path):
    from antagonism.numerics.figures import figure_names

    p = run_cli_process("figures", "--quick", "--out", tmp_path / "figs")
    assert p.returncode == 0, p.stderr[-3000:]
    _check_figures(tmp_path / "figs", figure_names())
