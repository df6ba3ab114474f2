"""``antagonism fit``: the data reader, the forward model, the posterior and its reports.

Expected values are computed independently: synthetic data from T_{N,m}'s definition
(``helpers.T_numpy``), the exact posterior on a grid, scipy's normal density, an ODE
integration of SHP-1, the closed form of tau* written out in ``helpers``.
"""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import T_numpy, run_cli
from helpers import tau_star as tau_star_formula

pytest.importorskip("emcee")

from antagonism.errors import InputError, LimitError  # noqa: E402
from antagonism.numerics.fit import (  # noqa: E402
    FitData,
    ForwardModel,
    fit_antagonism,
    fit_data,
    parse_fit_data,
    write_fit_data,
)
from antagonism.numerics.fit import data as data_module  # noqa: E402
from antagonism.numerics.fit.posterior import ConvergenceWarning  # noqa: E402

HEADER = "tau_agonist,L_agonist,tau_antagonist,L_antagonist,fold_change,sd"
TAU1, L1 = 10.0, 10.0
TAU2 = (0.5, 1.0, 2.0, 4.0, 6.0, 8.0)
RATIO = (1.0, 10.0, 100.0, 1e3, 1e4)


def synthetic(N, m, seed=1, sd=0.05, tau_c=3.0):
    """30 mixtures' fold changes from T_{N,m}'s definition, plus Gaussian noise (kept when
    negative, as the likelihood assumes: a user's file with a negative value is refused,
    so the data set is built directly)."""
    t2, r = (a.ravel() for a in np.meshgrid(TAU2, RATIO))
    L2 = r * L1
    fc = np.array([T_numpy([TAU1, a], [L1, b], N, m, tau_c) / T_numpy([TAU1], [L1], N, m, tau_c)
                   for a, b in zip(t2, L2)])
    y = fc + sd * np.random.default_rng(seed).normal(size=fc.size)
    return FitData(tau_agonist=np.full(fc.size, TAU1), L_agonist=np.full(fc.size, L1),
                   tau_antagonist=t2, L_antagonist=L2, fold_change=y,
                   sd=np.full(fc.size, sd), replicate=None, source="synthetic", n=fc.size)


@pytest.fixture(scope="module")
def adaptive():
    return ForwardModel("adaptive")


