"""Commands about networks: robustness and regime."""
from __future__ import annotations

import argparse

from . import CliError, command, emit
from .options import (
    add_executor_options,
    add_json_option,
    check_seed,
    count,
    executor_options,
    nonnegative_int,
    number_list,
    positive_float,
)


def _network_options(p, default_networks):
    p.add_argument("--dataset", default="digits",
                   help="digits (bundled with scikit-learn) or mnist (IDX files in --data-dir)")
    p.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    p.add_argument("--limit", type=count, default=None,
                   help="MNIST: a seeded random subset of this many train and test images")
    p.add_argument("--networks", "--network", dest="networks", default=default_networks,
                   help="comma-separated: natural, pgd_trained, noise_trained, untrained, "
                        "threshold, hill, proofreading, cnn")
    p.add_argument("--torch-model", action="append", default=[],
                   help="a torch model file to evaluate too: TorchScript, torch.export, or an "
                        "MLP state dict (pickled modules are refused)")
    p.add_argument("--device", default="cpu",
                   help="torch device for --torch-model (cpu, cuda, cuda:1, mps)")
    p.add_argument("--batch-size", dest="batch_size", type=count, default=1024,
                   help="rows per torch forward/backward pass for --torch-model")
    p.add_argument("--input-shape", dest="input_shape", default=None,
                   help="the torch model's own input shape per sample, e.g. 1,8,8 for a CNN "
                        "(default: rows of features, as the data sets give them)")
    p.add_argument("--seed", type=nonnegative_int, default=None, help="one seed (default 0)")
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
        seeds = [nonnegative_int(s) for s in args.seeds.split(",") if s.strip()]
    except argparse.ArgumentTypeError:
        raise CliError("--seeds must be comma-separated non-negative integers, got "
                       f"{args.seeds!r}") from None
    if not seeds:
        raise CliError("--seeds is empty")
    return [check_seed(s) for s in seeds]


