"""Commands about models: classify, derive, regimes, docs."""
from __future__ import annotations

from antagonism._core.ranges import GRAMMAR
from antagonism._core.result import stamped, to_json

from .base import CliError, command, emit
from .options import (
    DESIGNATIONS,
    add_designation_options,
    add_executor_options,
    add_json_option,
    add_level_option,
    add_model_options,
    add_time_budget_option,
    answer_request,
    count,
    executor_options,
    model_file_path,
    model_from_args,
    model_help,
    model_store,
    parameter_values,
    positive_float,
    unit_interval,
    value_grid,
)

#: largest --max-N of the regime table (N(N+1)/2 closed-form classifications)
MAX_REGIME_TABLE_N = 20


def _classify_args(p):
    add_model_options(p)
    p.add_argument("--tolerance", type=unit_interval, default=0.9,
                   help="antagonism iff the strongest fold change within the dose budget is "
                        "below this")
    p.add_argument("--dose-factor", type=positive_float, default=100.0,
                   help="dose budget: antagonists up to this times the reference agonists' "
                        "dose (and at most the receptor number)")
    add_level_option(p)
    add_json_option(p)


@command("classify", "regime of a cell model (broad or specialized antagonism)", _classify_args)
def cmd_classify(args):
    from antagonism.numerics.answers import stored_answer

    options = {"tolerance": args.tolerance, "dose_factor": args.dose_factor,
               "level": args.level}
    emit(args, stored_answer(lambda: answer_request(args, "classify", **options),
                             lambda: _classify(args, options)))


def _classify(args, options):
    from antagonism.numerics.progress import heartbeat
    from antagonism.theory import classify

    model = model_from_args(args)
    with heartbeat("classify", not args.json):  # a line every few seconds if it takes long
        return classify(model, **options)


def _derive_args(p):
    from antagonism.derivations import QUANTITIES

    add_model_options(p)
    p.add_argument("--quantity", required=True, choices=list(QUANTITIES),
                   help="the derived quantity to print")
    p.add_argument("--latex", action="store_true", help="print LaTeX")
    p.add_argument("--steps", action="store_true", help="print every derivation step (Markdown)")
    add_json_option(p)


@command("derive", "print a derived closed form (sympy); unset parameters stay symbols",
         _derive_args)
def cmd_derive(args):
    from antagonism.derivations import derive, model_spec

    if args.model_file is not None:
        model = model_from_args(args)
    else:
        spec = model_spec(args.model)
        given = parameter_values(args)
        unknown = set(given) - set(spec.parameters)
        if unknown:
            raise CliError(f"unknown parameter(s) {sorted(unknown)} for model {args.model!r}")
        model = spec.factory(**given)
    result = derive(model, args.quantity)  # a Derivation: it renders itself
    if args.steps and not args.json:
        emit(args, result, result.markdown())
    elif args.latex and not args.json:
        emit(args, result, result.latex())
    else:
        emit(args, result)


def _gamma_args(p):
    add_model_options(p)
    p.add_argument("--tau", default=None,
                   help=f"probe binding times (s), {GRAMMAR}; default a grid of --points "
                        "values over (0, the reference agonist's binding time]")
    p.add_argument("--points", type=count, default=50, help="grid size when --tau is not given")
    p.add_argument("--background", default=None, metavar="TAU:L[,TAU:L...]",
                   help="the ligands the probe joins (s:molecules); default the model's "
                        "reference agonists")
    p.add_argument("--plot", default=None, metavar="PATH",
                   help="also draw gamma(tau) into this PNG or PDF file")
    add_json_option(p)


@command("gamma", "per-molecule gradient gamma(tau) of a dilute probe ligand (its sign and "
         "critical points decide the regime)", _gamma_args)
def cmd_gamma(args):
    import numpy as np

    from antagonism.theory import gamma

    from .options import number_list

    model = model_from_args(args)
    background = None
    if args.background is not None:
        pairs = [item.split(":") for item in args.background.split(",") if item.strip()]
        if not pairs or any(len(pair) != 2 for pair in pairs):
            raise CliError(f"--background must look like TAU:L[,TAU:L...], got "
                           f"{args.background!r}")
        background = ([number_list(t, "background")[0] for t, _ in pairs],
                      [number_list(q, "background")[0] for _, q in pairs])
    if args.tau is not None:
        taus = number_list(args.tau, "tau")
        if min(taus) <= 0:
            raise CliError(f"--tau values must be positive binding times (s), got {args.tau!r}")
    else:
        if args.points < 2:
            raise CliError(f"--points must be at least 2, got {args.points}")
        top = float((background or model.reference_background())[0][0])
        taus = np.linspace(top / args.points, top, args.points)
    res = gamma(model, taus, background)
    if args.plot:
        try:
            from antagonism.numerics.figures.gamma_curve import draw_gamma

            draw_gamma(res, args.plot, model.label())
        except OSError as exc:
            raise CliError(f"--plot: cannot write {args.plot} ({exc.strerror or exc})") from None
    payload = res.to_dict(keys=["model", "parameters", "tau", "gamma", "background_tau",
                                "background_L", "expression"])
    rows = [f"{'tau (s)':>10}  {'gamma (output/s/molecule)':>26}"]
    rows += [f"{t:>10.4g}  {g:>26.6g}" for t, g in zip(res.tau, res.gamma)]
    head = [f"model: {model!r}", f"gamma(tau) = {res.expression}" if res.expression else None]
    emit(args, payload, "\n".join([h for h in head if h] + rows))