def quiet_fit(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit_antagonism(*args, **kwargs)


# -- the data ---------------------------------------------------------------------------------

def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD_ROWS = "10,10,1,100,0.6,0.05\n10,10,2,100,0.4,0.05\n"

BAD = [  # (file text, what the message must name)
    (HEADER + "\n10,10,1,-100,0.6,0.05\n", ("row 1", "column L_antagonist", ">= 0")),
    (HEADER + "\n" + GOOD_ROWS + "10,10,1,100,nan,0.05\n", ("row 3", "column fold_change")),
    (HEADER + "\n10,,1,100,0.6,0.05\n", ("row 1", "column L_agonist", "missing")),
    (HEADER + "\n10,10,1,100,0.6,0\n", ("row 1", "column sd", "> 0")),
    (HEADER + "\n0,10,1,100,0.6,0.05\n", ("row 1", "column tau_agonist", "> 0")),
    (HEADER + "\n10,10,1,100,0.6,abc\n", ("row 1", "column sd", "'abc'")),
    (HEADER + "\n10,10,1,100,0.6,1_0\n", ("row 1", "column sd")),
    (HEADER + "\n10,10,1,100,0.6\n", ("row 1", "5 fields")),
    (HEADER + ",sd\n10,10,1,100,0.6,0.05,0.05\n", ("duplicate column 'sd'", "column 7")),
    (HEADER + ",colour\n10,10,1,100,0.6,0.05,red\n", ("unknown column 'colour'",)),
    ("tau_agonist,L_agonist,tau_antagonist,fold_change,sd\n10,10,1,0.6,0.05\n",
     ("missing column(s) L_antagonist",)),
    ("", ("empty file",)),
    ("# only a comment\n\n", ("empty file",)),
    (HEADER + "\n", ("no data rows",)),
]


@pytest.mark.parametrize("text, words", BAD)
def test_bad_data_exits_2_naming_row_and_column(tmp_path, text, words):
    path = _csv(tmp_path, text)
    with pytest.raises(InputError) as err:
        data_module.read_fit_data(path)
    for w in words:
        assert w in str(err.value), (w, str(err.value))
    p = run_cli("fit", path)
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and words[0] in p.stderr


def test_good_file_reads_back_the_numbers_and_comments_and_replicates(tmp_path):
    text = "# a comment\n" + HEADER + ",replicate\n10,10,1,100,0.6,0.05,a\n\n" \
        "10,10,2,1e2,3/5,0.05,b\n"
    d = data_module.read_fit_data(_csv(tmp_path, text))
    assert d.n == 2 and d.replicate == ["a", "b"]
    assert d.fold_change.tolist() == [0.6, 0.6] and d.L_antagonist.tolist() == [100, 100]
    assert d.reference_agonist() == (10.0, 10.0) and d.dose_factor() == 10.0
    again = data_module.read_fit_data(write_fit_data(d, tmp_path / "again.csv"))
    for k in data_module.NAMES:
        assert np.array_equal(again[k], d[k])


def test_row_and_size_limits_refuse_one_beyond_and_accept_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_ROWS", 3)
    row = "10,10,1,100,0.6,0.05\n"
    assert parse_fit_data(HEADER + "\n" + row * 3).n == 3
    with pytest.raises(LimitError, match="more than 3 data rows"):
        parse_fit_data(HEADER + "\n" + row * 4)
    text = HEADER + "\n" + row
    monkeypatch.setattr(data_module, "MAX_BYTES", len(text))
    assert data_module.read_fit_data(_csv(tmp_path, text)).n == 1
    with pytest.raises(LimitError, match="limited to"):
        data_module.read_fit_data(_csv(tmp_path, text + row, "big.csv"))


def test_arrays_are_validated_as_files_are():
    with pytest.raises(InputError, match="row 2, column L_antagonist"):
        fit_data([10, 10], [1, 1], [1, 1], [0, -1], [1, 1], [0.1, 0.1])
    with pytest.raises(InputError, match="column sd: 1 rows"):
        fit_data([10, 10], [1, 1], [1, 1], [0, 1], [1, 1], [0.1])


# -- the forward model --------------------------------------------------------------------------

@pytest.mark.parametrize("N, m", [(5, 3), (2.37, 0.41), (4.5, 2.5), (1.3, 0.9), (7.2, 6.95)])
def test_derived_fold_change_matches_the_definition_of_T_Nm(adaptive, N, m, rng):
    t1, t2 = rng.uniform(0.5, 20, 8), rng.uniform(0.1, 20, 8)
    l1, l2 = rng.uniform(1, 100, 8), rng.uniform(0, 1e4, 8)
    got = adaptive.fold_change([[N, m]], t1, l1, t2, l2)[0]
    want = [T_numpy([a, b], [c, d], N, m, 3.0) / T_numpy([a], [c], N, m, 3.0)
            for a, c, b, d in zip(t1, l1, t2, l2)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_tau_c_does_not_enter_the_fold_change_of_T_Nm(adaptive):
    # derived symbolically: no tau_c in the expression ...
    assert adaptive.not_in_fold_change == ["tau_c"]
    assert "tau_c" not in {str(s) for s in adaptive.expression.free_symbols}
    # ... and from the definition, at three thresholds
    fc = [T_numpy([10, 2], [1, 50], 4.3, 1.7, tc) / T_numpy([10], [1], 4.3, 1.7, tc)
          for tc in (0.5, 3.0, 40.0)]
    np.testing.assert_allclose(fc, fc[0], rtol=1e-12)
    with pytest.raises(InputError, match="tau_c does not enter the fold change"):
        ForwardModel("adaptive", free=["N", "m", "tau_c"])


def test_compiled_kernels_and_the_derived_route_agree(adaptive):
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.numerics.cells import cell_evaluator

    # the numpy backend of the kernels (the same generated expressions; numba compiles
    # a module per (N, m), which the slow test below checks)
    ev = cell_evaluator(AdaptiveProofreading(4.5, 2.25, 3.0), backend="numpy")
    kernel = ev.output([10.0, 1.5], [10.0, 300.0]) / ev.output([10.0], [10.0])
    assert adaptive.fold_change([[4.5, 2.25]], [10.0], [10.0], [1.5], [300.0])[0, 0] == \
        pytest.approx(kernel, rel=1e-12)


def test_kpr_routes_agree_and_kpr_never_antagonises():
    derived, numeric = ForwardModel("kpr"), ForwardModel("kpr", route="evaluator")
    assert derived.route == "derived" and numeric.route == "evaluator"
    theta = np.array([[3.0, 0.09], [5.5, 0.4]])
    args = ([10.0, 10.0], [100.0, 100.0], [1.0, 5.0], [1000.0, 10.0])
    a, b = derived.fold_change(theta, *args), numeric.fold_change(theta, *args)
    np.testing.assert_allclose(a, b, rtol=1e-9)
    assert np.all(a > 1)  # receptors in excess: every added ligand adds output


def test_shp1_fold_change_matches_ode_integration():
    from antagonism.derivations.shp1 import CLASSICAL
    from antagonism.numerics.cells.ode import integrate_shp1

    f = ForwardModel("shp1")
    assert f.route == "evaluator" and f.free == ("S_T", "C_star")
    p = {k: float(v.value) for k, v in CLASSICAL.items()}
    p.update(S_T=3e5, C_star=800.0)
    fc = f.fold_change([[3e5, 800.0]], [10.0], [100.0], [3.0], [1000.0])[0, 0]
    ode = (integrate_shp1([10.0, 3.0], [100.0, 1000.0], p).output
           / integrate_shp1([10.0], [100.0], p).output)
    assert fc == pytest.approx(ode, rel=1e-5)


def test_prior_draws_next_to_the_domain_edge_are_not_refused(adaptive):
    # N - m = 2e-4: inside the domain; three decimals would make them equal (a limit of
    # the symbolic model's precision, not of its domain)
    adaptive.check_domain(np.array([[5.70273, 5.70252]]))
    with pytest.raises(InputError, match="m must be non-negative"):
        adaptive.check_domain(np.array([[5.0, -0.5]]))


def test_free_and_prior_mistakes_are_input_errors():
    for call, words in [
            (lambda: ForwardModel("adaptive", free=["N", "q"]), "has no parameter q"),
            (lambda: ForwardModel("adaptive", free=["N", "N"]), "twice"),
            (lambda: ForwardModel("adaptive", free=["N"], fixed={"N": 4}), "both fitted"),
            (lambda: ForwardModel("adaptive", fixed={"Q": 1}), "unknown parameter")]:
        with pytest.raises(InputError, match=words):
            call()
    d = synthetic(5, 3)
    with pytest.raises(InputError, match="outside the domain"):
        quiet_fit(d, "adaptive", priors=["m=uniform:-2:3"], steps=10, draws=0)
    with pytest.raises(InputError, match="is not fitted"):
        quiet_fit(d, "adaptive", priors=["phi=uniform:0:1"], steps=10, draws=0)
    with pytest.raises(InputError, match="loguniform prior needs lo > 0"):
        quiet_fit(d, "adaptive", priors=["m=loguniform:0:3"], steps=10, draws=0)


# -- the posterior -------------------------------------------------------------------------------

def test_likelihood_is_the_gaussian_density():
    from scipy.stats import norm

    from antagonism.numerics.fit.likelihood import pointwise_log_likelihood

    mu = np.array([[0.5, 0.9, np.nan]])
    y, sd = np.array([0.45, 1.2, 0.3]), np.array([0.05, 0.2, 0.1])
    got = pointwise_log_likelihood(mu, y, sd)[0]
    np.testing.assert_allclose(got[:2], norm.logpdf(y[:2], mu[0, :2], sd[:2]), rtol=1e-12)
    assert got[2] == -np.inf


def test_posterior_matches_the_exact_posterior_on_a_grid(adaptive):
    """The sampler's quantiles against quadrature of prior x likelihood on a fine grid."""
    from antagonism.numerics.fit.likelihood import LogPosterior
    from antagonism.numerics.fit.priors import build_priors

    d = synthetic(3.0, 1.5, seed=3)
    fit = quiet_fit(d, adaptive, seed=2, steps=2000, draws=0)
    prior = build_priors("adaptive", adaptive.free, adaptive.values, domain=adaptive.in_domain)
    post = LogPosterior(adaptive, prior, d)
    s = fit.samples()
    Ng = np.linspace(s[:, 0].min() - 0.3, s[:, 0].max() + 0.3, 300)
    mg = np.linspace(max(0, s[:, 1].min() - 0.3), s[:, 1].max() + 0.3, 300)
    grid = np.array(np.meshgrid(Ng, mg, indexing="ij")).reshape(2, -1).T
    lp = post(grid).reshape(300, 300)
    P = np.exp(lp - lp.max())
    for axis, x, j in ((1, Ng, 0), (0, mg, 1)):
        cdf = np.cumsum(P.sum(axis=axis))
        cdf /= cdf[-1]
        exact = np.interp([0.025, 0.5, 0.975], cdf, x)
        mcmc = np.quantile(s[:, j], [0.025, 0.5, 0.975])
        width = exact[2] - exact[0]
        np.testing.assert_allclose(mcmc, exact, atol=0.05 * width)


def assert_recovered(fit, truths):
    """Each truth within 4 posterior standard deviations of the posterior mean (a correct
    sampler misses with probability ~1e-4 per parameter; that the 95 % intervals cover the
    truth 95 % of the time is the calibration's test), and inside the prior's 99.9 %
    interval of the posterior draws."""
    for name, truth in truths.items():
        s = fit.parameters[name]
        assert abs(s["mean"] - truth) < 4 * s["sd"], (name, s)
        lo, hi = np.quantile(fit.samples()[:, fit.free.index(name)], [0.0005, 0.9995])
        assert lo < truth < hi, (name, lo, hi)


def test_recovers_a_specialized_truth(adaptive):
    d = synthetic(5.0, 3.0)
    fit = quiet_fit(d, adaptive, seed=0, steps=2000, draws=40)
    assert_recovered(fit, {"N": 5.0, "m": 3.0})
    assert fit.regime_probability["specialized"] > 0.9
    assert fit.gradient_shape_probability["specialized"] > 0.99
    # tau* next to the agonist, tau_1 (m/N)^(1/(N-m)) = tau*(T = (tau_1/tau_c)^(N-m))
    truth = tau_star_formula(5.0, 3.0, 3.0, (TAU1 / 3.0) ** 2)
    assert abs(fit.tau_star["mean"] - truth) < 4 * fit.tau_star["sd"]
    assert fit.strength["median"] < 0.9


def test_broad_truth_gives_low_probability_of_specialized(adaptive):
    d = synthetic(3.0, 0.5, seed=2)
    fit = quiet_fit(d, adaptive, seed=0, steps=2000, draws=40)
    assert fit.regime_probability["specialized"] < 0.1
    assert fit.gradient_shape_probability["specialized"] < 0.1
    assert_recovered(fit, {"N": 3.0, "m": 0.5})
    assert fit.parameters["m"]["interval"][1] < 1


@pytest.mark.parametrize("N, m", [(5, 3), (4, 1.5), (3, 0.5), (4, 1), (0.8, 0.5), (2, 0)])
def test_closed_form_regime_is_the_regime_classify_derives(adaptive, N, m):
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.numerics.fit.quantities import gradient_shapes
    from antagonism.theory.regimes import gradient_regime

    want = gradient_regime(AdaptiveProofreading(N, m, 3.0))["regime"]
    assert gradient_shapes(adaptive, [[N, m]]) == [want]


def test_same_seed_same_draws_other_seed_other_draws(adaptive):
    d = synthetic(5.0, 3.0)
    a, b, c = (quiet_fit(d, adaptive, seed=s, steps=150, draws=0) for s in (7, 7, 8))
    assert np.array_equal(a.samples(), b.samples())
    assert a.to_dict() == {**b.to_dict(), "seconds": a.seconds}
    assert not np.array_equal(a.samples(), c.samples())


def test_short_chains_warn_on_stderr_and_in_the_result(adaptive):
    with pytest.warns(ConvergenceWarning, match="not converged"):
        fit = fit_antagonism(synthetic(5.0, 3.0), adaptive, seed=0, steps=60, draws=0)
    assert not fit.diagnostics["converged"] and fit.warnings


def test_split_rhat_and_ess_against_their_definitions():
    from antagonism.numerics.fit.diagnostics import diagnose, split_rhat

    rng = np.random.default_rng(0)
    chain = rng.normal(size=(400, 8, 1))
    # split R-hat written out for 4 groups x 2 halves (BDA3, sec. 11.4)
    seqs = [chain[h * 200:(h + 1) * 200, g * 2:(g + 1) * 2, 0].ravel()
            for g in range(4) for h in range(2)]
    n = len(seqs[0])
    W = np.mean([np.var(s, ddof=1) for s in seqs])
    B = n * np.var([np.mean(s) for s in seqs], ddof=1)
    assert split_rhat(chain)[0] == pytest.approx(np.sqrt(((n - 1) / n * W + B / n) / W))
    shifted = chain.copy()
    shifted[:, :2] += 3.0  # one walker group elsewhere
    assert split_rhat(shifted)[0] > 1.5
    d = diagnose(chain, ["x"])
    assert d["ess"]["x"] == pytest.approx(400 * 8 / d["tau"]["x"])
    assert 0.5 < d["tau"]["x"] < 2  # independent draws: tau ~ 1


def test_waic_against_its_definition():
    from antagonism.numerics.fit.comparison import waic

    ll = np.random.default_rng(1).normal(-1.0, 0.3, size=(500, 6))
    lppd = np.log(np.mean(np.exp(ll), axis=0))
    elpd_i = lppd - ll.var(axis=0, ddof=1)
    w = waic(ll)
    assert w["elpd_waic"] == pytest.approx(elpd_i.sum())
    assert w["se"] == pytest.approx(np.sqrt(6 * elpd_i.var(ddof=1)))
    assert w["waic"] == pytest.approx(-2 * elpd_i.sum())


def test_adaptive_beats_kpr_on_antagonism_data():
    from antagonism.numerics.fit import compare_models

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        c = compare_models(synthetic(5.0, 3.0), ["adaptive", "kpr"], seed=0, steps=600,
                           draws=0)
    assert c.best == "adaptive"
    kpr = next(r for r in c.table if r["model"] == "kpr")
    assert kpr["delta_elpd"] < 0 < kpr["delta_se"]
    # a sign test, free of the one row whose misfit dominates the sum: most rows favour T_{N,m}
    better = np.asarray(c.fits["adaptive"]["_elpd_i"]) > np.asarray(c.fits["kpr"]["_elpd_i"])
    assert better.mean() > 0.6
    assert "WAIC" in c.criterion and "kpr" in c.to_text()


# -- the command line ------------------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "fitting_example.csv"


def test_cli_json_shape_and_figure(tmp_path):
    path = EXAMPLE
    (tmp_path / "fig").mkdir()
    p = run_cli("fit", path, "--steps", 300, "--draws", 20, "--json", "--plot",
                tmp_path / "fig" / "fit.png")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert set(out["parameters"]) == {"N", "m"}
    for s in out["parameters"].values():
        assert s["interval"][0] <= s["median"] <= s["interval"][1]
    assert set(out["regime_probability"]) == {"specialized", "broad", "none"}
    assert sum(out["regime_probability"].values()) == pytest.approx(1)
    assert {"rhat", "ess", "tau", "converged", "seed"} <= set(out["diagnostics"])
    assert out["not_in_fold_change"] == ["tau_c"] and "95 % central" in out["interval_level"]
    assert isinstance(out["warnings"], list) and "_samples" not in out
    assert "antagonism: warning:" in p.stderr and "[fit" not in p.stderr  # no progress
    meta = json.loads((tmp_path / "fig" / "fit.json").read_text())
    assert meta["width_in"] == 7.0 and meta["min_font_pt"] >= 6
    assert meta["panel_letters"] and meta["text_overlaps"] == 0 and not meta["text_outside"]
    pdf = (tmp_path / "fig" / "fit.pdf").read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf  # TrueType (fonttype 42)


def test_cli_text_and_option_errors(tmp_path):
    path = EXAMPLE
    p = run_cli("fit", path, "--steps", 100, "--draws", 10, "--N", 5)
    assert p.returncode == 0, p.stderr
    assert "m " in p.stdout and "95 % interval" in p.stdout and "\nN " not in p.stdout
    assert "[fit adaptive]" in p.stderr  # progress without --json
    for args, words in [(("--free", "N,tau_c"), "does not enter"),
                        (("--prior", "m=normal:0:1"), "unknown kind"),
                        (("--model", "adaptive,kpr", "--free", "N"), "apply to one model"),
                        (("--walkers", 3), "walkers must be even"),
                        (("--model", "nosuch"), "unknown model")]:
        p = run_cli("fit", path, "--steps", 10, *args)
        assert p.returncode == 2 and words in p.stderr, (args, p.stderr)


def test_model_file_forward_matches_the_theory(tmp_path):
    from antagonism.io.reaction_files import literature_files, load_model_file
    from antagonism.theory import fold_change

    model = load_model_file(literature_files()["adaptive_sorting"])
    f = ForwardModel(model, free=["epsilon"])
    got = f.fold_change([[2e-3]], [10.0], [100.0], [2.0], [1000.0])[0, 0]
    other = load_model_file(literature_files()["adaptive_sorting"], {"epsilon": 2e-3})
    assert got == pytest.approx(float(fold_change(other, 10.0, 100.0, 2.0, 1000.0)), rel=1e-9)
    with pytest.raises(InputError, match="--free"):
        ForwardModel(model)


def test_calibration_runs_and_reports_every_level():
    from antagonism.numerics.fit import simulation_based_calibration

    r = simulation_based_calibration(replicates=2, steps=200, seed=1)
    assert set(r.coverage) == {"N", "m"} and set(r.coverage["m"]) == {"50 %", "95 %"}
    assert "| m | 95 % |" in r.to_text()


def test_docs_coverage_table_is_the_committed_benchmark_output():
    """docs/fitting.md's calibration table is the rendering of the committed benchmark
    JSON (python benchmarks/fit.py --out docs/fitting_calibration.json)."""
    from antagonism.numerics.fit.calibration import CalibrationResult

    root = Path(__file__).resolve().parents[1]
    saved = json.loads((root / "docs" / "fitting_calibration.json").read_text())
    table = CalibrationResult(saved["calibration"]).to_text()
    page = (root / "docs" / "fitting.md").read_text()
    for line in table.splitlines():
        assert line in page, line
    for levels in saved["calibration"]["coverage"].values():
        for c in levels.values():
            assert c["within_5_percent"]
    assert saved["calibration"]["replicates"] >= 400 and saved["within_bound"]


def test_fitting_page_commands_parse_and_name_its_files():
    """The cheap check of the page's worked example (the slow test below runs it)."""
    import shlex

    from test_docs import code_blocks

    from antagonism.cli import build_parser

    root = Path(__file__).resolve().parents[1]
    parser = build_parser()
    lines = [ln for lang, code, _ in code_blocks((root / "docs" / "fitting.md").read_text())
             if lang == "bash" for ln in code.splitlines()
             if ln.startswith("antagonism fit") and "[" not in ln]
    assert len(lines) >= 3
    for line in lines:
        args = parser.parse_args(shlex.split(line.split("  #")[0])[1:])
        assert args.data == "DATA.csv" or (root / args.data).is_file(), line
    assert (root / "docs" / "fitting_example.png").is_file()


# -- longer checks --------------------------------------------------------------------------------

@pytest.mark.slow
def test_compiled_numba_kernels_and_the_derived_route_agree(adaptive):
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.numerics.cells import cell_evaluator

    ev = cell_evaluator(AdaptiveProofreading(4.5, 2.25, 3.0), backend="numba")
    kernel = ev.output([10.0, 1.5], [10.0, 300.0]) / ev.output([10.0], [10.0])
    assert adaptive.fold_change([[4.5, 2.25]], [10.0], [10.0], [1.5], [300.0])[0, 0] == \
        pytest.approx(kernel, rel=1e-12)


@pytest.mark.slow
def test_model_file_fit_and_shp1_fit_run():
    from antagonism.io.reaction_files import literature_files, load_model_file

    d = fit_data([10.0] * 3, [100.0] * 3, [1.0, 2.0, 3.0], [1000.0] * 3, [5.4, 7.6, 8.8],
                 [0.3] * 3)
    model = load_model_file(literature_files()["adaptive_sorting"])
    fit = quiet_fit(d, model, free=["epsilon"], walkers=4, steps=20, draws=2)
    assert fit.route == "evaluator" and set(fit.parameters) == {"epsilon"}
    fit = quiet_fit(d, "shp1", walkers=4, steps=10, draws=2)
    assert set(fit.parameters) == {"S_T", "C_star"}


@pytest.mark.slow
def test_calibration_coverage_on_60_replicates():
    """A smaller calibration than the docs' (400): coverage inside the binomial 99 % band."""
    from antagonism.numerics.fit import simulation_based_calibration

    r = simulation_based_calibration(replicates=60, seed=11)
    for name, levels in r.coverage.items():
        for level, c in levels.items():
            p = float(level.split()[0]) / 100
            assert abs(c["coverage"] - p) <= 2.58 * np.sqrt(p * (1 - p) / 60) + 1 / 60, (
                name, level, c)


@pytest.mark.slow
def test_fitting_page_command_prints_what_the_page_says(tmp_path, monkeypatch):
    """docs/fitting.md's worked example: its command runs and prints the page's output."""
    import shlex

    from test_docs import check_output, code_blocks

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "fitting.md").read_text()
    checked = 0
    for lang, code, want in code_blocks(page):
        if lang != "bash" or want is None:
            continue
        line = next(ln for ln in code.splitlines() if ln.startswith("antagonism fit"))
        monkeypatch.chdir(root)  # the page's paths are relative to the repository
        args = [str(tmp_path / a) if a.endswith(".png") else a for a in shlex.split(line)[1:]]
        got = run_cli(*args).stdout
        assert check_output(want, got), got
        checked += 1
    assert checked >= 1


@pytest.mark.parametrize("name", ["data", "priors", "forward", "likelihood", "diagnostics",
                                  "comparison", "report", "posterior"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    module = importlib.import_module(f"antagonism.numerics.fit.{name}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS
                                 | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and not result.failed


def test_without_emcee_the_fit_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "emcee", None)  # import emcee raises ImportError
    with pytest.raises(InputError, match=r"pip install 'antagonism\[fit\]'"):
        fit_antagonism(synthetic(5.0, 3.0), "adaptive", steps=10)
    p = run_cli("fit", EXAMPLE, "--steps", 10)
    assert p.returncode == 2 and "antagonism[fit]" in p.stderr
