"""Commands that compute on cells: descend, potential, steady, fold-change."""
from __future__ import annotations

from antagonism._core.ranges import GRAMMAR, grid_points
from antagonism._core.result import format_fields, stamped, to_json

from .base import CliError, command, emit, parameter_units
from .options import (
    add_json_option,
    add_model_options,
    add_seed_option,
    answer_request,
    check_memory,
    check_seed,
    count,
    finite_float,
    fraction,
    model_from_args,
    positive_float,
    range_axis,
)


def _descend_args(p):
    add_model_options(p)
    p.add_argument("--agonist-fraction", type=fraction, default=0.3,
                   help="fraction of the ligands drawn as agonists (tau > tau_c)")
    p.add_argument("--ligands", type=count, default=101**2, help="number of ligands")
    add_seed_option(p)
    p.add_argument("--eps", type=positive_float, default=0.2, help="step size")
    p.add_argument("--max-iter", type=count, default=20000, help="maximum number of iterations")
    p.add_argument("--variant", choices=("exact", "binned"), default="exact",
                   help="exact per-ligand gradient, or the paper's binned procedure")
    add_json_option(p)


@command("descend", "gradient descent of sub-threshold ligands to the decision boundary",
         _descend_args)
def cmd_descend(args):
    from antagonism.numerics.cells.ligands import paper_ligands
    from antagonism.numerics.experiments.descent import descend_to_boundary

    model = model_from_args(args)
    check_memory(args.ligands, 200, "--ligands")  # ~25 float64 arrays per ligand
    lig = paper_ligands(args.ligands, args.agonist_fraction, float(model.tau_c),
                        check_seed(args.seed))
    steps = _compiled(model, "descend", not args.json, 2)
    steps.step(f"{args.variant} descent of {args.ligands} ligands, at most {args.max_iter} "
               "iterations")
    res = descend_to_boundary(model, lig.tau, lig.L, eps=args.eps, max_iter=args.max_iter,
                              variant=args.variant, progress=not args.json)
    steps.finish(f"{res.status} after {res.iterations} iterations")
    payload = {**res.summary(), "seed": args.seed}
    emit(args, payload, units=parameter_units(model))


def _potential_args(p):
    add_model_options(p, help_extra="; adaptive is T_{4,2} unless --N, --m are given")
    p.add_argument("--R", type=positive_float, default=1e4, help="total ligand number")
    p.add_argument("--agonist-fraction", type=fraction, default=0.4,
                   help="fraction R_1/R of the ligands that are agonists")
    add_json_option(p)


@command("potential", "antagonism potential F(tau_2): minimum and inflection", _potential_args)
def cmd_potential(args):
    from antagonism.numerics.experiments.potential import antagonism_potential

    model = model_from_args(args, defaults={"N": 4, "m": 2})
    steps = _compiled(model, "potential", not args.json, 2)
    steps.step("the output over 400 antagonist binding times, its minimum and inflection")
    res = antagonism_potential(model, R=args.R, agonist_fraction=args.agonist_fraction)
    steps.finish()
    emit(args, res.summary(), units=parameter_units(model))


def _steady_args(p):
    add_model_options(p, default="shp1")
    p.add_argument("--tau", required=True,
                   help=f"binding time(s) (s): {GRAMMAR}, e.g. log:0.1:10:20")
    p.add_argument("--L", required=True,
                   help=f"ligand quantity(ies) (molecules): {GRAMMAR}")
    add_json_option(p)


#: most points of a steady-state scan
MAX_SCAN_POINTS = 10000


def scan_values(axis, lowest):
    """The values of --tau or --L (an :class:`~antagonism._core.ranges.Axis`), each > 0
    (``lowest`` "positive") or >= 0 ("non-negative")."""
    values = axis.values()
    bad = [v for v in values if not (v > 0 if lowest == "positive" else v >= 0)]
    if bad:
        raise CliError(f"{axis.name} must be {lowest}, got {bad[0]:g}")
    return values


@command("steady", "steady state of a model for one ligand type (default: SHP-1); scans "
         "of binding times and doses print one row per point", _steady_args)
def cmd_steady(args):
    from antagonism.numerics.answers import stored_rows

    axes = [range_axis(text, flag, legacy="log", max_values=MAX_SCAN_POINTS)
            for text, flag in ((args.tau, "--tau"), (args.L, "--L"))]
    grid_points(axes, MAX_SCAN_POINTS, "--tau x --L")  # before any value is built
    taus, doses = scan_values(axes[0], "positive"), scan_values(axes[1], "non-negative")
    single = len(taus) == 1 and len(doses) == 1
    rows = []  # stored answers: a scan asked before is read back, not solved again
    for row in stored_rows(lambda: answer_request(args, "steady", tau=taus, L=doses),
                           lambda: _steady_rows(args, taus, doses)):
        rows.append(row)
        if args.json and not single:
            print(to_json(stamped(row)), flush=True)
    network = "diagnostics" in rows[0]
    if not single:
        if not args.json:
            print(_scan_table(rows, network))
        return
    payload = rows[0]
    if network:
        text = "\n".join([format_fields({k: payload[k] for k in ("tau", "L", "output")}),
                          "species (molecules):",
                          _indent(format_fields(payload["species"],
                                                dict.fromkeys(payload["species"], ""))),
                          "diagnostics:", _indent(format_fields(payload["diagnostics"]))])
        emit(args, payload, text)
    else:
        emit(args, payload, units={k: "molecules" for k in payload
                                   if k not in ("output", "model")})


