"""Command ``fit``: the posterior of a model's parameters given measured antagonism."""
from __future__ import annotations

import re
import sys
import warnings

from .base import CliError, command, emit
from .options import (
    add_json_option,
    add_model_options,
    add_seed_option,
    count,
    model_from_args,
    nonnegative_int,
    parameter_values,
    unit_interval,
)

FORWARD = ("auto", "derived", "evaluator")


def _fit_args(p):
    p.add_argument("data", help="CSV with columns tau_agonist, L_agonist, tau_antagonist, "
                                "L_antagonist, fold_change, sd (and optionally replicate); "
                                "see docs/fitting.md")
    add_model_options(p, help_extra="; several, comma-separated (adaptive,kpr,shp1), are "
                                    "fitted and compared by WAIC")
    budget = next(a for a in p._actions if a.dest == "time_budget")
    budget.default = None  # a fit takes minutes; a model file keeps its own budget
    budget.help = ("seconds the whole fit may take before it stops with an error (default: "
                   "no limit; a model file is still read within its own budget)")
    p.add_argument("--free", default=None, metavar="NAMES",
                   help="comma-separated parameters to fit (default: the model's, e.g. N,m "
                        "for adaptive; required with --model-file); --N, --m, --param fix "
                        "the others")
    p.add_argument("--prior", action="append", default=[], metavar="NAME=KIND:LO:HI",
                   help="a prior, name=uniform:lo:hi or name=loguniform:lo:hi (repeatable; "
                        "default priors: docs/fitting.md)")
    add_seed_option(p)
    p.add_argument("--walkers", type=count, default=None,
                   help="emcee walkers (default 32, or 8 for numeric steady states)")
    p.add_argument("--steps", type=count, default=None,
                   help="steps per walker (default 4000, or 300 for numeric steady states)")
    p.add_argument("--burn", type=nonnegative_int, default=None,
                   help="steps discarded (default: half)")
    p.add_argument("--draws", type=nonnegative_int, default=None,
                   help="posterior draws whose regime, tau* and strength are derived "
                        "(default 200, or 40 for numeric steady states)")
    p.add_argument("--forward", choices=FORWARD, default="auto",
                   help="the fold change: derived closed form, or each draw's evaluator "
                        "(compiled kernels for T_{N,m})")
    p.add_argument("--tolerance", type=unit_interval, default=0.9,
                   help="a draw antagonises iff its strength at the data's budget is below "
                        "this")
    p.add_argument("--plot", default=None, metavar="PATH",
                   help="draw the fit: writes PATH's stem as PNG, PDF and a JSON sidecar")
    add_json_option(p)


def _free(text):
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", n)]
    if not names or bad:
        raise CliError(f"--free must be comma-separated parameter names, got {text!r}")
    return names


def _check_writable(path):
    import os
    from pathlib import Path

    folder = Path(path).parent
    if not folder.is_dir():
        raise CliError(f"--plot: cannot write {path} (no folder {folder})")
    if not os.access(folder, os.W_OK):
        raise CliError(f"--plot: cannot write {path} (folder not writable)")


@command("fit", "fit a model to measured antagonism (emcee): posterior, regime "
                "probability, tau*, strength, WAIC", _fit_args)
def cmd_fit(args):
    from antagonism._core.parsing import parse_float
    from antagonism.numerics.fit import compare_models, fit_antagonism, read_fit_data
    from antagonism.numerics.fit.posterior import ConvergenceWarning

    data = read_fit_data(args.data)
    if args.plot:  # refused before a long fit, not after it
        _check_writable(args.plot)
    options = dict(seed=args.seed, walkers=args.walkers, steps=args.steps, burn=args.burn,
                   draws=args.draws, route=args.forward, tolerance=args.tolerance,
                   progress=not args.json)
    models = [m.strip() for m in args.model.split(",")]
    with warnings.catch_warnings():  # printed below, once, from the result
        warnings.simplefilter("ignore", ConvergenceWarning)
        if args.model_file is not None:
            result = fit_antagonism(data, model_from_args(args), free=_free(args.free),
                                    priors=args.prior, **options)
        elif len(models) > 1:
            if args.free or args.prior or parameter_values(args):
                raise CliError("--free, --prior, --N, --m, --tau-c and --param apply to one "
                               "model: fit the models one by one to set them")
            result = compare_models(data, models, **options)
        else:
            fixed = {k: parse_float(v, f"--{k.replace('_', '-')}")
                     for k, v in parameter_values(args).items()}
            result = fit_antagonism(data, models[0], free=_free(args.free), fixed=fixed,
                                    priors=args.prior, **options)
    fits = result.fits if "fits" in result else {result.model: result}
    for name, fit in fits.items():
        for text in fit.warnings:
            print(f"antagonism: warning: {name}: {text}", file=sys.stderr)
    if args.plot:
        from antagonism.numerics.figures.fit_posterior import draw_fit

        try:
            draw_fit(fits[result.best] if "fits" in result else result, args.plot)
        except OSError as exc:
            raise CliError(f"--plot: cannot write {args.plot} ({exc.strerror or exc})") from None
    emit(args, result)
