"""The figures command."""
from __future__ import annotations

from . import CliError, command
from .options import check_seed, nonnegative_int


def _figures_args(p):
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--quick", action="store_true", help="smaller, faster version")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (>= 0)")
    p.add_argument("--only", default=None, help="comma-separated figure names")


@command("figures", "regenerate every figure (PNG, PDF and a JSON sidecar each)",
         _figures_args)
def cmd_figures(args):
    from antagonism.numerics.figures import make_figures

    only = None if args.only is None else [s.strip() for s in args.only.split(",") if s.strip()]
    if only == []:
        raise CliError("--only is empty: name at least one figure")
    done = make_figures(args.out, quick=args.quick, seed=check_seed(args.seed), only=only)
    print(f"wrote {len(done)} figures to {args.out}: {', '.join(done)}")
