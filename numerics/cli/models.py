"""Commands about models: classify, derive, regimes, docs."""
from __future__ import annotations

import json

from . import CliError, command, emit
from .options import add_json_option, add_model_options, model_from_args, parameter_values


def _classify_args(p):
    add_model_options(p)
    add_json_option(p)


@command("classify", "regime of a cell model (broad or specialized antagonism)", _classify_args)
def cmd_classify(args):
    from antagonism.theory import classify

    model = model_from_args(args)
    result = classify(model)
    text = "\n".join([repr(model), f"regime: {result.regime}"]
                     + [f"  - {r}" for r in result.reasons])
    emit(args, result.to_dict(), text)


def _derive_args(p):
    from antagonism.derivations import QUANTITIES

    add_model_options(p)
    p.add_argument("--quantity", required=True, choices=list(QUANTITIES),
                   help="the derived quantity to print")
    p.add_argument("--latex", action="store_true", help="print LaTeX")
    p.add_argument("--steps", action="store_true", help="print every derivation step (Markdown)")


@command("derive", "print a derived closed form (sympy); unset parameters stay symbols",
         _derive_args)
def cmd_derive(args):
    from antagonism.derivations import derive, model_spec

    if args.model_file is not None:
        model = model_from_args(args)
    else:
        spec = model_spec(args.model)
        given = parameter_values(args)
        unknown = set(given) - set(spec.parameters)
        if unknown:
            raise CliError(f"unknown parameter(s) {sorted(unknown)} for model {args.model!r}")
        model = spec.factory(**given)
    result = derive(model, args.quantity)
    if args.steps:
        print(result.markdown())
    elif args.latex:
        print(result.latex())
    else:
        print("none: " + "; ".join(result.conditions) if result.expr is None else result.expr)


def _regimes_args(p):
    p.add_argument("--max-N", type=int, default=6, help="largest number of proofreading steps")
    p.add_argument("--tau-c", type=float, default=3.0, help="threshold binding time (s)")
    add_json_option(p)


@command("regimes", "regime table of T_{N,m} for N = 1..6 (the main job on built-in settings)",
         _regimes_args)
def cmd_regimes(args):
    from antagonism.theory import regime_table

    rows = regime_table(range(1, args.max_N + 1), args.tau_c)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows]))
        return
    fmt = (lambda v: "-" if v is None else f"{v:.4f}")  # noqa: E731
    print(f"{'N':>3} {'m':>3}  {'regime':<12} {'tau*':>8} {'tau_infl':>9}  escape")
    for r in rows:
        N, m = r.parameters["N"], r.parameters["m"]
        print(f"{N:>3g} {m:>3g}  {r.regime:<12} {fmt(r.tau_star):>8} "
              f"{fmt(r.tau_inflection):>9}  {r.escape}")


def _docs_args(p):
    p.add_argument("--out", default="docs", help="output folder")


@command("docs", "regenerate the generated documentation pages from the package", _docs_args)
def cmd_docs(args):
    from antagonism.numerics.reports import write_generated_pages

    for path in write_generated_pages(args.out):
        print(f"wrote {path}")


def _literature_args(p):
    add_json_option(p)


@command("literature", "classify the literature models shipped as Antimony files (a table)",
         _literature_args)
def cmd_literature(args):
    from antagonism.numerics.experiments.literature import literature_markdown, literature_table

    rows = literature_table()
    if args.json:
        print(json.dumps([r.to_dict() for r in rows]))
    else:
        print(literature_markdown(rows))
