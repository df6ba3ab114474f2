"""docs/architecture.md names every module of the package, and only modules that exist.

The map's section "Every module" has one table per folder: a heading naming the folder in
backticks (``### `numerics/attacks/` ...``) and rows whose first cell names a module of that
folder in backticks (`` `pgd.py` ``; a sub-folder's modules as `` `authors/mtl.py` ``).  The
tree is read from the source folders; ``__init__.py`` files are the packages themselves and
need no row (the command line's ``__init__.py``, which holds ``main``, has one anyway)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("antagonism", "derivations", "theory", "numerics")


def _map():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Every module", 1)[1].split("\n## ", 1)[0]
    named, folder = {}, None
    for line in section.splitlines():
        heading = re.match(r"#{3,4} `([^`]+/)`", line)
        if heading:
            folder = heading.group(1)
            continue
        row = re.match(r"\| `([^`]+\.py)` \|", line)
        if row and folder:
            named[folder + row.group(1)] = line
    return named


def _tree():
    found = set()
    for top in FOLDERS:
        for path in (ROOT / top).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if path.name == "__init__.py" or "__pycache__" in rel:
                continue
            found.add(rel)
    return found


def test_the_map_names_every_module():
    missing = sorted(_tree() - set(_map()))
    assert not missing, f"modules missing from docs/architecture.md: {missing}"


def test_the_map_names_only_modules_that_exist():
    stale = sorted(p for p in _map() if not (ROOT / p).is_file())
    assert not stale, f"docs/architecture.md names modules that do not exist: {stale}"


def test_the_map_reads_what_it_should():
    named = _map()
    # a canary of the parser: these rows are in the map by construction of the package
    assert "theory/regimes.py" in named and "numerics/attacks/pgd.py" in named
    assert len(named) > 100
