"""Commands about networks: robustness and regime."""
from __future__ import annotations

from . import CliError, command, emit
from .options import add_json_option, check_seed, number_list


def _network_options(p, default_networks):
    p.add_argument("--dataset", default="digits",
                   help="digits (bundled with scikit-learn) or mnist (IDX files in --data-dir)")
    p.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    p.add_argument("--limit", type=int, default=None,
                   help="MNIST: a seeded random subset of this many train and test images")
    p.add_argument("--networks", "--network", dest="networks", default=default_networks,
                   help="comma-separated: natural, pgd_trained, threshold, hill, "
                        "proofreading, cnn")
    p.add_argument("--torch-model", action="append", default=[],
                   help="a torch model file (TorchScript or torch.save) to evaluate too")
    p.add_argument("--seed", type=int, default=None, help="one seed (default 0)")
    p.add_argument("--seeds", default=None, help="comma-separated seeds, e.g. 0,1,2,3,4")
    p.add_argument("--quick", action="store_true",
                   help="small networks trained briefly (a check of the pipeline)")
    add_json_option(p)


def _seeds(args):
    if args.seeds is not None and args.seed is not None:
        raise CliError("give --seed or --seeds, not both")
    if args.seeds is None:
        return [check_seed(0 if args.seed is None else args.seed)]
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        raise CliError(f"--seeds must be comma-separated integers, got {args.seeds!r}") from None
    if not seeds:
        raise CliError("--seeds is empty")
    return [check_seed(s) for s in seeds]


def _common(args):
    from antagonism.numerics.networks.classifier import load_torch_model

    names = [n.strip() for n in args.networks.split(",") if n.strip()]
    extra = {}
    for path in args.torch_model:
        clf = load_torch_model(path)
        extra[clf.name] = clf
    if args.dataset not in ("digits", "mnist"):
        raise CliError(f"unknown dataset {args.dataset!r}; available: digits, mnist")
    return names, extra


def _robustness_args(p):
    _network_options(p, "natural,pgd_trained,threshold,hill,proofreading,cnn")
    p.add_argument("--eps", default="0.1,0.2,0.3", help="comma-separated L-inf budgets")
    p.add_argument("--queries", type=int, default=300, help="gradient-free attack queries")


@command("robustness", "train (or load) natural, PGD-trained, defended and CNN networks; "
                       "attack them (over seeds: means with 95-percent intervals)",
         _robustness_args)
def cmd_robustness(args):
    from antagonism.numerics.networks.robustness import robustness_report

    names, extra = _common(args)
    report = robustness_report(number_list(args.eps, "eps", 0, 1), seeds=_seeds(args),
                               n_queries=args.queries, quick=args.quick, names=names,
                               extra=extra, dataset=args.dataset, data_dir=args.data_dir,
                               limit=args.limit)
    lines = []
    for name, row in report.models.items():
        accs = "  ".join(f"eps={e}: worst {row[f'{e:g}']['worst']:.3f}" for e in report.eps)
        flag = " [masked gradients]" if report.masked_gradient_flags[name]["flagged"] else ""
        lines.append(f"{name:<14} clean {row['clean_accuracy']:.3f}  {accs}{flag}")
    emit(args, report.to_dict(), "\n".join(lines))


def _regime_args(p):
    _network_options(p, "natural,pgd_trained,hill")
    p.add_argument("--eps", type=float, default=0.3, help="L-inf budget of the PGD accuracy")
    p.add_argument("--sensitivity", action="store_true",
                   help="instead: the PGD-trained network's measures over the width (64, "
                        "256, 1024), the training budget (0.1, 0.25) and eps (0.1, 0.2, 0.3)")


@command("regime", "the regime of trained networks, measured as the cell theory defines it "
                   "(weak-input sensitivity over seeds, tests against the natural network)",
         _regime_args)
def cmd_regime(args):
    from antagonism.numerics.experiments.regime_measures import network_regime_report

    names, extra = _common(args)
    if not 0 < args.eps <= 1:
        raise CliError(f"--eps must lie in (0, 1], got {args.eps}")
    if args.sensitivity:
        from antagonism.numerics.experiments.regime_measures import sensitivity_table

        rows = sensitivity_table(_seeds(args), quick=args.quick)
        emit(args, [r.to_dict() for r in rows], "\n".join(
            f"width {r.width:>5} train eps {r.train_eps:<5g} eps {r.eps:<4g} r "
            f"{r.weak_input_ratio['mean_of_seed_medians']:.3f} robust accuracy "
            f"{r.robust_accuracy['mean']:.3f}  {r.verdict}" for r in rows))
        return
    report = network_regime_report(names, _seeds(args), dataset=args.dataset,
                                   data_dir=args.data_dir, eps=args.eps, quick=args.quick,
                                   extra=extra, limit=args.limit)
    lines = [f"weak-input ratio r (median over inputs; mean of per-seed medians, 95 % CI) "
             f"over seeds {report.seeds}"]
    for name, row in report.networks.items():
        r = row["weak_input_ratio"]
        lo, hi = r["ci95"]
        p = row.get("comparison", {}).get("p_pooled_two_sided")
        lines.append(f"{name:<14} r median {r['median']:.3f}  mean {r['mean_of_seed_medians']:.3f}"
                     f" [{lo:.3f}, {hi:.3f}]  {row['verdict']}"
                     + ("" if p is None else f"  (p vs natural {p:.2g})"))
    emit(args, report.to_dict(), "\n".join(lines))
