"""Commands about networks: robustness."""
from __future__ import annotations

from . import CliError, command, emit
from .options import check_seed, number_list


def _robustness_args(p):
    p.add_argument("--dataset", default="digits", help="digits (bundled with scikit-learn)")
    p.add_argument("--eps", default="0.1,0.2,0.3", help="comma-separated L-inf budgets")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--queries", type=int, default=300, help="gradient-free attack queries")
    p.add_argument("--quick", action="store_true",
                   help="small networks trained briefly (a check of the pipeline)")
    p.add_argument("--json", action="store_true")


@command("robustness", "train (or load) natural, PGD-trained and defended MLPs; attack them",
         _robustness_args)
def cmd_robustness(args):
    from antagonism.numerics.networks.robustness import robustness_report

    if args.dataset != "digits":
        raise CliError(f"unknown dataset {args.dataset!r}; available: digits")
    report = robustness_report(number_list(args.eps, "eps", 0, 1), check_seed(args.seed),
                               n_queries=args.queries, quick=args.quick)
    lines = []
    for name, row in report.models.items():
        accs = "  ".join(f"eps={e}: worst {row[f'{e:g}']['worst']:.3f}" for e in report.eps)
        flag = " [masked gradients]" if report.masked_gradient_flags[name]["flagged"] else ""
        lines.append(f"{name:<14} clean {row['clean_accuracy']:.3f}  {accs}{flag}")
    emit(args, report.to_dict(), "\n".join(lines))