def _regimes_args(p):
    p.add_argument("--max-N", type=count, default=6, help="largest number of proofreading steps")
    p.add_argument("--tau-c", type=positive_float, default=3.0,
                   help="threshold binding time (s): T = 1 at tau_c")
    add_time_budget_option(p)
    add_json_option(p)


@command("regimes", "regime table of T_{N,m} for N = 1..6 (the main job on built-in settings)",
         _regimes_args)
def cmd_regimes(args):
    if args.max_N > MAX_REGIME_TABLE_N:
        from antagonism._core.errors import LimitError

        raise LimitError(f"--max-N must be at most {MAX_REGIME_TABLE_N} (the table has "
                         f"N(N+1)/2 rows), got {args.max_N}")
    from antagonism.numerics.answers import stored_rows
    from antagonism.numerics.progress import Progress

    def table():
        from antagonism.theory import regime_table

        steps = Progress(args.max_N, on=not args.json, tag="regimes")
        for N in range(1, args.max_N + 1):
            steps.step(f"N = {N}: m = 0..{N - 1}")
            yield from regime_table([N], args.tau_c)

    request = {"command": "regimes", "max_N": args.max_N, "tau_c": args.tau_c}
    rows = list(stored_rows(request, table))  # a table computed before is read back
    if args.json:
        print(to_json(stamped(rows)))
        return
    fmt = (lambda v: "-" if v is None else f"{v:.4f}")  # noqa: E731
    print(f"{'N':>3} {'m':>3}  {'regime':<12} {'tau*':>8} {'tau_infl':>9}  escape")
    for r in rows:
        N, m = r.parameters["N"], r.parameters["m"]
        print(f"{N:>3g} {m:>3g}  {r.regime:<12} {fmt(r.tau_star):>8} "
              f"{fmt(r.tau_inflection):>9}  {r.escape}")


def _docs_args(p):
    p.add_argument("--out", default="docs", help="output folder")


@command("docs", "regenerate the generated documentation pages from the package", _docs_args)
def cmd_docs(args):
    from antagonism.numerics.reports import write_generated_pages

    for path in write_generated_pages(args.out):
        print(f"wrote {path}")


def _literature_args(p):
    add_executor_options(p)
    add_json_option(p)


@command("literature", "classify the literature models shipped as Antimony files (a table)",
         _literature_args)
def cmd_literature(args):
    from antagonism.numerics.experiments.literature import literature_markdown, literature_table

    rows = literature_table(**executor_options(args), progress=not args.json,
                            cache="literature" if args.cache else None)
    if args.json:
        print(to_json(stamped(rows)))
    else:
        print(literature_markdown(rows))


def _sweep_args(p):
    p.add_argument("--model", default="adaptive", help=model_help())
    for flag, what in (("--N", "proofreading steps"), ("--m", "feedback step (T_{N,m})"),
                       ("--tau-c", "tau_c (s), the threshold at the reference dose")):
        p.add_argument(flag, default=None,
                       help=f"{what}: {GRAMMAR}, e.g. 2:5 or 1,3")
    p.add_argument("--param", "--grid", dest="param", action="append", default=[],
                   help="any other model parameter, name=values (same syntax; repeatable), "
                        "e.g. --grid k_p=log:0.1:10:5")
    p.add_argument("--model-file", default=None,
                   help="a reaction network (Antimony or SBML) instead of --model: sweep its "
                        "parameters, species' initial amounts or conserved totals (--grid)")
    add_designation_options(p)
    add_executor_options(p)
    add_time_budget_option(p)
    add_level_option(p)
    add_json_option(p)


@command("sweep", "the regime of a model over a grid of its parameters (every combination; "
                  "locally, in processes or on a dask cluster; cached per point)", _sweep_args)
