"""Options shared by the commands: choosing a model and its parameters, lists of numbers,
and the strict parsers of every numeric option.

Every value a user types is parsed by :func:`~antagonism._core.parsing.parse_float`
(integers, decimals, fractions a/b; nothing is evaluated); model parameters may also be a
plain symbol name where a command keeps parameters symbolic (``derive``).
"""
from __future__ import annotations

import argparse
import re

# DEFAULT_TIME_BUDGET: the default of --time-budget (s); reading a model file from Python
# has the same default
from antagonism._core.budget import DEFAULT_TIME_BUDGET
from antagonism._core.errors import InputError

from .base import CliError


def _parsed(text, check, what):
    from antagonism._core.parsing import parse_float

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


def unit_interval(text):
    """argparse type: a number in (0, 1] (a tolerance, a fraction of a response)."""
    return _parsed(text, lambda v: 0 < v <= 1, "a number in (0, 1]")


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


def add_seed_option(p, default=0, help_text="random seed (>= 0)"):
    """--seed N: the one seed option of every command (explicit seeds: same seed, same
    numbers)."""
    p.add_argument("--seed", type=nonnegative_int, default=default, help=help_text)


def add_quick_option(p, help_text="smaller, faster version (a check of the pipeline)"):
    """--quick: the command's small set-up."""
    p.add_argument("--quick", action="store_true", help=help_text)


def add_time_budget_option(p):
    """--time-budget SECONDS: the command's symbolic work stops with a clear error after it."""
    p.add_argument("--time-budget", dest="time_budget", type=positive_float,
                   default=DEFAULT_TIME_BUDGET,
                   help="seconds the command may compute before it stops with an error")


def check_memory(n_items, bytes_per_item, what):
    """Refuse a size whose arrays would not fit in the available memory (LimitError)."""
    import os

    from antagonism._core.errors import LimitError

    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return n_items
    need = n_items * bytes_per_item
    if need > available // 2:
        raise LimitError(f"{what} = {n_items} needs about {need / 1e9:.3g} GB, more than half "
                         f"of the available memory ({available / 1e9:.3g} GB)")
    return n_items
#: the designations of a model file that flags override (--ligand, --output...)
DESIGNATIONS = ("ligand", "output", "bound_states", "binding_time", "off_rate")


def add_designation_options(p):
    """--ligand, --output, --bound-states, --binding-time and --off-rate: what a model
    file's directives say, overridden."""
    for flag, what in (("--ligand", "the free ligand species"),
                       ("--output", "the output: a species or an expression of species"),
                       ("--bound-states", "comma-separated species that hold the ligand "
                                          "(checked against the reactions)"),
                       ("--binding-time", "the parameter that is the ligand's binding time "
                                          "tau (s)"),
                       ("--off-rate", "the parameter that is the ligand's off rate k (1/s): "
                                      "the binding time is 1/k")):
        p.add_argument(flag, default=None,
                       help=f"with --model-file: {what}; overrides the file's directive")


def add_model_options(p, default="adaptive", help_extra=""):
    """--model NAME, the common parameters --N, --m, --tau-c and --param name=value."""
    p.add_argument("--model", default=default, help=model_help(help_extra))
    p.add_argument("--model-file", default=None,
                   help="a reaction network in Antimony (.ant) or SBML (.xml), or the name of "
                        "a shipped one (mckeithan_kpr...: `antagonism models`), instead of "
                        "--model; --param sets its parameters or species' initial amounts "
                        "before the file is checked")
    add_designation_options(p)
    p.add_argument("--N", default=None,
                   help="number of proofreading steps (the N of T_{N,m}, adaptive "
                        "proofreading with N steps and feedback at step m)")
    p.add_argument("--m", default=None, help="feedback step, 0 <= m < N (the m of T_{N,m})")
    p.add_argument("--tau-c", dest="tau_c", default=None,
                   help="tau_c (s): the threshold binding time at the reference dose (the "
                        "default level is F(tau_c, L_ref))")
    p.add_argument("--param", action="append", default=[],
                   help="any other model parameter, name=value (repeatable)")
    add_time_budget_option(p)


