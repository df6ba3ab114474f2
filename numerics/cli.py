"""The ``antagonism`` command line.

Every sub-command prints human-readable text, or one JSON object with ``--json``.  Bad input
exits with status 2 and a one-line message naming the bad value, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys

COMMANDS = {}


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise CliError(message)


def command(name, help_text, arguments):
    """Register a sub-command: ``arguments(parser)`` declares its options."""
    def register(func):
        COMMANDS[name] = (func, help_text, arguments)
        return func
    return register


def _emit(args, payload, text):
    if getattr(args, "json", False):
        print(json.dumps(payload))
    else:
        print(text)


# -- issue 2: classify and derive ----------------------------------------------------------
def _classify_args(p):
    p.add_argument("--model", default="adaptive",
                   help="adaptive, kpr or shp1 (shp1: classical parameters, agonists at 10 s)")
    p.add_argument("--N", type=float, default=5.0, help="number of proofreading steps")
    p.add_argument("--m", type=float, default=3.0, help="feedback step, 0 <= m < N")
    p.add_argument("--tau-c", type=float, default=3.0, help="threshold binding time (s)")
    p.add_argument("--json", action="store_true")


@command("classify", "regime of a proofreading model (broad or specialized antagonism)",
         _classify_args)
def cmd_classify(args):
    from antagonism.theory import classify_regime

    if args.model == "shp1":
        from antagonism.numerics.shp1_regimes import classify_shp1

        if args.m != int(args.m) or args.m < 0:
            raise CliError(f"--m must be a non-negative integer for shp1, got {args.m}")
        result = classify_shp1(int(args.m))
        result.m = float(args.m)
        _emit(args, result.to_dict(), "\n".join([f"shp1 m={args.m:g}",
                                                 f"regime: {result.regime}"]
                                                + [f"  - {r}" for r in result.reasons]))
        return
    result = classify_regime(args.model, args.N, args.m, args.tau_c)
    payload = result.to_dict()
    text = "\n".join([f"{args.model} N={args.N:g}" + ("" if result.m is None else f" m={args.m:g}"),
                      f"regime: {result.regime}"] + [f"  - {r}" for r in result.reasons])
    _emit(args, payload, text)


QUANTITIES = ("gradient", "gradient-L", "hessian", "tau-star", "tau-inflection", "boundary",
              "fold-change", "weight", "exponent")


def _derive_args(p):
    p.add_argument("--model", default="adaptive", help="adaptive or kpr")
    p.add_argument("--N", default="N", help="a number or the symbol N")
    p.add_argument("--m", default="m", help="a number or the symbol m")
    p.add_argument("--tau-c", default="tau_c", help="a number or the symbol tau_c")
    p.add_argument("--quantity", required=True, choices=QUANTITIES)
    p.add_argument("--latex", action="store_true", help="print LaTeX")
    p.add_argument("--steps", action="store_true", help="print every derivation step (Markdown)")


def _parse_value(text, name):
    import sympy as sp

    from antagonism.derivations import symbols as sy

    names = {"N": sy.N, "m": sy.m, "tau_c": sy.tau_c, "T": sy.T}
    try:
        value = sp.sympify(text, locals=names)
    except (sp.SympifyError, TypeError, SyntaxError, AttributeError):
        raise CliError(
            f"--{name.replace('_', '-')} must be a number or a symbol, got {text!r}") from None
    if not isinstance(value, sp.Expr):
        raise CliError(f"--{name.replace('_', '-')} must be a number or a symbol, got {text!r}")
    if value.is_number:
        if value.is_real is False or not value.is_finite:
            raise CliError(f"--{name.replace('_', '-')} must be a finite real number, got {text!r}")
        if value < 0:
            raise CliError(f"--{name.replace('_', '-')} must be non-negative, got {text}")
    return value


@command("derive", "print a derived closed form (sympy)", _derive_args)
def cmd_derive(args):
    from antagonism import derivations as dv

    N = _parse_value(args.N, "N")
    m = _parse_value(args.m, "m")
    tau_c = _parse_value(args.tau_c, "tau_c")
    if args.model == "adaptive":
        model = dv.AdaptiveProofreading(N, m, tau_c)
    elif args.model == "kpr":
        model = dv.KineticProofreading(N)
    else:
        raise CliError(f"unknown model {args.model!r}; choose adaptive or kpr")
    symbolic_model = model if args.model == "kpr" else dv.AdaptiveProofreading(N, m, tau_c)
    derive = {
        "gradient": dv.gradient_tau, "gradient-L": dv.gradient_L,
        "hessian": dv.hessian_structural, "tau-star": dv.critical_binding_time,
        "tau-inflection": dv.inflection_binding_time, "boundary": dv.decision_boundary,
        "fold-change": dv.fold_change, "weight": dv.linear_weight,
        "exponent": dv.small_tau_exponent,
    }[args.quantity]
    if args.model == "kpr" and args.quantity in ("boundary", "fold-change", "weight",
                                                  "tau-inflection"):
        raise CliError(f"--quantity {args.quantity} is defined for the adaptive model only")
    result = derive(symbolic_model)
    if args.steps:
        print(result.markdown())
    elif args.latex:
        print(result.latex())
    else:
        print(result.expr)


def _regimes_args(p):
    p.add_argument("--max-N", type=int, default=6)
    p.add_argument("--tau-c", type=float, default=3.0)
    p.add_argument("--json", action="store_true")


@command("regimes", "regime table of T_{N,m} for N = 1..6 (the main job on built-in settings)",
         _regimes_args)
def cmd_regimes(args):
    from antagonism.theory import regime_table

    rows = regime_table(range(1, args.max_N + 1), args.tau_c)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows]))
        return
    print(f"{'N':>3} {'m':>3}  {'regime':<12} {'tau*':>8} {'tau_infl':>9}  escape")
    for r in rows:
        fmt = (lambda v: "-" if v is None else f"{v:.4f}")
        print(f"{r.N:>3g} {r.m:>3g}  {r.regime:<12} {fmt(r.tau_star):>8} "
              f"{fmt(r.tau_inflection):>9}  {r.escape}")


REGIMES_PAGE = """# Regimes of adaptive proofreading T_{{N,m}}

