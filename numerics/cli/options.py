"""Options shared by the commands: choosing a model and its parameters, lists of numbers."""
from __future__ import annotations

from . import CliError


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
    if args.model_file is not None:
        from antagonism.derivations.reactions import NetworkModel
        from antagonism.numerics.data.reaction_files import load_model_file

        unknown = {"N", "m"} & set(given)
        if unknown:
            raise CliError(f"--{sorted(unknown)[0]} does not apply to a model file; use "
                           "--param name=value for its parameters")
        network = load_model_file(args.model_file).network
        return NetworkModel(network, **given)
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


def add_executor_options(p, cache=True):
    """--executor local|processes|dask, --scheduler ADDRESS, --workers N (and --no-cache):
    how a sweep's independent tasks run (see antagonism.numerics.experiments.executor)."""
    from antagonism.numerics.experiments.executor import EXECUTORS

    p.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="run the sweep's tasks here (local), in local processes, or on a dask "
                        "cluster (needs the 'dask' extra)")
    p.add_argument("--scheduler", default=None,
                   help="address of a running dask scheduler, e.g. tcp://host:8786 (with "
                        "--executor dask; without it a local cluster is started)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes for --executor processes or a local dask cluster "
                        "(default: the number of CPUs)")
    if cache:
        p.add_argument("--no-cache", dest="cache", action="store_false",
                       help="recompute every task (finished tasks are cached by default and "
                            "a re-run computes only what is missing)")


def executor_options(args):
    """The executor keyword arguments of the parsed options, checked."""
    from antagonism.numerics.experiments.executor import check_executor

    if args.workers is not None and args.workers < 1:
        raise CliError(f"--workers must be positive, got {args.workers}")
    check_executor(args.executor, args.scheduler, args.workers)
    return {"executor": args.executor, "scheduler": args.scheduler, "workers": args.workers}


def value_grid(text, name):
    """Values of one swept parameter: comma-separated numbers and inclusive ranges
    ``a:b`` (step 1) or ``a:b:step``, e.g. ``2:5`` = 2, 3, 4, 5 and ``0.5:1:0.25,3``."""
    values = []
    for part in (e.strip() for e in text.split(",")):
        if not part:
            continue
        bits = part.split(":")
        nums = [_number(name, b) for b in bits]
        if len(nums) == 1:
            values.append(nums[0])
            continue
        if len(nums) not in (2, 3):
            raise CliError(f"--{name.replace('_', '-')}: a range is a:b or a:b:step, got "
                           f"{part!r}")
        lo, hi, step = nums[0], nums[1], nums[2] if len(nums) == 3 else 1.0
        if step <= 0 or hi < lo:
            raise CliError(f"--{name.replace('_', '-')}: a range a:b:step needs a <= b and "
                           f"step > 0, got {part!r}")
        count = int((hi - lo) / step + 1e-9) + 1
        if count > 10000:
            raise CliError(f"--{name.replace('_', '-')}: {part!r} has {count} values; at "
                           "most 10000")
        values += [lo + k * step for k in range(count)]
    if not values:
        raise CliError(f"--{name.replace('_', '-')} is empty")
    return list(dict.fromkeys(values))