def cmd_sweep(args):
    from antagonism.numerics.experiments.sweep import parameter_sweep

    grid = {k: getattr(args, k) for k in ("N", "m", "tau_c") if getattr(args, k) is not None}
    for item in args.param:
        if "=" not in item:
            raise CliError(f"--param/--grid must look like name=values, got {item!r}")
        k, v = item.split("=", 1)
        grid[k.strip()] = v
    if not grid:
        raise CliError("give at least one parameter to sweep (--N, --m, --tau-c or --grid)")
    grid = value_grid(grid)
    options = dict(**executor_options(args), cache="parameter-sweep" if args.cache else None,
                   progress=not args.json)
    if args.model_file is not None:
        result = _file_sweep(args, grid, options)
    else:
        used = [k for k in DESIGNATIONS if getattr(args, k, None) is not None]
        if used:
            raise CliError(f"--{used[0].replace('_', '-')} applies only with --model-file")
        result = parameter_sweep(args.model, grid, level=args.level, **options)
    emit(args, result.to_dict(), result.to_text())


def _file_sweep(args, grid, options):
    """The regime of a model file at every point of ``grid`` (parameters, initial amounts,
    conserved totals, tau_c): one task per point, cached by the file's content."""
    import hashlib
    import itertools

    from antagonism.numerics.executor import run_tasks
    from antagonism.numerics.experiments.sweep import ParameterSweep
    from antagonism.theory.networks.store import load_model_cached

    if {"N", "m"} & set(grid):
        raise CliError("--N and --m do not apply to a model file; use --grid name=values")
    path = model_file_path(args.model_file)
    designations = {k: getattr(args, k) for k in DESIGNATIONS
                    if getattr(args, k, None) is not None}
    base = load_model_cached(path, {}, model_store(), **designations)
    known = ({*base.network.parameters, *base.network.species, "tau_c"}
             | {m.name for m in base.moieties()})
    unknown = sorted(set(grid) - known)
    if unknown:
        raise CliError(f"--grid {unknown[0]}: not a parameter, species or conserved total of "
                       f"{path} (parameters: {', '.join(base.network.parameters)})")
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    names = list(grid)
    stated = {} if args.level is None else {"level": args.level}
    tasks = [{"path": str(path), "digest": digest, "point": dict(zip(names, values)),
              "designations": designations, **stated}
             for values in itertools.product(*grid.values())]
    run = run_tasks(file_regime_point, tasks, label="sweep", **options)
    rows = [r for r in run.results if "skipped" not in r]
    skipped = [r["skipped"] for r in run.results if "skipped" in r]
    return ParameterSweep(model=str(path), grid=grid, rows=rows, skipped=skipped)


def file_regime_point(path, digest, point, designations, level=None):
    """Task of ``sweep --model-file``: ``classify(...).to_dict()`` of the file with the
    point's values (``digest``, the file's SHA-256, keys the cached result), or
    {"skipped": {"parameters", "reason"}} for a point the model refuses."""
    from antagonism._core.errors import InputError
    from antagonism.theory import classify
    from antagonism.theory.networks.store import load_model_cached

    values = {k: v for k, v in point.items() if k != "tau_c"}
    extra = {"tau_c": point["tau_c"]} if "tau_c" in point else {}
    try:
        model = load_model_cached(path, values, model_store(), **designations, **extra)
        row = classify(model, level=level).to_dict()
    except InputError as exc:
        return {"skipped": {"parameters": point, "reason": str(exc)}}
    row["parameters"] = {**row["parameters"], **point}
    return row


def _models_args(p):
    add_json_option(p)


@command("models", "list the registered models (--model NAME) and the reaction networks "
                   "shipped with the package (--model-file NAME)", _models_args)
def cmd_models(args):
    import re

    from antagonism.derivations import model_names, model_spec
    from antagonism.io.shipped import literature_files

    registered = {name: model_spec(name).title for name in model_names()}
    shipped = {}
    for name, path in literature_files().items():
        found = dict(re.findall(r"^//\s*antagonism:\s*(name|source)\s*=\s*(.+)$",
                                path.read_text(), flags=re.M))
        shipped[name] = {"name": found.get("name", name), "source": found.get("source"),
                         "path": str(path)}
    lines = ["registered models (--model NAME):"]
    lines += [f"  {name:<28} {title}" for name, title in registered.items()]
    lines += ["shipped reaction networks (--model-file NAME, from any folder):"]
    lines += [f"  {name:<28} {row['name']}" + (f" ({row['source']})" if row["source"] else "")
              for name, row in shipped.items()]
    emit(args, {"registered": registered, "shipped": shipped}, "\n".join(lines))