Generated by `antagonism docs`.  Specialized antagonism (a critical point of the gradient,
tau_infl in (0, tau*)) holds iff m > 1; broad antagonism otherwise.  The escape of self
ligands under gradient descent is finite-time for 0 < m < 2, exponential at m = 2 and frozen
for m > 2; for m = 0 every ligand is pushed to tau -> 0.  tau* and tau_infl are given on the
decision boundary T = 1.

{table}
Non-integer exponents follow the same rule, for example:

{extra}
"""


def _docs_args(p):
    p.add_argument("--out", default="docs", help="output folder")


@command("docs", "regenerate docs/derivations.md and docs/regimes.md from the package", _docs_args)
def cmd_docs(args):
    from pathlib import Path

    from antagonism.derivations.report import derivations_markdown
    from antagonism.theory.regimes import classify_regime, regime_table_markdown

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "derivations.md").write_text(derivations_markdown())
    extra = "\n".join(
        f"- N = {N}, m = {m}: {r.regime}, escape {r.escape}"
        for N, m in ((2.5, 0.5), (3.5, 1.5), (4.5, 2.5), (3, 2))
        for r in [classify_regime("adaptive", N, m)])
    (out / "regimes.md").write_text(REGIMES_PAGE.format(table=regime_table_markdown(),
                                                        extra=extra))
    print(f"wrote {out / 'derivations.md'} and {out / 'regimes.md'}")


# -- issue 3: descent and antagonism potential ----------------------------------------------
def _descend_args(p):
    p.add_argument("--model", default="adaptive", help="adaptive (T_{N,m})")
    p.add_argument("--N", type=float, default=5.0)
    p.add_argument("--m", type=float, default=3.0)
    p.add_argument("--tau-c", type=float, default=3.0)
    p.add_argument("--agonist-fraction", type=float, default=0.3)
    p.add_argument("--ligands", type=int, default=101**2, help="number of ligands")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eps", type=float, default=0.2, help="step size")
    p.add_argument("--max-iter", type=int, default=20000)
    p.add_argument("--variant", choices=("exact", "binned"), default="exact")
    p.add_argument("--json", action="store_true")


def _require_adaptive(model):
    if model != "adaptive":
        raise CliError(f"unknown model {model!r} for this command; available: adaptive")


@command("descend", "gradient descent of sub-threshold ligands to the decision boundary",
         _descend_args)
def cmd_descend(args):
    from antagonism.numerics.descent import descend_to_boundary
    from antagonism.numerics.ligands import paper_ligands
    from antagonism.theory.validation import check_exponents

    _require_adaptive(args.model)
    check_exponents(args.N, args.m)
    if args.seed < 0:
        raise CliError(f"--seed must be non-negative, got {args.seed}")
    lig = paper_ligands(args.ligands, args.agonist_fraction, args.tau_c, args.seed)
    res = descend_to_boundary(lig.tau, lig.L, args.N, args.m, args.tau_c, eps=args.eps,
                              max_iter=args.max_iter, variant=args.variant)
    payload = res.summary()
    payload["seed"] = args.seed
    text = "\n".join(f"{k}: {v}" for k, v in payload.items())
    _emit(args, payload, text)


def _potential_args(p):
    p.add_argument("--model", default="adaptive")
    p.add_argument("--N", type=float, default=4.0)
    p.add_argument("--m", type=float, default=2.0)
    p.add_argument("--tau-c", type=float, default=3.0)
    p.add_argument("--R", type=float, default=1e4, help="total ligand number")
    p.add_argument("--agonist-fraction", type=float, default=0.4)
    p.add_argument("--json", action="store_true")


@command("potential", "antagonism potential T(tau_2): minimum and inflection", _potential_args)
def cmd_potential(args):
    from antagonism.numerics.curves import antagonism_potential

    _require_adaptive(args.model)
    res = antagonism_potential(args.N, args.m, args.tau_c, R=args.R,
                               agonist_fraction=args.agonist_fraction)
    payload = res.to_dict(keys=["N", "m", "tau_c", "tau1", "L1", "L2", "tau_min", "T_min",
                                "tau_inflection"])
    _emit(args, payload, "\n".join(f"{k}: {v}" for k, v in payload.items()))


# -- issue 4: realistic cell models and data ------------------------------------------------
def _param_overrides(items):
    out = {}
    for item in items or []:
        if "=" not in item:
            raise CliError(f"--param must look like name=value, got {item!r}")
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise CliError(f"--param {k.strip()} must be a number, got {v!r}") from None
    return out


def _steady_args(p):
    p.add_argument("--model", default="shp1", help="shp1")
    p.add_argument("--tau", type=float, required=True, help="binding time (s)")
    p.add_argument("--L", type=float, required=True, help="ligand quantity (molecules)")
    p.add_argument("--param", action="append", help="override a parameter, name=value")
    p.add_argument("--json", action="store_true")


def _require_shp1(model):
    if model != "shp1":
        raise CliError(f"unknown model {model!r} for this command; available: shp1")


@command("steady", "steady state of the SHP-1 model for one ligand type", _steady_args)
def cmd_steady(args):
    from antagonism.numerics.shp1 import SHP1Model

    _require_shp1(args.model)
    if not args.tau > 0:
        raise CliError(f"--tau must be positive, got {args.tau}")
    if not args.L >= 0:
        raise CliError(f"--L must be non-negative, got {args.L}")
    st = SHP1Model(**_param_overrides(args.param)).steady_state([args.tau], [args.L])
    payload = {"C_N": float(st.C_N[0]), "S": float(st.S), "C_T": float(st.C_T[0]),
               "C_m": float(st.C_m[0]), "R_free": float(st.R_f)}
    _emit(args, payload, "\n".join(f"{k}: {v:.6g}" for k, v in payload.items()))


def _fold_change_args(p):
    p.add_argument("--model", default="shp1")
    p.add_argument("--tau1", type=float, default=10.0, help="agonist binding time (s)")
    p.add_argument("--L1", type=float, default=100.0, help="agonist quantity")
    p.add_argument("--L2", type=float, default=1000.0, help="antagonist quantity")
    p.add_argument("--m", type=int, default=None, help="feedback step (overrides --param m)")
    p.add_argument("--tau2-min", type=float, default=0.05)
    p.add_argument("--tau2-max", type=float, default=None, help="default: tau1")
    p.add_argument("--points", type=int, default=60)
    p.add_argument("--param", action="append", help="override a parameter, name=value")
    p.add_argument("--json", action="store_true")


@command("fold-change", "fold change FC(tau_2) of agonist + antagonist (SHP-1 model)",
         _fold_change_args)
def cmd_fold_change(args):
    import numpy as np

    from antagonism.numerics.shp1 import SHP1Model
    from antagonism.numerics.shp1_regimes import strongest_antagonist

    _require_shp1(args.model)
    for name in ("tau1", "L1", "L2", "tau2_min"):
        if not getattr(args, name) > 0:
            raise CliError(f"--{name.replace('_', '-')} must be positive, "
                           f"got {getattr(args, name)}")
    params = _param_overrides(args.param)
    if args.m is not None:
        params["m"] = args.m
    model = SHP1Model(**params)
    hi = args.tau2_max or args.tau1
    grid = np.geomspace(args.tau2_min, hi, args.points)
    fc = model.fold_change(args.tau1, args.L1, grid, args.L2)
    t_min, fc_min = strongest_antagonist(model, args.tau1, args.L1, args.L2,
                                         bounds=(args.tau2_min, hi))
    payload = {"tau2": grid.tolist(), "fc": fc.tolist(), "tau2_argmin": t_min,
               "fc_min": fc_min, "m": model.p["m"]}
    _emit(args, payload, f"strongest antagonist at tau2 = {t_min:.4g} s, FC = {fc_min:.4g}")


def _data_args(p):
    p.add_argument("name", choices=("ot1",), help="data set")
    p.add_argument("--json", action="store_true")


@command("data", "print a shipped reference data set", _data_args)
def cmd_data(args):
    from antagonism.numerics.experimental import load_ot1, ot1_sources

    table = load_ot1()
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in zip(table.dtype.names, r)}
            for r in table]
    if args.json:
        print(json.dumps({"peptides": rows, "sources": ot1_sources()}))
        return
    print(ot1_sources())
    for r in rows:
        print(f"{r['peptide']:>4} EC50_rel {r['ec50_rel']:>10.4g}  tau {r['tau_s']:6.3f} s")


# -- issue 6: figures ----------------------------------------------------------------------
def _figures_args(p):
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--quick", action="store_true", help="smaller, faster version")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", default=None, help="comma-separated figure names")


@command("figures", "regenerate every figure (PNG, PDF and a JSON sidecar each)",
         _figures_args)
def cmd_figures(args):
    from antagonism.numerics.figures import make_figures

    if args.seed < 0:
        raise CliError(f"--seed must be non-negative, got {args.seed}")
    only = None if args.only is None else [s.strip() for s in args.only.split(",") if s.strip()]
    done = make_figures(args.out, quick=args.quick, seed=args.seed, only=only)
    print(f"wrote {len(done)} figures to {args.out}: {', '.join(done)}")


# -- issue 5: networks ---------------------------------------------------------------------
def _robustness_args(p):
    p.add_argument("--dataset", default="digits", help="digits (bundled with scikit-learn)")
    p.add_argument("--eps", default="0.1,0.2,0.3", help="comma-separated L-inf budgets")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--queries", type=int, default=300, help="gradient-free attack queries")
    p.add_argument("--json", action="store_true")


def _eps_list(text):
    try:
        eps = [float(e) for e in text.split(",") if e.strip()]
    except ValueError:
        raise CliError(f"--eps must be comma-separated numbers, got {text!r}") from None
    bad = [e for e in eps if not 0 <= e <= 1]
    if not eps or bad:
        raise CliError(f"--eps values must lie in [0, 1], got {text!r}")
    return eps


@command("robustness", "train (or load) natural, PGD-trained and defended MLPs; attack them",
         _robustness_args)
def cmd_robustness(args):
    from antagonism.numerics.networks.robustness import robustness_report

    if args.dataset != "digits":
        raise CliError(f"unknown dataset {args.dataset!r}; available: digits")
    if args.seed < 0:
        raise CliError(f"--seed must be non-negative, got {args.seed}")
    report = robustness_report(_eps_list(args.eps), args.seed, n_queries=args.queries)
    payload = report.to_dict()
    lines = []
    for name, row in report.models.items():
        accs = "  ".join(f"eps={e}: worst {row[f'{e:g}']['worst']:.3f}" for e in report.eps)
        flag = " [masked gradients]" if report.masked_gradient_flags[name]["flagged"] else ""
        lines.append(f"{name:<14} clean {row['clean_accuracy']:.3f}  {accs}{flag}")
    _emit(args, payload, "\n".join(lines))



def build_parser():
    parser = _Parser(prog="antagonism", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (func, help_text, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        arguments(p)
        p.set_defaults(func=func)
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        args.func(args)
    except (CliError, ValueError) as exc:
        print(f"antagonism: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for a user; say what failed in one line
        print(f"antagonism: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
