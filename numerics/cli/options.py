"""Options shared by the commands: choosing a model and its parameters, lists of numbers,
and the strict parsers of every numeric option.

Every value a user types is parsed by :func:`~antagonism.derivations.validation.parse_number`
(integers, decimals, fractions a/b; nothing is evaluated); model parameters may also be a
plain symbol name where a command keeps parameters symbolic (``derive``).
"""
from __future__ import annotations

import argparse
import re

from antagonism.derivations.errors import InputError

from . import CliError

#: default time budget (s) of a command's symbolic work (--time-budget)
DEFAULT_TIME_BUDGET = 300.0


def _parsed(text, check, what):
    from antagonism.derivations.validation import parse_float

    try:
        value = parse_float(text, "value")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("value", "the value", 1)) from None
    if not check(value):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def finite_float(text):
    """argparse type: a finite number."""
    return _parsed(text, lambda v: True, "a finite number")


def positive_float(text):
    """argparse type: a finite number > 0."""
    return _parsed(text, lambda v: v > 0, "a positive number")


def fraction(text):
    """argparse type: a number in [0, 1]."""
    return _parsed(text, lambda v: 0 <= v <= 1, "a number in [0, 1]")


def _integer(text, lo, what):
    t = str(text).strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", t):
        raise argparse.ArgumentTypeError(f"must be {what} (an integer of at most 18 digits), "
                                         f"got {text!r}")
    value = int(t)
    if value < lo:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def count(text):
    """argparse type: an integer >= 1 (a count or a size)."""
    return _integer(text, 1, "a positive integer")


def nonnegative_int(text):
    """argparse type: an integer >= 0 (a seed)."""
    return _integer(text, 0, "a non-negative integer")


def add_time_budget_option(p):
    """--time-budget SECONDS: the command's symbolic work stops with a clear error after it."""
    p.add_argument("--time-budget", dest="time_budget", type=positive_float,
                   default=DEFAULT_TIME_BUDGET,
                   help="seconds the command may compute before it stops with an error")


def check_memory(n_items, bytes_per_item, what):
    """Refuse a size whose arrays would not fit in the available memory (LimitError)."""
    import os

    from antagonism.derivations.errors import LimitError

    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return n_items
    need = n_items * bytes_per_item
    if need > available // 2:
        raise LimitError(f"{what} = {n_items} needs about {need / 1e9:.3g} GB, more than half "
                         f"of the available memory ({available / 1e9:.3g} GB)")
    return n_items


def add_model_options(p, default="adaptive", help_extra=""):
    """--model NAME, the common parameters --N, --m, --tau-c and --param name=value."""
    from antagonism.derivations import model_names

    p.add_argument("--model", default=default,
                   help=f"registered model: {', '.join(model_names())}{help_extra}")
    p.add_argument("--model-file", default=None,
                   help="a reaction network in Antimony (.ant) or SBML (.xml) instead of "
                        "--model; --param overrides its parameters")
    p.add_argument("--N", default=None, help="number of proofreading steps")
    p.add_argument("--m", default=None, help="feedback step, 0 <= m < N (T_{N,m})")
    p.add_argument("--tau-c", dest="tau_c", default=None, help="threshold binding time (s)")
    p.add_argument("--param", action="append", default=[],
                   help="any other model parameter, name=value (repeatable)")
    add_time_budget_option(p)


def add_json_option(p):
    """--json: print one JSON object instead of text."""
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def parameter_values(args):
    """The model parameters given on the command line, by name (strings)."""
    given = {k: getattr(args, k) for k in ("N", "m", "tau_c") if getattr(args, k) is not None}
    for item in args.param:
        if "=" not in item:
            raise CliError(f"--param must look like name=value, got {item!r}")
        k, v = item.split("=", 1)
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", k.strip()):
            raise CliError(f"--param name must be a plain identifier, got {k.strip()!r}")
        given[k.strip()] = v.strip()
    return given


def _number(name, text):
    """A model parameter from the command line: a finite number, parsed strictly."""
    from antagonism.derivations.validation import parse_float

    return parse_float(text, f"--{name.replace('_', '-')}")


def model_from_args(args, defaults=None):
    """The model of --model-file, or the registered model named by --model, with the given
    parameters (numbers); the command's ``defaults`` apply to parameters the model has and
    the user did not set."""
    from antagonism.derivations import model_spec

    given = {k: _number(k, v) for k, v in parameter_values(args).items()}
    if args.model_file is not None:
        import os

        from antagonism.derivations.reactions import NetworkModel
        from antagonism.numerics.data.reaction_files import load_model_file

        unknown = {"N", "m"} & set(given)
        if unknown:
            raise CliError(f"--{sorted(unknown)[0]} does not apply to a model file; use "
                           "--param name=value for its parameters")
        if not os.path.isfile(args.model_file):
            raise CliError(f"no model file {args.model_file}")
        from antagonism.derivations.reactions import NetworkError

        try:
            return NetworkModel(load_model_file(args.model_file).network, **given)
        except NetworkError as exc:
            if isinstance(exc, InputError):
                raise
            raise CliError(f"{args.model_file}: {exc}") from exc
    spec = model_spec(args.model)
    for k, v in (defaults or {}).items():
        if k in spec.parameters and k not in given:
            given[k] = v
    return spec.create(**given)


def number_list(text, name, lo=None, hi=None):
    """Comma-separated numbers, each within [lo, hi] when given."""
    from antagonism.derivations.validation import parse_float

    try:
        values = [parse_float(e, f"--{name}") for e in text.split(",") if e.strip()]
    except InputError:
        raise CliError(f"--{name} must be comma-separated numbers, got {text!r}") from None
    bad = [v for v in values if (lo is not None and v < lo) or (hi is not None and v > hi)]
    if not values or bad:
        raise CliError(f"--{name} values must lie in [{lo}, {hi}], got {text!r}")
    return values


def check_seed(seed):
    if seed < 0:
        raise CliError(f"--seed must be non-negative, got {seed}")
    return seed