def _common(args):
    from antagonism.numerics.networks.classifier import load_torch_model

    names = [n.strip() for n in args.networks.split(",") if n.strip()]
    if not names and not args.torch_model:
        raise CliError("--networks is empty: name at least one network (natural, "
                       "pgd_trained, noise_trained, untrained, threshold, hill, proofreading, "
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
    extra = {}
    for path in args.torch_model:
        clf = load_torch_model(path, device=args.device, batch_size=args.batch_size,
                               input_shape=shape)
        extra[clf.name] = clf
    if args.dataset not in ("digits", "mnist"):
        raise CliError(f"unknown dataset {args.dataset!r}; available: digits, mnist")
    return names, extra


def _robustness_args(p):
    _network_options(p, "natural,pgd_trained,threshold,hill,proofreading,cnn")
    p.add_argument("--eps", default="0.1,0.2,0.3", help="comma-separated L-inf budgets")
    p.add_argument("--queries", type=count, default=300, help="gradient-free attack queries")
    add_executor_options(p, cache=False)  # one task per seed; trained networks are cached


@command("robustness", "train (or load) natural, PGD-trained, defended and CNN networks; "
                       "attack them (over seeds: means with 95-percent intervals)",
         _robustness_args)
def cmd_robustness(args):
    from antagonism.numerics.networks.robustness import robustness_report

    names, extra = _common(args)
    report = robustness_report(number_list(args.eps, "eps", 0, 1), seeds=_seeds(args),
                               n_queries=args.queries, quick=args.quick, names=names,
                               extra=extra, dataset=args.dataset, data_dir=args.data_dir,
                               limit=args.limit, progress=not args.json,
                               **executor_options(args))
    lines = []
    for name, row in report.models.items():
        accs = "  ".join(f"eps={e}: worst {row[f'{e:g}']['worst']:.3f}" for e in report.eps)
        flag = " [masked gradients]" if report.masked_gradient_flags[name]["flagged"] else ""
        lines.append(f"{name:<14} clean {row['clean_accuracy']:.3f}  {accs}{flag}")
    emit(args, report.to_dict(), "\n".join(lines))


def _regime_args(p):
    _network_options(p, "natural,pgd_trained,noise_trained,untrained")
    p.add_argument("--eps", type=positive_float, default=0.3,
                   help="L-inf budget of the PGD accuracy")
    p.add_argument("--images", type=count, default=50,
                   help="test images swept pixel by pixel (the same for every network)")
    p.add_argument("--calibrate", action="store_true",
                   help="instead: the measure on cells (T_{N,m}, N = 3..5, every m; SHP-1; "
                        "adaptive sorting) against the analytic verdict")
    p.add_argument("--cell-attacks", dest="cell_attacks", action="store_true",
                   help="instead: FGSM against PGD on T_{N,m} cells (N = 3..5, every m) "
                        "within an L-inf budget on tau, agonists movable or not")
    p.add_argument("--sensitivity", action="store_true",
                   help="instead: the PGD-trained network's measures over the width (64, "
                        "256, 1024), the training budget (0.1, 0.25) and eps (0.1, 0.2, 0.3)")
    add_executor_options(p)


def _interval(summary):
    lo, hi = summary["t_interval"]
    return (f"{summary['mean']:.3f} [{'-' if lo is None else f'{lo:.3f}'}, "
            f"{'-' if hi is None else f'{hi:.3f}'}]")


@command("regime", "the regime of trained networks, measured as the paper defines it for "
                   "cells (calibrated on cells; seed-level statistics)", _regime_args)
def cmd_regime(args):
    from antagonism.numerics.experiments import regime_measures as rm

    if args.calibrate:
        cal = rm.calibrate(progress=not args.json)
        lines = [f"{'model':<20} {'m':>4} {'analytic':<12} {'measured':<12} {'v_ext':>6} "
                 f"{'rho':>8}  cutoffs stable  rejected r"]
        for r in cal.rows:
            m = "" if r["m"] is None else f"{r['m']:g}"
            lines.append(f"{r['model']:<20} {m:>4} {r['analytic_regime']:<12} "
                         f"{r['measured_regime']:<12} "
                         f"{r['strongest_position_tau_over_tau_c']:>6.3f} "
                         f"{r['weak_share']:>8.2g}  {str(r['cutoff_stable']):<14} "
                         f"{r['rejected_weak_input_ratio']:.3g} ({r['rejected_verdict']})")
        lines.append(f"agree with the analytic verdict on every model: {cal.all_agree}  "
                     f"(v_ext in tau/tau_c; rho: weak share; rule: {cal.rule})")
        emit(args, cal.to_dict(), "\n".join(lines))
        return
    if args.cell_attacks:
        res = rm.cell_attack_comparison(progress=not args.json)
        lines = [f"smallest L-inf budget on tau (s) at which each attack crosses T = 1 on "
                 f"every ligand set (eps grid {res.eps}; '-' none)"]
        for r in res.rows:
            note = "  (T < 1 before any attack)" if r["already_off"] == 1 else ""
            lines.append(f"{r['model']:<8} {r['regime']:<12} {r['setup']:<18} FGSM "
                         f"{r['fgsm_eps'] or '-':<5} PGD {r['pgd_eps'] or '-':<5}{note}")
        emit(args, res.to_dict(), "\n".join(lines))
        return
    names, extra = _common(args)
    if not 0 < args.eps <= 1:
        raise CliError(f"--eps must lie in (0, 1], got {args.eps}")
    if args.images < 1:
        raise CliError(f"--images must be >= 1, got {args.images}")
    run = executor_options(args)
    if args.sensitivity:
        rows = rm.sensitivity_table(_seeds(args), quick=args.quick, progress=not args.json,
                                    cache="sensitivity" if args.cache else None,
                                    **run)
        emit(args, [r.to_dict() for r in rows], "\n".join(
            f"width {r.width:>5} train eps {r.train_eps:<5g} eps {r.eps:<4g} specialized "
            f"fraction {_interval(r.specialized_fraction)} robust accuracy "
            f"{_interval(r.robust_accuracy)}  {r.regime}" for r in rows))
        return
    if run["executor"] != "local" or run["workers"] is not None:
        raise CliError("--executor and --workers apply to --sensitivity; the networks of one "
                       "report are measured in this process")
    report = rm.network_regime_report(names, _seeds(args), dataset=args.dataset,
                                      data_dir=args.data_dir, eps=args.eps, quick=args.quick,
                                      extra=extra, limit=args.limit, progress=not args.json,
                                      n_images=args.images, batch_size=args.batch_size)
    lines = [f"specialized fraction of single-pixel sweeps, mean over seeds {report.seeds} "
             "[95 % t-interval]; difference from natural paired by seed (exact sign-flip p)"]
    for name, row in report.networks.items():
        text = (f"{name:<14} specialized {_interval(row['specialized_fraction'])}  weak share "
                f"{_interval(row['weak_share'])}  {row['regime']}")
        vs = row.get("vs_reference", {}).get("specialized_fraction")
        if vs is not None:
            lo, hi = vs["t_interval"]
            text += (f"  vs natural {vs['mean_difference']:+.3f} "
                     f"[{'-' if lo is None else f'{lo:+.3f}'}, "
                     f"{'-' if hi is None else f'{hi:+.3f}'}] p = {vs['p_sign_flip']:.3g}")
        lines.append(text)
    emit(args, report.to_dict(), "\n".join(lines))
