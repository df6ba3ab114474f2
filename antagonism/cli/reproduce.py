"""The reproduce command: the authors' procedures next to the package's exact methods."""
from __future__ import annotations

from .base import command
from .options import add_json_option, add_quick_option, add_seed_option, check_seed


def _reproduce_args(p):
    from antagonism.numerics.experiments.reproduce import PROCEDURES

    p.add_argument("name", nargs="?", default=None, choices=PROCEDURES,
                   metavar="NAME", help=f"one procedure, from: {', '.join(PROCEDURES)} "
                   "(default: all)")
    add_quick_option(p, "smaller set-ups (seconds each)")
    add_seed_option(p)
    p.add_argument("--image", default=None,
                   help="picture attack: an image file (grey level -> binding time) instead "
                        "of the text MTL rendered with matplotlib")
    add_json_option(p)


@command("reproduce", "run the authors' procedures (binned descent, immune boundary, "
         "antagonism potential, picture attack, PCA + LinearSVC digits) next to the "
         "package's exact methods", _reproduce_args)
def cmd_reproduce(args):
    from antagonism._core.result import to_json
    from antagonism.numerics.experiments.reproduce import reproduce, table_text

    results = reproduce(args.name, quick=args.quick, seed=check_seed(args.seed),
                        image=args.image)
    if args.json:
        print(to_json({name: r.to_dict() for name, r in results.items()}))
    else:
        print(table_text(results))
