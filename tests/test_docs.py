"""Documentation: generated pages in sync, every code example runs, figures regenerate."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from antagonism.numerics.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_generated_pages_match_committed(tmp_path):
    assert main(["docs", "--out", str(tmp_path)]) == 0
    for name in ("derivations.md", "regimes.md"):
        assert (tmp_path / name).read_text() == (DOCS / name).read_text(), (
            f"docs/{name} is stale: run `antagonism docs --out docs`")


PAGES = sorted(p for p in [ROOT / "README.md", *DOCS.rglob("*.md")]
               if "```python" in p.read_text())


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_code_examples_run(page, tmp_path):
    """All ```python blocks of a page, run in order in one fresh interpreter."""
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    assert blocks
    env = dict(os.environ, ANTAGONISM_CACHE_DIR=str(tmp_path / "cache"), MPLBACKEND="Agg")
    p = subprocess.run([sys.executable, "-c", "\n".join(blocks)], capture_output=True,
                       text=True, cwd=tmp_path, env=env, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]


def test_every_figure_has_a_page_and_an_image():
    from antagonism.numerics.figures import FIGURES

    for name in FIGURES:
        page = DOCS / "figures" / f"{name}.md"
        assert page.exists(), name
        assert f"({name}.png)" in page.read_text()
        assert (DOCS / "figures" / f"{name}.png").exists()


def test_figures_quick_runs(tmp_path):
    import json

    env = dict(os.environ, ANTAGONISM_CACHE_DIR=str(tmp_path / "cache"), MPLBACKEND="Agg")
    p = subprocess.run([sys.executable, "-m", "antagonism.numerics.cli", "figures", "--quick",
                        "--out", str(tmp_path / "figs")], capture_output=True, text=True,
                       env=env, timeout=1200)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "[figures]" in p.stderr  # progress
    from antagonism.numerics.figures import FIGURES

    for name in FIGURES:
        for ext in ("png", "pdf", "json"):
            assert (tmp_path / "figs" / f"{name}.{ext}").stat().st_size > 0
        meta = json.loads((tmp_path / "figs" / f"{name}.json").read_text())
        assert meta["seed"] == 0 and meta["versions"]["numpy"]
