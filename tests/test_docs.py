"""Documentation: generated pages in sync, every code example runs and prints what its page
says (doctest style), figures regenerate.

By default the generated pages are checked on small inputs (each generator runs, and what
it produces is on the committed page) and the pages with cheap examples run them; ``-m slow``
regenerates every page in full and runs every page's examples.
"""
import ast
import doctest
import importlib
import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli, run_cli_process

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


# -- generated pages -------------------------------------------------------------------------

def _on_page(lines, page):
    """The lines (of a generator's output) that are missing from the committed ``page``."""
    committed = set((DOCS / page).read_text().splitlines())
    return [line for line in lines if line.strip() and line not in committed]


def test_regimes_page_generator_runs_and_matches_on_small_input():
    from antagonism.theory.regimes import VOCABULARY, regime_table_markdown

    rows = regime_table_markdown(range(1, 3)).splitlines()
    assert len(rows) == 2 + 3  # header, rule, (N, m) for N = 1, 2
    assert not _on_page(rows, "regimes.md"), "docs/regimes.md is stale: `antagonism docs`"
    assert VOCABULARY in (DOCS / "regimes.md").read_text()


def test_derivations_page_generator_runs_and_matches_on_small_input():
    from antagonism.derivations import AdaptiveProofreading, gradient_tau
    from antagonism.derivations.report import INTRO

    text = (DOCS / "derivations.md").read_text()
    assert text.startswith(INTRO)
    assert gradient_tau(AdaptiveProofreading()).markdown() in text, (
        "docs/derivations.md is stale: run `antagonism docs --out docs`")


def test_literature_page_generator_runs_and_matches_on_one_model():
    from antagonism.numerics.experiments.literature import literature_markdown, literature_row

    row = literature_row("adaptive_sorting_published")  # the quickest shipped model
    lines = [line for line in literature_markdown([row]).splitlines()
             if line.startswith("| ") and "adaptive_sorting_published" in line
             or line.startswith(f"| {row.name} |")]
    assert len(lines) >= 2  # its row in the table and against its source paper
    assert not _on_page(lines, "literature.md"), (
        "docs/literature.md is stale: run `antagonism docs --out docs`")


@pytest.mark.slow
def test_generated_pages_match_committed(tmp_path):
    assert run_cli("docs", "--out", tmp_path).returncode == 0
    from antagonism.numerics.reports import generated_pages

    for name in generated_pages():
        assert (tmp_path / name).read_text() == (DOCS / name).read_text(), (
            f"docs/{name} is stale: run `antagonism docs`")


# -- code examples, doctest style -------------------------------------------------------------

FENCE = re.compile(r"```(\w+)\n(.*?)```", flags=re.S)
SEPARATOR = "----8<---- block end"


def code_blocks(text):
    """[(language, code, expected output or None)]: every fenced ```python or ```bash block,
    with the ```text block that follows it directly (only blank lines between) as its
    expected output."""
    found = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    blocks = []
    for i, (lang, code, _, end) in enumerate(found):
        if lang not in ("python", "bash"):
            continue
        nxt = found[i + 1] if i + 1 < len(found) else None
        expected = (nxt[1] if nxt and nxt[0] == "text" and not text[end:nxt[2]].strip()
                    else None)
        blocks.append((lang, code, expected))
    return blocks


def check_output(want, got):
    """doctest's comparison: whitespace-insensitive, ``...`` matches anything."""
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    return doctest.OutputChecker().check_output(want, got, flags)


PAGES = sorted(p for p in [ROOT / "README.md", *DOCS.rglob("*.md")]
               if "```python" in p.read_text())
#: pages whose examples run in a few seconds: run by default (the others with -m slow)
QUICK_PAGES = ("README.md",)


def _page_param(page):
    name = str(page.relative_to(ROOT))
    marks = () if name in QUICK_PAGES else (pytest.mark.slow,)
    return pytest.param(page, id=name, marks=marks)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_code_examples_compile_and_name_real_objects(page):
    """Every ```python block parses, and every name it imports exists (cheap, for every
    page; running them is the next test)."""
    for lang, code, _ in code_blocks(page.read_text()):
        if lang != "python":
            continue
        tree = ast.parse(code)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module.startswith("antagonism"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name) or importlib.util.find_spec(
                        f"{node.module}.{alias.name}"), (page.name, node.module, alias.name)


@pytest.mark.parametrize("page", [_page_param(p) for p in PAGES])
def test_code_examples_run_and_print_what_the_page_says(page, tmp_path):
    """All ```python blocks of a page, run in order in one fresh interpreter; a block
    followed by a ```text block must print that text (doctest's ELLIPSIS and
    NORMALIZE_WHITESPACE)."""
    blocks = [(code, want) for lang, code, want in code_blocks(page.read_text())
              if lang == "python"]
    assert blocks
    program = "\n".join(f"{code}\nprint({SEPARATOR!r})" for code, _ in blocks)
    p = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                       cwd=tmp_path, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    printed = p.stdout.split(SEPARATOR + "\n")
    for k, (_, want) in enumerate(blocks):
        if want is not None:
            assert check_output(want, printed[k]), (
                f"{page.name}, block {k + 1} printed\n{printed[k]}\ninstead of\n{want}")


def _commands(code):
    """The ``antagonism ...`` command lines of a bash block (comments dropped)."""
    for line in code.splitlines():
        line = line.split("  #")[0].strip()
        if line.startswith("antagonism "):
            yield shlex.split(line)[1:]


def test_readme_commands_print_what_the_readme_says():
    """Every ```bash block of the README followed by a ```text block: its commands run and
    print that text."""
    checked = 0
    for lang, code, want in code_blocks((ROOT / "README.md").read_text()):
        if lang != "bash" or want is None:
            continue
        got = "".join(run_cli(*args).stdout for args in _commands(code))
        assert check_output(want, got), f"`{code.strip()}` printed\n{got}\ninstead of\n{want}"
        checked += 1
    assert checked >= 1


def test_doctest_style_comparison_and_block_pairing():
    text = "```python\nprint(1)\n```\n\n```text\n1\n```\n```bash\nls\n```\n"
    assert code_blocks(text) == [("python", "print(1)\n", "1\n"), ("bash", "ls\n", None)]
    assert check_output("a ... d\n", "a b c d\n") and not check_output("a\n", "b\n")


# -- figures ------------------------------------------------------------------------------------

def test_every_figure_has_a_page_and_an_image():
    from antagonism.numerics.figures import figure_names

    for name in figure_names():
        page = DOCS / "figures" / f"{name}.md"
        assert page.exists(), name
        assert f"({name}.png)" in page.read_text()
        assert (DOCS / "figures" / f"{name}.png").exists()


def _check_figures(out, names, vector="pdf"):
    for name in names:
        for ext in ("png", vector, "json"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
        meta = json.loads((out / f"{name}.json").read_text())
        assert meta["seed"] == 0 and meta["versions"]["numpy"]


CELL_FIGURES = ("antagonism_potential", "picture_attack", "immune_boundary_tilting",
                "shp1_ot1", "digit_boundary_tilting")


@pytest.mark.slow
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
