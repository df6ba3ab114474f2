"""The generated documentation pages (``antagonism docs``): every number on them comes from
the package, and a test fails when the committed pages are stale."""
from __future__ import annotations

from pathlib import Path

REGIMES_PAGE = """# Regimes of adaptive proofreading T_{{N,m}}

Computed by the package from the derived closed forms (Rademaker, Bengio & François,
PRX 9, 031012, 2019).  Specialized antagonism (a critical point of the gradient,
tau_infl in (0, tau*)) holds iff m > 1; broad antagonism otherwise.  The escape of self
ligands under gradient descent is finite-time for 0 < m < 2, exponential at m = 2 and frozen
for m > 2; for m = 0 every ligand is pushed to tau -> 0.  tau* and tau_infl are given on the
decision boundary T = 1.  The strength is the smallest fold change of one agonist type at
tau_c (L = 1) reached by antagonists of one binding time tau_2 (in parentheses) with
L_2 <= 100; the verdict is antagonism iff it is below 0.9 (see the vocabulary below).

{table}
Non-integer exponents follow the same rule, for example:

{extra}

{vocabulary}
{renamed}"""


def regimes_markdown():
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.theory import classify
    from antagonism.theory.regimes import regime_table_markdown
    from antagonism.theory.vocabulary import VOCABULARY, renamed_keys_markdown

    extra = "\n".join(
        f"- N = {N}, m = {m}: {r.regime}, escape {r.escape}"
        for N, m in ((2.5, 0.5), (3.5, 1.5), (4.5, 2.5), (3, 2))
        for r in [classify(AdaptiveProofreading(N, m, 1.0))])
    return REGIMES_PAGE.format(table=regime_table_markdown(), extra=extra,
                               vocabulary=VOCABULARY, renamed=renamed_keys_markdown())


def generated_pages():
    """{file name: Markdown text} of every generated page."""
    from antagonism.derivations.report import derivations_markdown

    from .experiments.literature import literature_markdown

    return {"derivations.md": derivations_markdown(), "regimes.md": regimes_markdown(),
            "literature.md": literature_markdown()}


def write_generated_pages(out="docs"):
    """Write the generated pages into ``out``; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generated_pages().items():
        (out / name).write_text(text)
        paths.append(out / name)
    return paths
