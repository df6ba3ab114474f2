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
        # a value typed above 0 that double precision reads as 0 (1e-400) says so
        under = " (below the smallest double, 5e-324)" if bad[0] == 0 and lowest == "positive" \
            and any(c in "123456789" for c in axis.text.split("e")[0]) else ""
        raise CliError(f"{axis.name} must be {lowest}, got {bad[0]:g} from "
                       f"{axis.text!r}{under}")
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
    network = "diagnostics" in rows[0] or "error" in rows[0]
    if not single:
        if not args.json:
            print(_scan_table(rows, network))
        return
    payload = rows[0]
    if network:
        others = [f"  output {s['output']:.8g}, stable {s['stable']}, found by {s['found_by']}"
                  for s in payload["steady_states"][1:]]
        text = "\n".join([format_fields({k: payload[k] for k in ("tau", "L", "output",
                                                                  "from_rest", "stable")}),
                          "species (molecules):",
                          _indent(format_fields(payload["species"],
                                                dict.fromkeys(payload["species"], ""))),
                          "diagnostics:", _indent(format_fields(payload["diagnostics"]))]
                         + (["other steady states:", *others] if others else []))
        emit(args, payload, text)
    else:
        emit(args, payload, units={k: "molecules" for k in payload
                                   if k not in ("output", "model")})


def _steady_rows(args, taus, doses):
    """The steady states of the scan, one row per point (binding times inner).  For a
    network each point is the state reached from rest, solved on its own; a point that
    fails gives a row with a null output and the reason, and the scan goes on; a scan
    along doses (or binding times) adds the outputs continued up and down along it."""
    from antagonism.theory import model_evaluator

    model = model_from_args(args)
    network = getattr(model, "network", None) is not None
    single = len(taus) == 1 and len(doses) == 1
    if not network:
        ev = model_evaluator(model)
        for L in doses:
            for tau in taus:
                st = ev.steady_state([tau], [L])
                yield {"model": model.name} | (
                    {} if single else {"tau": tau, "L": L}) | st.scalars(ligand=0)
        return
    # a steady state needs no symbolic derivation: solve the network directly
    from antagonism._core.errors import ConvergenceError, ModelError
    from antagonism.theory.networks.engine import NetworkEvaluator

    ev = NetworkEvaluator(model)
    if single:
        yield {"model": model.name} | _network_row(model, ev, ev.steady_state(taus, doses),
                                                   single)
        return
    rows = []
    for L in doses:
        for tau in taus:
            try:
                rows.append({"model": model.name}
                            | _network_row(model, ev, ev.steady_state([tau], [L]), single))
            except (ConvergenceError, ModelError) as e:
                rows.append({"model": model.name, "tau": tau, "L": L, "output": None,
                             "species": None,
                             "error": str(e)})
    _add_branches(ev, rows, taus, doses)
    yield from rows


def _add_branches(ev, rows, taus, doses):
    """``continued_up`` and ``continued_down``: the outputs of the branch followed by
    continuation along the doses (for each binding time), or along the binding times when
    there is one dose (:func:`~antagonism.theory.networks.branches.scan_branches`); null
    past a fold."""
    from antagonism.theory.networks.branches import scan_branches

    nt = len(taus)
    if len(doses) > 1:
        lines = [[j * nt + i for j in range(len(doses))] for i in range(nt)]
    else:
        lines = [list(range(nt))]
    for line in lines:
        up, down = scan_branches(ev, [rows[k]["tau"] for k in line],
                                 [rows[k]["L"] for k in line])
        for k, a, b in zip(line, up, down):
            rows[k]["continued_up"], rows[k]["continued_down"] = a, b


def _network_row(model, ev, st, single):
    """One steady state of a network: the point, the output (the state reached from rest),
    its stability, the species (molecules) and, under ``diagnostics``, how it was found
    (and, for one point, every other steady state found, with its stability)."""
    import numpy as np

    from antagonism.theory.networks.attractor import is_stable

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
    eig = st.get("max_real_eigenvalue")
    row = {"tau": tau, "L": float(st.L[0]), "output": float(st.output),
           "from_rest": bool(st.get("from_rest", True)),
           "stable": is_stable(eig, bool(st.get("absorbing"))),
           "max_real_eigenvalue": eig, "species": species}
    if single:
        diagnostics["conserved_totals"] = {m.name: m.total for m in model.moieties()}
        dropped = list(net.extra.get("dropped_reactions", ()))
        if dropped:
            diagnostics["dropped_reactions"] = dropped
        found = ev.steady_states(st.tau, st.L, starts=4)
        diagnostics["steady_states_found"] = found.count
        row["steady_states"] = [
            {k: s[k] for k in ("output", "stable", "max_real_eigenvalue", "from_rest",
                               "found_by")}
            | {"species": {n: float(np.sum(v)) for n, v in s["species"].items()}}
            for s in found.states]
        row["stable_states"] = found.stable_count
    row["diagnostics"] = diagnostics
    _refuse_non_finite({"output": row["output"], **species}, "steady state", negative=True)
    return row


def _scan_table(rows, network):
    head = f"{'tau (s)':>12} {'L':>12} {'output':>14}" + (
        f" {'stable':>6} {'up':>14} {'down':>14}  route" if network else "")
    lines = [head]
    for r in rows:
        if r["output"] is None:
            lines.append(f"{r['tau']:>12.6g} {r['L']:>12.6g} {'null':>14}  {r['error']}")
            continue
        extra = ""
        if network:
            up, down = (("-" if r.get(k) is None else f"{r[k]:.8g}")
                        for k in ("continued_up", "continued_down"))
            extra = (f" {str(r['stable']):>6} {up:>14} {down:>14}  "
                     f"{r['diagnostics']['route']}")
        lines.append(f"{r['tau']:>12.6g} {r['L']:>12.6g} {r['output']:>14.8g}{extra}")
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