def model_help(extra=""):
    """The help of --model: the built-in models' names (:mod:`antagonism._core.catalog`, no
    sympy imported)."""
    from antagonism._core.catalog import builtin_model_names

    return f"registered model: {', '.join(builtin_model_names())}{extra}"


def add_level_option(p):
    """``--level``: the response level of every threshold quantity (output units)."""
    p.add_argument("--level", type=positive_float, default=None,
                   help="the response level of the threshold (output units; default "
                        "F(tau_c, L_ref), the reference dose's response at tau_c)")


def add_json_option(p):
    """--json: print one JSON object instead of text."""
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def parameter_values(args):
    """The model parameters given on the command line, by name (strings)."""
    given = {k: getattr(args, k) for k in ("N", "m", "tau_c") if getattr(args, k) is not None}
    if getattr(args, "model_file", None) is None:
        used = [k for k in DESIGNATIONS if getattr(args, k, None) is not None]
        if used:
            raise CliError(f"--{used[0].replace('_', '-')} applies only with --model-file")
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
    from antagonism._core.parsing import parse_float

    return parse_float(text, f"--{name.replace('_', '-')}")


def model_from_args(args, defaults=None):
    """The model of --model-file, or the registered model named by --model, with the given
    parameters (numbers); the command's ``defaults`` apply to parameters the model has and
    the user did not set."""
    from antagonism.derivations import model_spec

    given = {k: _number(k, v) for k, v in parameter_values(args).items()}
    designations = {k: getattr(args, k, None) for k in DESIGNATIONS}
    if args.model_file is not None:
        from antagonism.theory.networks.store import load_model_cached

        unknown = {"N", "m"} & set(given)
        if unknown:
            raise CliError(f"--{sorted(unknown)[0]} does not apply to a model file; use "
                           "--param name=value for its parameters")
        args.model_file = model_file_path(args.model_file)
        tau_c = given.pop("tau_c", None)
        if tau_c is not None:
            designations["tau_c"] = tau_c
        if designations["binding_time"] is not None and designations["off_rate"] is not None:
            raise CliError("give the ligand's binding time either as --binding-time or as "
                           "--off-rate, not both")
        # --param applies before the file is checked (it can rescue a zero rate); the file
        # is read once and kept in the cache (keyed by its content, the flags and the code)
        model = load_model_cached(args.model_file, given, model_store(), **designations)
        check_time_designation(model, designations)
        return model
    spec = model_spec(args.model)
    for k, v in (defaults or {}).items():
        if k in spec.parameters and k not in given:
            given[k] = v
    return spec.create(**given)


def answer_request(args, command, **options):
    """The question a command asks, as plain data for the store of answers
    (:func:`antagonism.numerics.answers.stored_answer`, which asks it again after computing
    when given ``lambda: answer_request(...)``): the command, the model of
    --model/--model-file (a built-in model's name and the parameters given; or a model file's
    path and SHA-256, its --param values and designations) and ``options`` (every option the
    answer depends on).  None when the answer depends on code outside the package (a model
    a user registered in this process): then it is computed every time.  Reads no model."""
    import os
    import sys

    from antagonism._core.catalog import builtin_name

    given = {k: _number(k, v) for k, v in parameter_values(args).items()}
    if args.model_file is not None:
        path = model_file_path(args.model_file)
        digest = _model_file_sha256(path)
        if digest is None:
            return None
        model = {"file": os.path.abspath(path), "sha256": digest, "parameters": given,
                 "designations": {k: getattr(args, k) for k in DESIGNATIONS
                                  if getattr(args, k, None) is not None}}
    else:
        registry = sys.modules.get("antagonism.derivations.registry")  # loaded: maybe changed
        if builtin_name(args.model) is None or (registry is not None
                                                and not registry.is_builtin(args.model)):
            return None
        model = {"model": builtin_name(args.model), "parameters": given}
    return {"command": command, **model, "options": options}


