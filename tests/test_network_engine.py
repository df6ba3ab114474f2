"""The numeric engine for reaction networks of realistic size (issue 24).

Independent references: scipy's BDF and LSODA integrations of the full ODE (written out by
sympy from the raw reactions, ``numerics.cells.ode``), libroadrunner's CVODE (stored values
and, where installed, a fresh long integration), the symbolic sum form of every shipped
model, and central finite differences of steady states solved by Newton's method in
mpmath at 40 digits (sensitivities).

The published network: Ganti, Lo, McAffee, Groves, Weiss & Chakraborty, PNAS 117, 26020
(2020), converted by hand from the authors' PySB code (MIT licence):
repository https://github.com/rganti/Channel_Capacity_T_Cell, commit
62b9cba7a4248287598d06c010dcfcc4601a7006, file src/data/pysb_t_cell_network.py (class
LatPhosphorylationExtension, steps = 8); tests/data/ganti2020_tcr_latpp_8step.ant, whose
header lists the conversion.  Its reference steady states (tests/data/
ganti2020_roadrunner.json) are libroadrunner's, from the conversion's verification.
"""
from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from helpers import run_cli

from antagonism.derivations.ligand_states import ligand_states
from antagonism.derivations.network_model import NetworkModel
from antagonism.io.reaction_files import literature_files, load_model_file, network_from_antimony
from antagonism.theory.evaluation import evaluator_method, model_evaluator
from antagonism.theory.networks.engine import NetworkEvaluator
from antagonism.theory.networks.store import load_model_cached

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
GANTI = DATA / "ganti2020_tcr_latpp_8step.ant"
_spec = importlib.util.spec_from_file_location("synthetic_family",
                                               ROOT / "benchmarks" / "synthetic_family.py")
synthetic_family = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic_family)


def synthetic_model(n_steps, **params):
    """A member of the synthetic TCR family (3 N + 8 species) as a NetworkModel."""
    return NetworkModel(network_from_antimony(synthetic_family.synthetic_network(n_steps,
                                                                                 **params)))


def species_values(state, network):
    return {s: (state.shared[s] if s in state.shared else float(state.terms[s].sum()))
            for s in network.species}


#: (rtol, atol, t_end) of each integrator: scipy's BDF takes ~1e5 steps at rtol 1e-10 and
#: stalls below it; LSODA reaches rtol 1e-12 in a few thousand
ODE_SETTINGS = {"BDF": (1e-10, 1e-6, 1e6), "LSODA": (1e-12, 1e-10, 1e7)}


def ode_steady_state(model, tau, L, method):
    """The ODE of the mixture integrated by scipy (``ODE_SETTINGS``), then the state."""
    from scipy.integrate import solve_ivp

    from antagonism.numerics.cells.ode import network_rhs

    rtol, atol, t_end = ODE_SETTINGS[method]
    rhs, jac, y0, names = network_rhs(model, tau, L)
    sol = solve_ivp(rhs, (0.0, t_end), y0, method=method, jac=jac, rtol=rtol, atol=atol)
    assert sol.success, sol.message
    y = sol.y[:, -1]
    assert np.max(np.abs(rhs(0, y))) < 1e-8
    return dict(zip(names, y))


