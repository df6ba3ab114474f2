"""The reproduce command: the authors' procedures next to the package's exact methods."""
from __future__ import annotations

from . import command
from .options import nonnegative_int


def _reproduce_args(p):
    from antagonism.numerics.experiments.reproduce import PROCEDURES

    p.add_argument("name", nargs="?", default=None, choices=PROCEDURES,
                   metavar="NAME", help=f"one procedure, from: {', '.join(PROCEDURES)} "
                   "(default: all)")
    p.add_argument("--quick", action="store_true", help="smaller set-ups (seconds each)")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (>= 0)")
    p.add_argument("--image", default=None,
                   help="picture attack: an image file (grey level -> binding time) instead "
                        "of the text MTL rendered with matplotlib")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


@command("reproduce", "run the authors' procedures (binned descent, immune boundary, "
         "antagonism potential, picture attack, PCA + LinearSVC digits) next to the "
         "package's exact methods", _reproduce_args)
def cmd_reproduce(args):
    import json

    from antagonism.numerics.experiments.reproduce import reproduce, table_text

    from .options import check_seed

    results = reproduce(args.name, quick=args.quick, seed=check_seed(args.seed),
                        image=args.image)
    if args.json:
        print(json.dumps({name: r.to_dict() for name, r in results.items()}))
    else:
        print(table_text(results))