def _model_file_sha256(path):
    """The SHA-256 (hex) of a model file's bytes; None for a file over the size limit or
    one that cannot be read (the reader refuses it with its own message)."""
    import hashlib

    from antagonism.io.file_limits import MAX_MODEL_FILE_BYTES

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_MODEL_FILE_BYTES + 1)
    except OSError:
        return None
    return None if len(data) > MAX_MODEL_FILE_BYTES else hashlib.sha256(data).hexdigest()


def check_time_designation(model, designations):
    """Refuse --binding-time NAME when NAME is the rate constant of the ligand's unbinding
    (its rate law is proportional to NAME: an off rate), and --off-rate NAME when the rate
    law is inversely proportional to it (a binding time)."""
    from antagonism.derivations.network_model import time_parameter_kind

    for key, wrong, other, what in (
            ("binding_time", "off_rate", "--off-rate",
             "is the rate constant of the ligand's unbinding (its rate law is proportional "
             "to it), so the binding time is 1/{name}"),
            ("off_rate", "binding_time", "--binding-time",
             "is a binding time (the ligand's unbinding rate law is inversely proportional "
             "to it), so the off rate is 1/{name}")):
        name = designations.get(key)
        if name and time_parameter_kind(model.network, name) == wrong:
            raise CliError(f"--{key.replace('_', '-')} {name}: {name} "
                           f"{what.format(name=name)}; give it as {other} {name}")


class _VerifiedStore:
    """Text records in the package's verified cache (``numerics.cache``, kind
    "compiled"): what :func:`~antagonism.theory.networks.store.load_model_cached` stores."""

    def __init__(self, folder):
        self.folder = folder

    def get(self, key):
        from antagonism.numerics.cache import load_verified

        return load_verified(self.folder / f"{key}.json", lambda p: p.read_text())

    def put(self, key, text):
        from antagonism.numerics.cache import save_verified

        save_verified(self.folder / f"{key}.json", lambda f: f.write(text.encode()))


def model_store():
    """The store of model files read before (None when the cache is not usable)."""
    from antagonism.numerics import cache

    if "compiled" not in cache.KINDS:
        return None
    folder = cache.usable_dir("compiled")
    return None if folder is None else _VerifiedStore(folder)


def model_file_path(text):
    """The path of ``--model-file``: a file, or the name of a model shipped with the package
    (``mckeithan_kpr`` or ``mckeithan-kpr``, from any folder); else an error with the nearest
    shipped name (difflib)."""
    import difflib
    import os

    from antagonism.io.shipped import literature_files

    if os.path.isfile(text):
        return text
    shipped = literature_files()
    name = os.path.basename(str(text)).removesuffix(".ant").replace("-", "_")
    if name in shipped:
        return str(shipped[name])
    close = difflib.get_close_matches(name, list(shipped), n=1, cutoff=0.6)
    raise CliError(f"no model file {text}" + (f"; did you mean {close[0]}?" if close else "")
                   + f" (shipped models: {', '.join(shipped)}; `antagonism models` lists them)")


def _note(message):
    """An old form of an option, still accepted: one line on stderr (never on stdout, so
    --json output stays one JSON object)."""
    import sys

    from antagonism._core.text import printable

    print(f"antagonism: note: {printable(message, newlines=False)}", file=sys.stderr)


def range_axis(text, flag, **options):
    """The values of option ``flag`` in the one range grammar
    (:mod:`antagonism._core.ranges`: numbers, a:b, lin:a:b:n, log:a:b:n), counted but not
    built (an :class:`~antagonism._core.ranges.Axis`; ``.values()`` builds them).  Old forms
    the option accepted (``legacy=``) print a note on stderr."""
    from antagonism._core.ranges import parse_axis

    return parse_axis(text, flag, note=_note, **options)