def close(a, b, rel=1e-8, floor=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + floor


# -- the engine against integrations ------------------------------------------------------------
def test_synthetic_30_species_against_roadrunner_values():
    """N = 7 (29 species): every amount as libroadrunner's CVODE left it at t = 1e6 s."""
    ref = {e["n_steps"]: e for e in json.loads((DATA / "synthetic_roadrunner.json").read_text())
           ["steady_state"]}[7]
    model = synthetic_model(7)
    assert model.derivation_method() == "numeric" and len(model.network.species) == 29
    ev = model_evaluator(model)
    assert evaluator_method(ev) == "numeric"
    st = ev.steady_state([ref["tau"]], [ref["L_total"]])
    assert st.output == pytest.approx(ref["output_Ap"], rel=1e-8)
    got = species_values(st, model.network)
    bad = {s: (got[s], v) for s, v in ref["amounts"].items() if not close(got[s], v)}
    assert not bad


@pytest.mark.slow
@pytest.mark.parametrize("method", ["BDF", "LSODA"])
def test_synthetic_30_species_against_scipy_integration(method):
    """Two ligand types (10 s and 2 s): the mixture's ODE integrated by scipy; every
    amount to 1e-8 of itself or the integrator's absolute tolerance."""
    model = synthetic_model(7)
    tau, L = [10.0, 2.0], [1000.0, 3000.0]
    st = NetworkEvaluator(model).steady_state(tau, L)
    ode = ode_steady_state(model, tau, L, method)
    floor = ODE_SETTINGS[method][1]
    assert st.output == pytest.approx(ode["Ap"], rel=1e-8)
    for s in model.network.species:
        if s in st.shared:
            assert close(st.shared[s], ode[s], floor=floor), s
        else:
            for i in range(2):
                assert close(st.terms[s][i], ode[f"{s}[{i}]"], floor=floor), (s, i)


@pytest.mark.slow
def test_synthetic_30_species_against_a_fresh_roadrunner_integration():
    roadrunner = pytest.importorskip("roadrunner")
    from antagonism.io.reaction_files import antimony_to_sbml

    text = synthetic_family.synthetic_network(7, koff=0.5, L=400.0)
    rr = roadrunner.RoadRunner(antimony_to_sbml(text))
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-12
    rr.simulate(0, 1e6, 2)
    model = NetworkModel(network_from_antimony(text))
    st = NetworkEvaluator(model).steady_state([2.0], [400.0])
    for s in model.network.species:
        assert close(species_values(st, model.network)[s], rr[f"[{s}]"]), s


def test_synthetic_30_species_from_rest_at_a_dose_far_above_the_receptors():
    """N = 7 at tau = 10 s, L = 10^5.5 (ten times the 3e4 receptors; a point of classify's
    dose grid): the integration from rest, once amounts were clipped at 0 in the rates,
    ran a species below 0, stopped conserving the receptors and never settled (the state
    came from continuation, from_rest false; the 299-species member failed this way at
    tau = 1 s, L = 5.6e5).  The ODE as written reaches CVODE's state from rest."""
    roadrunner = pytest.importorskip("roadrunner")
    from antagonism.io.reaction_files import antimony_to_sbml

    tau, L = 10.0, 10 ** 5.5
    text = synthetic_family.synthetic_network(7)
    rr = roadrunner.RoadRunner(antimony_to_sbml(text))
    rr.resetAll()
    rr["init([L])"] = L
    rr["koff"] = 1.0 / tau
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-12
    rr.simulate(0, 1e6, 2)
    model = NetworkModel(network_from_antimony(text))
    st = NetworkEvaluator(model).steady_state([tau], [L])
    assert st.from_rest and st.route == "from rest"
    assert st.output == pytest.approx(rr["[Ap]"], rel=1e-8)
    for s in model.network.species:
        assert close(species_values(st, model.network)[s], rr[f"[{s}]"]), s


# -- the published network ----------------------------------------------------------------------
def test_ganti_network_matches_roadrunner():
    """Both stored steady states (tau = 0.5 s and 5 s, Ls = 1000): all 29 species."""
    model = load_model_file(GANTI)
    assert model.derivation_method() == "numeric"
    assert len(model.network.species) == 29 and model.network.off_rate == "k_Ls_off"
    ev = model_evaluator(model)
    for ref in json.loads((DATA / "ganti2020_roadrunner.json").read_text())["steady_state"]:
        st = ev.steady_state([ref["tau"]], [ref["Ls_total"]])
        assert st.output == pytest.approx(ref["output_RPLs_Lck_Zap_P_LATPP"], rel=1e-8)
        got = species_values(st, model.network)
        assert not {s for s, v in ref["amounts"].items() if not close(got[s], v)}


@pytest.mark.slow
def test_ganti_network_classifies_within_a_minute_and_matches_its_ode():
    """Cold: a fresh model, the file read, the system compiled and classified, under 60 s of
    CPU time; the authors' mixture (self ligands at 0.5 s, 30 foreign at 5 s) against LSODA."""
    from antagonism.theory import classify

    start = time.process_time()
    model = load_model_file(GANTI, overrides={"k_L_on": 0.0022})
    result = classify(model)
    assert time.process_time() - start < 60
    assert result.verdict in ("no antagonism", "broad antagonism", "specialized antagonism")
    assert result.steady_state_method == "numeric"
    assert result.regime in ("broad", "specialized")  # a regime word, whatever the verdict
    assert (result.verdict == "no antagonism") is (not result.strength.antagonism)
    tau, L = [0.5, 5.0], [1000.0, 30.0]
    st = model_evaluator(model).steady_state(tau, L)
    ode = ode_steady_state(model, tau, L, "LSODA")
    out = ode["RPLs_Lck_Zap_P_LATPP[0]"] + ode["RPLs_Lck_Zap_P_LATPP[1]"]
    assert st.output == pytest.approx(out, rel=1e-8)


# -- numeric against symbolic -------------------------------------------------------------------
QUICK = ("adaptive_sorting",)


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in QUICK else pytest.mark.slow)
                                  for n in sorted(literature_files())])
