"""Options shared by the commands: choosing a model and its parameters, lists of numbers."""
from __future__ import annotations

from . import CliError

#: the designations of a model file that flags override (--ligand, --output...)
DESIGNATIONS = ("ligand", "output", "bound_states", "binding_time")


def add_model_options(p, default="adaptive", help_extra=""):
    """--model NAME, the common parameters --N, --m, --tau-c and --param name=value."""
    from antagonism.derivations import model_names

    p.add_argument("--model", default=default,
                   help=f"registered model: {', '.join(model_names())}{help_extra}")
    p.add_argument("--model-file", default=None,
                   help="a reaction network in Antimony (.ant) or SBML (.xml) instead of "
                        "--model; --param sets its parameters or species' initial amounts "
                        "before the file is checked")
    for flag, what in (("--ligand", "the free ligand species"),
                       ("--output", "the output: a species or an expression of species"),
                       ("--bound-states", "comma-separated species that hold the ligand "
                                          "(checked against the reactions)"),
                       ("--binding-time", "the parameter that is the ligand's binding time")):
        p.add_argument(flag, default=None,
                       help=f"with --model-file: {what}; overrides the file's directive")
    p.add_argument("--N", default=None, help="number of proofreading steps")
    p.add_argument("--m", default=None, help="feedback step, 0 <= m < N (T_{N,m})")
    p.add_argument("--tau-c", dest="tau_c", default=None, help="threshold binding time (s)")
    p.add_argument("--param", action="append", default=[],
                   help="any other model parameter, name=value (repeatable)")


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
        given[k.strip()] = v.strip()
    return given


def _number(name, text):
    try:
        value = float(text)
    except ValueError:
        raise CliError(f"--{name.replace('_', '-')} must be a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise CliError(f"--{name.replace('_', '-')} must be finite, got {text}")
    return value


def model_from_args(args, defaults=None):
    """The model of --model-file, or the registered model named by --model, with the given
    parameters (numbers); the command's ``defaults`` apply to parameters the model has and
    the user did not set."""
    from antagonism.derivations import model_spec

    given = {k: _number(k, v) for k, v in parameter_values(args).items()}
    designations = {k: getattr(args, k, None) for k in DESIGNATIONS}
    if args.model_file is not None:
        from antagonism.numerics.data.reaction_files import load_model_file

        unknown = {"N", "m"} & set(given)
        if unknown:
            raise CliError(f"--{sorted(unknown)[0]} does not apply to a model file; use "
                           "--param name=value for its parameters")
        tau_c = given.pop("tau_c", None)
        if tau_c is not None:
            designations["tau_c"] = tau_c
        # --param applies before the file is checked (it can rescue a zero rate)
        return load_model_file(args.model_file, overrides=given, **designations)
    spec = model_spec(args.model)
    for k, v in (defaults or {}).items():
        if k in spec.parameters and k not in given:
            given[k] = v
    return spec.create(**given)


def number_list(text, name, lo=None, hi=None):
    """Comma-separated numbers, each within [lo, hi] when given."""
    try:
        values = [float(e) for e in text.split(",") if e.strip()]
    except ValueError:
        raise CliError(f"--{name} must be comma-separated numbers, got {text!r}") from None
    bad = [v for v in values if (lo is not None and v < lo) or (hi is not None and v > hi)]
    if not values or bad:
        raise CliError(f"--{name} values must lie in [{lo}, {hi}], got {text!r}")
    return values


def check_seed(seed):
    if seed < 0:
        raise CliError(f"--seed must be non-negative, got {seed}")
    return seed
