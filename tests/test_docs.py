"""The generated documentation pages are in sync with the package."""
from pathlib import Path

from antagonism.numerics.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_generated_pages_match_committed(tmp_path):
    assert main(["docs", "--out", str(tmp_path)]) == 0
    for name in ("derivations.md", "regimes.md"):
        assert (tmp_path / name).read_text() == (DOCS / name).read_text(), (
            f"docs/{name} is stale: run `antagonism docs --out docs`")
