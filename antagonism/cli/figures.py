"""The figures command."""
from __future__ import annotations

import difflib

from .base import CliError, command
from .options import add_quick_option, add_seed_option, check_seed, positive_float

#: figures whose cells can be chosen with --model/--N/--m, and those drawn at --tau-c
MODEL_FIGURES = ("antagonism_potential",)
TAU_C_FIGURES = ("antagonism_potential", "descent_grid", "picture_attack",
                 "immune_boundary_tilting", "shp1_ot1")


def public_name(name):
    """A figure's name as the command line writes it: ``descent_grid`` -> ``descent-grid``."""
    return name.replace("_", "-")


def _figures_args(p):
    from antagonism.numerics.figures import figure_names
    from antagonism.numerics.figures.common import VECTOR_FORMATS

    names = [public_name(n) for n in figure_names()]
    p.add_argument("--out", required=True, help="output folder")
    add_quick_option(p, "small set-ups: fewer ligands and iterations, small networks trained "
                        "briefly (a check of the pipeline: minutes for every figure)")
    add_seed_option(p)
    p.add_argument("--only", default=None, metavar="NAME[,NAME...]",
                   help=f"comma-separated figure names, from: {', '.join(names)} "
                        "(underscores work too)")
    p.add_argument("--format", dest="fmt", choices=VECTOR_FORMATS, default="pdf",
                   help="vector file written next to each PNG (300 dpi)")
    p.add_argument("--tau-c", dest="tau_c", type=positive_float, default=None,
                   help="threshold binding time (s) of the figures drawn at one "
                        f"({', '.join(public_name(n) for n in TAU_C_FIGURES)}); default 3 s "
                        "as in the paper")
    p.add_argument("--model", action="append", default=None, metavar="NAME[:k=v,...]",
                   help="draw the antagonism potential for these registered models instead "
                        "of the T_{N,m} grid (adaptive proofreading with N steps and "
                        "feedback at step m) (repeatable), e.g. --model shp1:m=2 "
                        "--model adaptive:N=4,m=2")


def parse_models(specs, tau_c=None):
    """``name[:k=v,...]`` strings -> models of the registry (numbers only)."""
    from antagonism._core.parsing import parse_float
    from antagonism.derivations import model_spec

    models = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        params = {}
        for item in filter(None, (s.strip() for s in rest.split(","))):
            if "=" not in item:
                raise CliError(f"--model parameters must look like k=v, got {item!r}")
            k, v = item.split("=", 1)
            params[k.strip()] = parse_float(v, f"--model {spec!r}: {k.strip()}")
        model_sp = model_spec(name.strip())
        if tau_c is not None and "tau_c" in model_sp.parameters:
            params.setdefault("tau_c", tau_c)
        models.append(model_sp.create(**params))
    return models


@command("figures", "regenerate every figure (PNG at 300 dpi, PDF or SVG, and a JSON "
         "sidecar each) at journal size",
         _figures_args)
def cmd_figures(args):
    from antagonism.numerics.figures import figure_names, make_figures, registry_name

    only = (None if args.only is None
            else [registry_name(s) for s in args.only.split(",") if s.strip()])
    if only == []:
        raise CliError("--only is empty: name at least one figure")
    known = figure_names()
    unknown = sorted(set(only or ()) - set(known))
    if unknown:
        close = {n: difflib.get_close_matches(n, known, n=1) for n in unknown}
        hint = "; ".join(f"did you mean {public_name(c[0])} for {public_name(n)}?"
                         for n, c in close.items() if c)
        raise CliError(f"--only: unknown figure(s) {', '.join(map(public_name, unknown))}; "
                       f"choose from {', '.join(map(public_name, known))}"
                       + (f" ({hint})" if hint else ""))
    options = {}
    if args.tau_c is not None:
        options = {name: {"tau_c": args.tau_c} for name in TAU_C_FIGURES}
    if args.model:
        options.setdefault("antagonism_potential", {})["models"] = parse_models(args.model,
                                                                                args.tau_c)
    done = make_figures(args.out, quick=args.quick, seed=check_seed(args.seed), only=only,
                        options=options, fmt=args.fmt)
    print(f"wrote {len(done)} figures to {args.out} (PNG and {args.fmt.upper()}, with a JSON "
          f"sidecar each): {', '.join(map(public_name, done))}")