def test_numeric_and_symbolic_agree_on_every_shipped_model(name):
    """Steady states, exact gradients and the dilute-probe gradient gamma, to 1e-8."""
    model = load_model_file(literature_files()[name])
    assert model.derivation_method() == "symbolic"
    sym, num = model_evaluator(model), NetworkEvaluator(model)
    assert evaluator_method(sym) == "symbolic" and evaluator_method(num) == "numeric"
    for tau, L in [([10.0], [100.0]), ([3.0, 0.5], [100.0, 1000.0]),
                   ([1.0, 2.0, 20.0], [1.0, 1e4, 50.0])]:
        a, b = sym.gradient(tau, L), num.gradient(tau, L)
        assert b.steady_state.output == pytest.approx(a.steady_state.output, rel=1e-8)
        np.testing.assert_allclose(b.tau, a.tau, rtol=1e-8, atol=1e-14)
        np.testing.assert_allclose(b.L, a.L, rtol=1e-8, atol=1e-14)
        for s, v in b.steady_state.shared.items():
            assert v == pytest.approx(a.steady_state.value(s), rel=1e-8, abs=1e-12), s
    f_sym, _ = sym.probe_gradient([10.0], [100.0])
    f_num, expr = num.probe_gradient([10.0], [100.0])
    taus = np.array([0.05, 0.5, 2.0, 9.0])
    assert expr is None
    np.testing.assert_allclose(f_num(taus), np.asarray(f_sym(taus), float), rtol=1e-8)


@pytest.mark.slow
def test_two_state_shp1_at_extreme_doses_numerically():
    """Block elimination keeps each type's amounts to full relative precision: no ligand
    (exactly 0), a dose of 1e-300 and 1e30 give the built-in SHP-1's steady state."""
    from test_steady_state import two_state_shp1

    from antagonism.derivations import SHP1

    ev = NetworkEvaluator(NetworkModel(two_state_shp1()))
    built_in = model_evaluator(SHP1(gamma=1.2e-6, S_T=6e5, C_star=500))
    for L in (0.0, 1e-300, 1e-20, 1e30):
        a = ev.steady_state([10.0, 1.0], [L, L / 2])
        b = built_in.steady_state([10.0, 1.0], [L, L / 2])
        assert a.output == pytest.approx(b.output, rel=1e-9, abs=0)
        assert a.shared["S"] == pytest.approx(b.shared["S"], rel=1e-9, abs=0)