def number_list(text, name, lo=None, hi=None):
    """The numbers of option ``--name`` (the one range grammar), each within [lo, hi] when
    given."""
    from antagonism._core.errors import LimitError

    try:
        values = range_axis(text, f"--{name}").values()
    except LimitError:
        raise
    except InputError as exc:
        raise CliError(f"{exc} (--{name} takes comma-separated numbers and ranges)") from None
    bad = [v for v in values if (lo is not None and v < lo) or (hi is not None and v > hi)]
    if bad:
        where = (f"in [{lo:g}, {hi:g}]" if lo is not None and hi is not None
                 else f">= {lo:g}" if lo is not None else f"<= {hi:g}")
        raise CliError(f"--{name} values must be {where}, got {text!r}")
    return values


def check_seed(seed):
    if seed < 0:
        raise CliError(f"--seed must be non-negative, got {seed}")
    return seed


def add_executor_options(p, cache=True):
    """--executor local|processes|dask, --scheduler ADDRESS, --workers N (and --no-cache):
    how a sweep's independent tasks run (see antagonism.numerics.executor)."""
    from antagonism.numerics.executor import EXECUTORS

    p.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="run the sweep's tasks here (local), in local processes, or on a dask "
                        "cluster (needs the 'dask' extra)")
    p.add_argument("--scheduler", default=None,
                   help="address of a running dask scheduler that you control, e.g. "
                        "tls://host:8786 (with --executor dask; without it a local cluster "
                        "is started, over TLS).  A scheduler and its workers can run code in "
                        "this process")
    p.add_argument("--tls-ca-file", dest="tls_ca_file", default=None,
                   help="TLS: the certificate authority of a tls:// --scheduler (PEM)")
    p.add_argument("--tls-cert", dest="tls_cert", default=None,
                   help="TLS: this client's certificate for a tls:// --scheduler (PEM)")
    p.add_argument("--tls-key", dest="tls_key", default=None,
                   help="TLS: this client's private key for a tls:// --scheduler (PEM)")
    p.add_argument("--insecure-scheduler", dest="insecure_scheduler", action="store_true",
                   help="accept a plain tcp:// --scheduler that is not on this machine: "
                        "anyone on the network path can then run code in this process")
    p.add_argument("--workers", type=count, default=None,
                   help="processes for --executor processes or a local dask cluster "
                        "(default: the number of CPUs)")
    if cache:
        p.add_argument("--no-cache", dest="cache", action="store_false", default=True,
                       help="recompute every task; without this flag finished tasks are "
                            "cached and a re-run computes only what is missing")


def executor_options(args):
    """The executor keyword arguments of the parsed options, checked."""
    from antagonism.numerics.executor import Scheduler, check_executor

    tls = {k: getattr(args, f"tls_{k}", None) for k in ("ca_file", "cert", "key")}
    scheduler = args.scheduler
    if scheduler is None and any(tls.values()):
        raise CliError("--tls-ca-file, --tls-cert and --tls-key apply to a --scheduler")
    if scheduler is not None:
        scheduler = Scheduler(scheduler.strip(), insecure=getattr(args, "insecure_scheduler",
                                                                  False), **tls)
    check_executor(args.executor, scheduler, args.workers)
    return {"executor": args.executor, "scheduler": scheduler, "workers": args.workers}


def value_grid(grid):
    """The values of every swept parameter of ``grid`` ({name: text}, the one range
    grammar; the old ``a:b:step`` is accepted with a note), once the number of points of
    the whole grid (the product of the counts) is within
    :data:`~antagonism._core.ranges.MAX_GRID_POINTS`: checked before any value is built."""
    from antagonism._core.ranges import grid_points

    flags = {"N": "--N", "m": "--m", "tau_c": "--tau-c"}
    axes = {k: range_axis(v, flags.get(k, f"--grid {k}"), legacy="step")
            for k, v in grid.items()}
    grid_points(axes.values(), what="the sweep's grid")
    return {k: axis.values() for k, axis in axes.items()}