def _steady_rows(args, taus, doses):
    """The steady states of the scan, one row per point (binding times inner: each point
    continues from the previous one)."""
    from antagonism.theory import model_evaluator

    model = model_from_args(args)
    network = getattr(model, "network", None) is not None
    if network:  # a steady state needs no symbolic derivation: solve the network directly
        from antagonism.theory.networks.engine import NetworkEvaluator

        ev = NetworkEvaluator(model)
    else:
        ev = model_evaluator(model)
    single = len(taus) == 1 and len(doses) == 1
    for L in doses:
        for tau in taus:
            st = ev.steady_state([tau], [L])
            yield {"model": model.name} | (
                _network_row(model, ev, st, single) if network else
                ({} if single else {"tau": tau, "L": L}) | st.scalars(ligand=0))


def _network_row(model, ev, st, single):
    """One steady state of a network: the point, the output, the species (molecules) and,
    under ``diagnostics``, how it was found (and, for one point, a search for others)."""
    net = model.network
    species = {s: float(st.shared[s]) if s in st.shared else float(st.terms[s][0])
               for s in net.species}
    time = net.off_rate or net.binding_time
    tau = float(st.tau[0])
    diagnostics = {"method": getattr(ev, "method", "symbolic"), "route": st.get("route"),
                   "newton_iterations": st.get("iterations"),
                   "relative_residual": st.residual,
                   "binding_time_parameter": {
                       "name": time, "as": "off rate (1/tau)" if net.off_rate else "tau",
                       "value": 1 / tau if net.off_rate else tau}}
    if single:
        diagnostics["conserved_totals"] = {m.name: m.total for m in model.moieties()}
        dropped = list(net.extra.get("dropped_reactions", ()))
        if dropped:
            diagnostics["dropped_reactions"] = dropped
        found = ev.steady_states(st.tau, st.L, starts=4)
        diagnostics["steady_states_found"] = found.count
        if found.count > 1:
            diagnostics["other_steady_states"] = [
                {"output": s["output"], "stable": s["stable"]} for s in found.states[1:]]
    row = {"tau": tau, "L": float(st.L[0]), "output": float(st.output), "species": species,
           "diagnostics": diagnostics}
    _refuse_non_finite({"output": row["output"], **species}, "steady state", negative=True)
    return row


def _scan_table(rows, network):
    head = f"{'tau (s)':>12} {'L':>12} {'output':>14}" + ("  route" if network else "")
    lines = [head]
    for r in rows:
        route = f"  {r['diagnostics']['route']}" if network else ""
        lines.append(f"{r['tau']:>12.6g} {r['L']:>12.6g} {r['output']:>14.8g}{route}")
    return "\n".join(lines)


def _indent(text):
    return "\n".join(f"  {line}" for line in text.splitlines())


def _fold_change_args(p):
    add_model_options(p, default="shp1")
    p.add_argument("--tau1", type=finite_float, default=10.0, help="agonist binding time (s)")
    p.add_argument("--L1", type=finite_float, default=100.0, help="agonist quantity")
    p.add_argument("--L2", type=finite_float, default=1000.0, help="antagonist quantity")
    p.add_argument("--tau2-min", type=finite_float, default=0.05,
                   help="smallest antagonist binding time (s)")
    p.add_argument("--tau2-max", type=positive_float, default=None,
                   help="largest antagonist binding time (s) (default: tau1)")
    p.add_argument("--points", type=count, default=60, help="number of antagonist binding times")
    add_json_option(p)


@command("fold-change", "fold change FC(tau_2) of agonist + antagonist (default: SHP-1)",
         _fold_change_args)
def cmd_fold_change(args):
    import numpy as np

    from antagonism.numerics.experiments.potential import fold_change_scan

    for name in ("tau1", "L1", "L2", "tau2_min"):
        if not getattr(args, name) > 0:
            raise CliError(f"--{name.replace('_', '-')} must be positive, "
                           f"got {getattr(args, name)}")
    if args.points < 2:
        raise CliError(f"--points must be at least 2, got {args.points}")
    model = model_from_args(args)
    hi = args.tau2_max or args.tau1
    scan = fold_change_scan(model, args.tau1, args.L1, args.L2,
                            np.geomspace(args.tau2_min, hi, args.points))
    _refuse_non_finite({"fc": scan.fc, "fc_min": scan.fc_min}, "fold change", negative=True)
    emit(args, scan)  # the result renders itself (text or JSON)


def _compiled(model, tag, on, total):
    """Step 1 of ``total``, reported on stderr: the model's evaluator, derived and compiled
    (tens of seconds on the first run, cached after), with a heartbeat meanwhile; returns the
    :class:`~antagonism.numerics.progress.Progress` for the next steps."""
    import numpy as np

    from antagonism.numerics.cells.evaluator import cell_evaluator
    from antagonism.numerics.progress import Progress, heartbeat

    steps = Progress(total, on=on, tag=tag, eta=False)  # the descent reports its own ETA
    steps.step("deriving the model and compiling its kernels (cached after the first run)")
    with heartbeat(tag, on):
        ev = cell_evaluator(model)
        ev.grad_output(np.array([0.5, 1.0]) * float(ev.tau_c), np.array([1.0, 1.0]))
    return steps


def _refuse_non_finite(values, what, negative=False):
    """A result that is not finite (or negative, for concentrations and fold changes) is a
    failure of the computation: raise, never print it."""
    import numpy as np

    from antagonism._core.errors import ConvergenceError

    bad = sorted(k for k, v in values.items()
                 if v is not None and (not np.all(np.isfinite(v))
                                       or (negative and np.any(np.asarray(v) < 0))))
    if bad:
        raise ConvergenceError(f"the {what} came out non-finite or negative in "
                               f"{', '.join(bad)}; it is not printed (the inputs are "
                               "probably beyond the range this model is evaluated in)")