# -- sensitivities against mpmath -----------------------------------------------------------------
def _mpmath_system(model, K):
    """The steady-state equations of K types written out by sympy from the raw reactions
    (the free ligand's row of each type replaced by its sum, each moiety's leading species'
    row by its law), lambdified for mpmath, with the parameters, binding times, doses and
    totals as arguments."""
    net = model.network
    states = ligand_states(net)
    shared = [s for s in net.species if s not in states]
    typed = {(s, i): sp.Symbol(f"{s}__{i}") for i in range(K) for s in states}
    unknowns = [typed[(s, i)] for i in range(K) for s in states] + [sp.Symbol(q) for q in shared]
    taus = sp.symbols(f"tau0:{K}")
    Ls = sp.symbols(f"L0:{K}")
    moieties = model.moieties()
    Ts = [sp.Symbol(m.name) for m in moieties]
    params = [sp.Symbol(p) for p in model.values_by_name]
    time_name = net.off_rate or net.binding_time
    rhs = {u: sp.S.Zero for u in unknowns}
    for r in net.reactions:
        involves = any(s in states for s in (*r.reactants, *r.products)) or any(
            str(x) in states for x in r.rate.free_symbols)
        for i in (range(K) if involves else [None]):
            env = {sp.Symbol(s): typed[(s, i)] if i is not None else 0 for s in states}
            t = taus[i] if i is not None else 1
            rate = r.rate.xreplace(env).xreplace({sp.Symbol(time_name): 1 / t if net.off_rate
                                                  else t})
            for s in set(r.reactants) | set(r.products):
                rhs[typed[(s, i)] if s in states else sp.Symbol(s)] += r.net(s) * rate
    for i in range(K):
        rhs[typed[(net.ligand, i)]] = sum(typed[(s, i)] for s in states) - Ls[i]
    for m, T in zip(moieties, Ts):
        rhs[sp.Symbol(m.species)] = sum(
            c * (sp.Symbol(s) if s in shared else sum(typed[(s, i)] for i in range(K)))
            for s, c in m.coefficients.items()) - T
    F = sp.Matrix([rhs[u] for u in unknowns])
    out = sp.sympify(net.output).xreplace(
        {sp.Symbol(s): sum(typed[(s, i)] for i in range(K)) for s in states})
    args = [unknowns, params, list(taus), list(Ls), Ts]
    return (sp.lambdify(args, F, "mpmath"), sp.lambdify(args, F.jacobian(unknowns), "mpmath"),
            sp.lambdify(args, out, "mpmath"), [str(p) for p in params],
            [m.name for m in moieties])


def _mp_output(system, start, params, taus, Ls, Ts):
    import mpmath as mp

    F, J, out, _, _ = system
    x = mp.matrix([mp.mpf(float(v)) for v in start])
    args = ([mp.mpf(p) for p in params], list(taus), list(Ls), list(Ts))
    for _ in range(40):
        dx = mp.lu_solve(J(list(x), *args), F(list(x), *args))
        x -= dx
        if mp.norm(dx) <= mp.mpf(10) ** (-32) * mp.norm(x):
            return out(list(x), *args)
    raise AssertionError("mpmath Newton did not converge")


@pytest.mark.parametrize("which", ["tau and L", pytest.param("parameters and totals",
                                                               marks=pytest.mark.slow)])
def test_sensitivities_against_mpmath_finite_differences(which):
    """dF/dtau_i, dF/dL_i, dF/dp and dF/dT of the implicit-function theorem against central
    differences (step 1e-12) of steady states solved at 40 digits."""
    import mpmath as mp

    model = synthetic_model(1)
    ev = NetworkEvaluator(model)
    tau, L = [10.0, 2.0], [1000.0, 3000.0]
    sens = ev.sensitivities(tau, L)
    st = ev.steady_state(tau, L)
    X = np.array([st.terms[s] for s in ev.system.states]).T.ravel()
    start = np.concatenate([X, [st.shared[q] for q in ev.system.shared]])
    system = _mpmath_system(model, 2)
    params = [model.values_by_name[p] for p in system[3]]
    Ts = [m.total for m in model.moieties()]
    with mp.workdps(40):
        h = mp.mpf("1e-12")

        def derivative(change):
            up, down = change(1 + h), change(1 - h)
            return (_mp_output(system, start, *up) - _mp_output(system, start, *down))

        def scaled(kind, k, factor):
            p, t, q, T = ([mp.mpf(float(v)) for v in params], [mp.mpf(v) for v in tau],
                          [mp.mpf(v) for v in L], [mp.mpf(v) for v in Ts])
            {"p": p, "tau": t, "L": q, "T": T}[kind][k] *= factor
            return p, t, q, T

        checks = ([("tau", k, sens.tau[k], tau[k]) for k in range(2)]
                  + [("L", k, sens.L[k], L[k]) for k in range(2)]
                  if which == "tau and L" else
                  [("p", system[3].index(n), sens.parameters[n], model.values_by_name[n])
                   for n in ("kon", "kcat", "gammaA")]
                  + [("T", k, sens.totals[name], Ts[k]) for k, name in enumerate(system[4])])
        for kind, k, exact, value in checks:
            fd = derivative(lambda f, kind=kind, k=k: scaled(kind, k, f)) / (2 * h * value)
            assert exact == pytest.approx(float(fd), rel=1e-9), (kind, k)


