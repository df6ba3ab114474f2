"""Commands about models: classify, derive, regimes, docs."""
from __future__ import annotations

import json

from . import CliError, command, emit
from .options import (
    add_executor_options,
    add_json_option,
    add_model_options,
    executor_options,
    model_from_args,
    parameter_values,
    value_grid,
)


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
        print(f"{r.N:>3g} {r.m:>3g}  {r.regime:<12} {fmt(r.tau_star):>8} "
              f"{fmt(r.tau_inflection):>9}  {r.escape}")


def _docs_args(p):
    p.add_argument("--out", default="docs", help="output folder")


@command("docs", "regenerate the generated documentation pages from the package", _docs_args)
def cmd_docs(args):
    from antagonism.numerics.reports import write_generated_pages

    for path in write_generated_pages(args.out):
        print(f"wrote {path}")


def _literature_args(p):
    add_executor_options(p)
    add_json_option(p)


@command("literature", "classify the literature models shipped as Antimony files (a table)",
         _literature_args)
def cmd_literature(args):
    from antagonism.numerics.experiments.literature import literature_markdown, literature_table

    rows = literature_table(**executor_options(args), progress=not args.json,
                            cache="literature" if args.cache else None)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows]))
    else:
        print(literature_markdown(rows))


def _sweep_args(p):
    from antagonism.derivations import model_names

    p.add_argument("--model", default="adaptive",
                   help=f"registered model: {', '.join(model_names())}")
    for flag, what in (("--N", "proofreading steps"), ("--m", "feedback step (T_{N,m})"),
                       ("--tau-c", "threshold binding time (s)")):
        p.add_argument(flag, default=None,
                       help=f"{what}: numbers and inclusive ranges a:b or a:b:step, "
                            "comma-separated (e.g. 2:5 or 1,3)")
    p.add_argument("--param", action="append", default=[],
                   help="any other model parameter, name=values (same syntax; repeatable)")
    add_executor_options(p)
    add_json_option(p)


@command("sweep", "the regime of a model over a grid of its parameters (every combination; "
                  "locally, in processes or on a dask cluster; cached per point)", _sweep_args)
def cmd_sweep(args):
    from antagonism.numerics.experiments.sweep import parameter_sweep

    grid = {k: getattr(args, k) for k in ("N", "m", "tau_c") if getattr(args, k) is not None}
    for item in args.param:
        if "=" not in item:
            raise CliError(f"--param must look like name=values, got {item!r}")
        k, v = item.split("=", 1)
        grid[k.strip()] = v
    if not grid:
        raise CliError("give at least one parameter to sweep (--N, --m, --tau-c or --param)")
    grid = {k: value_grid(v, k) for k, v in grid.items()}
    result = parameter_sweep(args.model, grid, **executor_options(args),
                             cache="parameter-sweep" if args.cache else None,
                             progress=not args.json)
    fmt = (lambda v: "-" if v is None else f"{v:.4g}")  # noqa: E731
    names = list(result.grid)
    lines = ["  ".join(f"{n:>6}" for n in names) + f"  {'regime':<12} {'tau*':>8} "
             f"{'tau_infl':>9}  escape"]
    for row in result.rows:
        p = row["parameters"]
        lines.append("  ".join(f"{p.get(n, float('nan')):>6g}" for n in names)
                     + f"  {row['regime']:<12} {fmt(row['tau_star']):>8} "
                       f"{fmt(row['tau_inflection']):>9}  {row['escape']}")
    for s in result.skipped:
        pt = ", ".join(f"{k}={v:g}" for k, v in s["parameters"].items())
        lines.append(f"skipped {pt}: {s['reason']}")
    emit(args, result.to_dict(), "\n".join(lines))