# -- several steady states ------------------------------------------------------------------------
BISTABLE = """
model bistable_switch
  bind: L + R -> C; kon*L*R
  off: C -> L + R; C/tau
  make: -> S; k0 + k1*S^2/(K^2 + S^2)
  act: -> S; kc*C
  lose: S -> ; d*S
  kon = 1e-4; tau = 10; k0 = 10; kc = 0.01; k1 = 1000; K = 1000; d = 0.45
  L = 0; R = 3e4; C = 0; S = 0
end
// antagonism: ligand = L
// antagonism: output = S
"""


def test_several_steady_states_are_found_and_reported():
    """A switch with positive feedback (S activates its own production): three steady
    states at a small dose, two stable; the evaluator follows the low branch."""
    ev = NetworkEvaluator(NetworkModel(network_from_antimony(BISTABLE)))
    found = ev.steady_states([10.0], [10.0], starts=12)
    assert found.count == 3
    stable = sorted(s["output"] for s in found.states if s["stable"])
    assert len(stable) == 2 and stable[1] > 10 * stable[0]
    assert found.states[0]["output"] == pytest.approx(stable[0], rel=1e-9)


# -- the command line -------------------------------------------------------------------------
@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_off_rate_gives_the_binding_time_as_its_inverse(cache):
    p = run_cli("steady", "--model-file", GANTI, "--off-rate", "k_Ls_off", "--tau", "0.5",
                "--L", "1000", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    ref = json.loads((DATA / "ganti2020_roadrunner.json").read_text())["steady_state"][0]
    assert ref["tau"] == 0.5
    assert out["output"] == pytest.approx(ref["output_RPLs_Lck_Zap_P_LATPP"], rel=1e-8)
    assert out["species"]["RLs"] == pytest.approx(ref["amounts"]["RLs"], rel=1e-8)
    assert set(out) == {"tau", "L", "output", "species", "diagnostics", "from_rest", "stable",
                        "max_real_eigenvalue", "steady_states", "stable_states", "model",
                        "version"}
    assert out["from_rest"] and out["stable"] and out["max_real_eigenvalue"] < 0
    assert out["diagnostics"]["method"] == "numeric"
    assert out["diagnostics"]["binding_time_parameter"]["value"] == pytest.approx(2.0)


@pytest.mark.parametrize("flag, name, hint", [
    ("--binding-time", "k_Ls_off", "--off-rate"),
    ("--off-rate", "tau", "--binding-time")])
def test_a_binding_time_given_as_the_wrong_kind_is_refused(cache, flag, name, hint):
    path = GANTI if name == "k_Ls_off" else literature_files()["shp1"]
    p = run_cli("steady", "--model-file", path, flag, name, "--tau", "0.5", "--L", "1000")
    assert p.returncode == 2 and hint in p.stderr and p.stdout == ""


def test_binding_time_and_off_rate_together_are_refused(cache):
    p = run_cli("steady", "--model-file", GANTI, "--off-rate", "k_Ls_off",
                "--binding-time", "k_Ls_off", "--tau", "1", "--L", "1")
    assert p.returncode == 2 and "not both" in p.stderr


def test_steady_scan_prints_one_row_per_point(cache):
    path = literature_files()["mckeithan_kpr"]
    p = run_cli("steady", "--model-file", path, "--tau", "log:1:10:3", "--L", "100,1000",
                "--json")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [(r["tau"], r["L"]) for r in rows] == [
        (pytest.approx(t), L) for L in (100.0, 1000.0) for t in (1.0, 10**0.5, 10.0)]
    ev = NetworkEvaluator(load_model_file(path))
    for r in rows:
        assert r["output"] == pytest.approx(ev.output([r["tau"]], [r["L"]]), rel=1e-10)
        assert set(r["species"]) == set(ev.model.network.species)
        assert not any(k.startswith(("A_", "B_", "v_")) for k in r["species"])


def test_a_model_file_is_read_once_then_served_from_the_store(monkeypatch):
    """The second load skips Antimony and SBML (they would fail here) and gives the same
    model, its dropped reactions included."""
    import antagonism.io.reaction_files as rf

    records = {}

    class Store:
        def get(self, key):
            return records.get(key)

        def put(self, key, text):
            records[key] = text

    first = load_model_cached(GANTI, {"k_L_on": 0.003}, Store(), off_rate="k_Ls_off")
    assert len(records) == 1
    monkeypatch.setattr(rf, "antimony_to_sbml", lambda text: 1 / 0)
    second = load_model_cached(GANTI, {"k_L_on": 0.003}, Store(), off_rate="k_Ls_off")
    assert second == first and second.dropped_reactions == first.dropped_reactions
    assert len(second.dropped_reactions) == 14
    with pytest.raises(ZeroDivisionError):  # other flags: another key, the file read again
        load_model_cached(GANTI, {"k_L_on": 0.004}, Store(), off_rate="k_Ls_off")


@pytest.mark.slow
def test_sweep_a_model_file_over_a_parameter_grid(cache):
    path = DATA / "ganti2020_tcr_latpp_8step.ant"
    p = run_cli("sweep", "--model-file", path, "--grid", "kp_on_lat2=1,2", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert [r["parameters"]["kp_on_lat2"] for r in out["rows"]] == [1.0, 2.0]
    assert all(r["regime"] in ("broad", "specialized") for r in out["rows"])
    assert all((r["verdict"] == "no antagonism") is (not r["strength"]["antagonism"])
               for r in out["rows"])
    bad = run_cli("sweep", "--model-file", path, "--grid", "nope=1,2")
    assert bad.returncode == 2 and "nope" in bad.stderr


@pytest.mark.parametrize("K", [1, 3])
def test_rates_and_jacobian_on_floats_equal_the_array_evaluation(K, monkeypatch):
    """Up to SCALAR_TYPES ligand types the rate laws and their derivatives are evaluated on
    Python floats one type at a time; the array evaluation of the same compiled functions
    (forced by SCALAR_TYPES = 0) is the reference, at a random state with amounts from 0
    to the totals."""
    from antagonism.theory.networks import system as system_module
    from antagonism.theory.networks.system import Point

    ev = NetworkEvaluator(synthetic_model(3))
    sys_ = ev.system
    rng = np.random.default_rng(7)
    pt = Point(10 ** rng.uniform(-1, 1, K), 10 ** rng.uniform(1, 3, K), ev.p, ev.T)
    z = rng.uniform(0, 1, K * len(sys_.states) + len(sys_.shared)) * ev.scale
    z[::5] = 0.0  # amounts at 0 as from rest
    fast = sys_.rates(z, pt), sys_.jacobian(z, pt)
    monkeypatch.setattr(system_module, "SCALAR_TYPES", 0)
    slow = sys_.rates(z, pt), sys_.jacobian(z, pt)
    for a, b in zip(fast[0], slow[0]):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)
    for name in "ABCS":
        np.testing.assert_allclose(getattr(fast[1], name), getattr(slow[1], name),
                                   rtol=1e-13, atol=1e-300)
