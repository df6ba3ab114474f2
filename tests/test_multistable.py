"""Networks with several steady states, and rate laws singular at zero amounts (issue 33).

Independent references: the closed-form steady states of the test switch
(tests/data/networks/bistable_pulse_switch.ant: the complex from a quadratic, the switch's
species from a cubic whose roots numpy finds), the sign of the switch's one-dimensional
derivative at each root (stability), and libroadrunner's CVODE integrating the SBML file
from rest (resetAll, the ligand and binding time set, 2e5 s, then its steady-state solver
from there) at rtol = atol = 1e-10.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from antagonism.io.reaction_files import antimony_to_sbml, load_model_file
from antagonism.theory.networks.engine import NetworkEvaluator

DATA = Path(__file__).resolve().parent / "data" / "networks"
SWITCH = DATA / "bistable_pulse_switch.ant"


def switch_states(values, tau, L, R_T=3e4):
    """(S roots ascending, stable flags) of the switch at (tau, L), in closed form."""
    a = values["kon"] * tau
    # a (L - C)(R_T - C) = C
    roots = np.roots([a, -(a * (L + R_T) + 1.0), a * L * R_T])
    C = min(r.real for r in roots if -1e-9 <= r.real <= min(L, R_T) + 1e-9)
    inhibitor = values["kI"] * C / values["dI"]
    A = values["ka"] * C / (values["da"] + values["ki"] * inhibitor)
    J = values["k0"] + values["kc"] * A
    d, k1, K = values["d"], values["k1"], values["K"]
    S = sorted(r.real for r in np.roots([d, -(J + k1), d * K * K, -J * K * K])
               if abs(r.imag) < 1e-9 * abs(r) and r.real > 0)
    # d/dS of the switch's rate at a root: negative for a stable state (the other species
    # relax on their own, independently of S)
    slope = [2 * k1 * K**2 * s / (K**2 + s**2) ** 2 - d for s in S]
    return S, [g < 0 for g in slope]


@pytest.fixture(scope="module")
def switch():
    return load_model_file(SWITCH)


@pytest.fixture(scope="module")
def cvode():
    """S reached from rest by libroadrunner (CVODE) at (tau, L)."""
    import roadrunner

    rr = roadrunner.RoadRunner(antimony_to_sbml(SWITCH.read_text()))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-10

    def from_rest(tau, L):
        rr.resetAll()
        rr.tau, rr.L = tau, L
        # no steadyState() after it: libroadrunner 2.5's NLEQ polish jumps to another root
        rr.simulate(0.0, 1e6, 11)
        assert max(abs(rr.getRatesOfChange())) < 1e-10 * max(1.0, rr.S)
        return rr.S

    return from_rest


def test_the_state_reached_from_rest_is_cvodes_and_not_the_low_branch(switch, cvode):
    """At L = 100 the switch has three states; the pulse of A carries S past the saddle, so
    the cell ends on the high branch (CVODE), not on the branch continuous with low doses."""
    ev = NetworkEvaluator(switch)
    S, stable = switch_states(switch.values_by_name, 10.0, 100.0)
    assert len(S) == 3 and stable == [True, False, True]
    st = ev.steady_state([10.0], [100.0])
    assert st.output == pytest.approx(S[2], rel=1e-9)
    assert st.output == pytest.approx(cvode(10.0, 100.0), rel=1e-8)
    assert st.get("route") == "from rest"
    start = ev.continued([10.0], [1.0])[:2]  # the low branch, continued up in dose
    pt, z, _ = ev.continued([10.0], [100.0], start=start)
    assert ev.system.output(z, pt)[0] == pytest.approx(S[0], rel=1e-9)


@pytest.mark.parametrize("tau", [3.0, 10.0])
def test_a_dose_scan_from_rest_matches_cvode_at_every_point(switch, cvode, tau):
    """Doses 10..1e4 (low branch, the jump, the monostable high branch), each point solved
    on its own and after the others in either order: the same state, CVODE's to 1e-8."""
    doses = [10.0, 100.0, 1e4] if tau == 3.0 else [30.0, 300.0]
    up, down = NetworkEvaluator(switch), NetworkEvaluator(switch)
    got_up = [up.steady_state([tau], [L]).output for L in doses]
    got_down = [down.steady_state([tau], [L]).output for L in doses[::-1]][::-1]
    for L, a, b in zip(doses, got_up, got_down):
        ref = cvode(tau, L)
        assert a == pytest.approx(ref, rel=1e-8), L
        assert b == a  # one answer per point, whatever was solved before


@pytest.mark.slow
@pytest.mark.parametrize("tau", [3.0, 10.0])
def test_a_long_dose_scan_from_rest_matches_cvode(switch, cvode, tau):
    """The slow sibling: 13 doses from 10 to 1e4."""
    ev = NetworkEvaluator(switch)
    for L in np.geomspace(10.0, 1e4, 13):
        assert ev.steady_state([tau], [L]).output == pytest.approx(cvode(tau, L), rel=1e-8)


def test_a_parameter_exponent_on_a_species_at_zero_is_evaluated_as_its_limit(switch):
    """(S/K)^n with n a parameter: its derivative n (S/K)^n/S is 0/0 at S = 0 (numpy: nan);
    the Jacobian takes its limit (0 for n = 2) and Newton starts from rest."""
    ev = NetworkEvaluator(switch)
    pt = ev.point([10.0], [100.0])
    z = ev._initial(pt)
    with np.errstate(all="ignore"):
        raw = ev.system._raw_jacobian(z, pt)
    assert not all(np.isfinite(v).all() for v in raw)  # the singularity is there
    J = ev.system.jacobian(z, pt).dense()
    assert np.all(np.isfinite(J))
    k = list(ev.system.shared).index("S")
    row = len(ev.system.states) + k
    assert J[row, row] == pytest.approx(-switch.values_by_name["d"], rel=1e-12)
    assert math.isfinite(ev.steady_state([10.0], [100.0]).output)


def test_every_steady_state_is_listed_with_its_stability(switch):
    """At (10 s, 100): the three roots of the cubic, the saddle flagged unstable (its
    largest eigenvalue is the cubic's slope there, positive), the one reached from rest
    first and marked; at 1000 molecules there is one state."""
    ev = NetworkEvaluator(switch)
    S, stable = switch_states(switch.values_by_name, 10.0, 100.0)
    found = ev.steady_states([10.0], [100.0], starts=4)
    got = sorted((s["output"], s["stable"]) for s in found.states)
    assert [g[0] for g in got] == pytest.approx(S, rel=1e-9)
    assert [g[1] for g in got] == stable
    assert found.stable_count == 2
    first = found.states[0]
    assert first["from_rest"] and first["output"] == pytest.approx(S[2], rel=1e-9)
    assert sum(s["from_rest"] for s in found.states) == 1
    saddle = next(s for s in found.states if not s["stable"])
    values = switch.values_by_name
    K, k1, d = values["K"], values["k1"], values["d"]
    slope = 2 * k1 * K**2 * S[1] / (K**2 + S[1] ** 2) ** 2 - d
    assert saddle["max_real_eigenvalue"] == pytest.approx(slope, rel=1e-8)
    S1, _ = switch_states(values, 10.0, 1000.0)
    one = ev.steady_states([10.0], [1000.0], starts=4)
    assert len(S1) == 1 and one.count == 1 and one.states[0]["stable"]


def test_a_scan_shows_the_fold_up_and_down_and_goes_on_past_a_failed_point(
        switch, monkeypatch, tmp_path):
    """steady --json over doses: the state from rest at every point (CVODE's jump between
    46 and 100 molecules), the low branch continued up ending at its fold (between 215 and
    464 molecules: the cubic loses its low roots at J = 53.695), the high branch continued
    down all the way (the switch is irreversible: the high root exists at every dose)."""
    import json

    from helpers import run_cli

    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path / "cache"))
    p = run_cli("steady", "--model-file", SWITCH, "--tau", "10", "--L", "log:10:1000:7",
                "--json")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(rows) == 7
    values = switch.values_by_name
    for r in rows:
        S, stable = switch_states(values, 10.0, r["L"])
        assert r["stable"] and r["from_rest"]
        assert r["continued_down"] == pytest.approx(S[-1], rel=1e-9)
        if len(S) == 3:
            assert r["continued_up"] == pytest.approx(S[0], rel=1e-9)
        else:
            assert r["continued_up"] is None
    jumped = [r["output"] > 1000 for r in rows]
    assert jumped == [False, False, False, True, True, True, True]


def test_a_failed_point_gives_a_null_row_and_the_scan_goes_on(switch, monkeypatch, tmp_path):
    import json

    from helpers import run_cli

    from antagonism._core.errors import ConvergenceError

    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path / "cache"))
    solve = NetworkEvaluator.steady_state

    def failing(self, tau, L):
        if L[0] == 100.0:
            raise ConvergenceError("no steady state reached from rest (a test)")
        return solve(self, tau, L)

    monkeypatch.setattr(NetworkEvaluator, "steady_state", failing)
    p = run_cli("steady", "--model-file", SWITCH, "--tau", "10", "--L", "10,100,1000",
                "--json")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["L"] for r in rows] == [10.0, 100.0, 1000.0]
    assert rows[1]["output"] is None and "a test" in rows[1]["error"]
    assert rows[2]["output"] == pytest.approx(switch_states(switch.values_by_name, 10.0,
                                                            1000.0)[0][-1], rel=1e-9)


def test_the_closed_form_path_gives_way_to_the_state_reached_from_rest():
    """The switch is small enough for the closed-form path, whose root at the reference
    agonists (10 s, 100) is the low branch; model_evaluator checks it against the state
    reached from rest and switches to the numeric engine, saying why."""
    from antagonism.theory import model_evaluator
    from antagonism.theory.networks.multistability import closed_form_is_from_rest
    from antagonism.theory.sum_form_evaluator import SumFormEvaluator

    model = load_model_file(SWITCH)
    assert model.derivation_method() == "symbolic"
    S, _ = switch_states(model.values_by_name, 10.0, 100.0)
    closed = SumFormEvaluator(model).steady_state([10.0], [100.0]).output
    assert closed == pytest.approx(S[0], rel=1e-9)  # the other branch
    agrees, why = closed_form_is_from_rest(model)
    assert not agrees and "reached from rest" in why
    ev = model_evaluator(model)
    assert model.derivation_method() == "numeric" and model.engine_reason == why
    assert ev.steady_state([10.0], [100.0]).output == pytest.approx(S[2], rel=1e-9)


def test_multistability_is_named_at_the_agonists_and_the_mixture(switch):
    """The report classify adds: both stable states and the saddle at the agonists and at a
    tested mixture, the one reached from rest, and the fold change on the other branch
    (low with low), each against the closed form."""
    from antagonism._core.result import Result
    from antagonism.theory.networks.multistability import multistability

    strength = Result(reference_agonist={"tau": [10.0], "L": [100.0]}, tau=1.0, dose=30.0)
    report = multistability(switch, strength)
    assert report["bistable"]
    values = switch.values_by_name
    agonists = report["points"]["reference agonists"]
    S, _ = switch_states(values, 10.0, 100.0)
    assert agonists["stable_outputs"] == pytest.approx([S[0], S[2]], rel=1e-9)
    assert agonists["unstable_outputs"] == pytest.approx([S[1]], rel=1e-9)
    assert agonists["from_rest_output"] == pytest.approx(S[2], rel=1e-9)
    mix = report["points"]["strongest antagonist mixture"]
    assert len(mix["stable_outputs"]) == 2
    (other,) = report["other_branch_fold_change"]
    assert other["agonists"] == pytest.approx(S[0], rel=1e-9)
    assert other["fold_change"] == pytest.approx(mix["stable_outputs"][0] / S[0], rel=1e-12)
    one = multistability(switch, Result(reference_agonist={"tau": [10.0], "L": [1000.0]},
                                        tau=None, dose=None))
    assert not one["bistable"]


@pytest.mark.slow
def test_classify_names_the_bistability_and_decides_from_rest():
    from antagonism.theory import classify

    model = load_model_file(SWITCH)
    r = classify(model, dose_response=False)
    assert r.bistable and r.steady_state_method == "numeric"
    assert r.cause.startswith("Bistable")
    S, _ = switch_states(model.values_by_name, 10.0, 100.0)
    assert r.strength.reference_agonist["output"] == pytest.approx(S[2], rel=1e-9)
    assert r.verdict in ("no antagonism", "broad antagonism", "specialized antagonism")


# -- rate laws singular at zero amounts ---------------------------------------------------------
SHAPE_MODEL = """
model shape
  bind: L + R -> C; kon*L*R
  off: C -> L + R; C/tau
  make: -> X; kx*C
  lose_x: X -> ; dx*X
  {reactions}
  lose_y: Y -> ; dy*Y
  kon = 1e-4; tau = 10; kx = 0.1; dx = 0.05; dy = 0.02; vm = 50; Kh = 100; h = {h}
  kz = 0.3
  L = 0; R = 3e4; C = 0; X = 0; Y = 0; Z = 0
end
// antagonism: ligand = L
// antagonism: output = Y
"""
#: the published shapes, each on species that start at 0 (X, Z): the rate law or its
#: derivative is 0/0 or infinite there
SHAPES = {
    "Hill, parameter exponent below 1": ("make_y: -> Y; vm*X^h/(Kh^h + X^h)", 0.5),
    "Hill, parameter exponent above 1": ("make_y: -> Y; vm*X^h/(Kh^h + X^h)", 2.5),
    "power of a ratio, parameter exponent": ("make_y: -> Y; vm*(X/Kh)^h", 0.7),
    "literal fractional power": ("make_y: -> Y; vm*X^0.3", 1.0),
    "0/0 at zero": ("make_y: -> Y; vm*X*Z/(X + Z)\n  make_z: -> Z; kz*C\n"
                    "  lose_z: Z -> ; dy*Z", 1.0),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_rate_law_shape_at_zero_amounts_against_cvode(shape):
    """The state reached from rest equals CVODE's (libroadrunner, from rest; for the 0/0
    term, whose value at 0 CVODE cannot evaluate, from X = Z = 1e-20, the same attractor)."""
    import roadrunner

    from antagonism.derivations.network_model import NetworkModel
    from antagonism.io.reaction_files import network_from_antimony

    reactions, h = SHAPES[shape]
    text = SHAPE_MODEL.format(reactions=reactions, h=h)
    ev = NetworkEvaluator(NetworkModel(network_from_antimony(text)))
    rr = roadrunner.RoadRunner(antimony_to_sbml(text))
    rr.integrator.relative_tolerance = rr.integrator.absolute_tolerance = 1e-10
    for L in (10.0, 1000.0):
        rr.resetAll()
        rr.L = L
        if shape == "0/0 at zero":
            rr.X = rr.Z = 1e-20
        rr.simulate(0.0, 1e6, 11)  # settled (no NLEQ polish: see the fixture cvode)
        assert max(abs(rr.getRatesOfChange())) < 1e-10 * max(1.0, rr.Y), L
        assert ev.steady_state([10.0], [L]).output == pytest.approx(rr.Y, rel=1e-8), L


def test_the_numbers_in_the_docs_are_the_switchs(switch):
    """docs/reaction_networks.md quotes the switch's three states at (10 s, 100), the saddle's
    eigenvalue and the fold's bracket: each from the closed form here."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "reaction_networks.md").read_text()
    doc = " ".join(doc.split())
    values = switch.values_by_name
    S, _ = switch_states(values, 10.0, 100.0)
    K, k1, d = values["K"], values["k1"], values["d"]
    slope = 2 * k1 * K**2 * S[1] / (K**2 + S[1] ** 2) ** 2 - d
    assert (f"S = {S[0]:.3f} (stable), {S[1]:.3f} (a saddle, largest eigenvalue "
            f"+{slope:.3f}/s) and {S[2]:.2f} (stable)") in doc
    assert f"a resting cell ends at {S[2]:.2f}" in doc
    lo, hi = np.geomspace(10.0, 1000.0, 7)[4:6]
    assert len(switch_states(values, 10.0, lo)[0]) == 3
    assert len(switch_states(values, 10.0, hi)[0]) == 1
    assert f"until its fold, between L = {lo:.0f} and {hi:.0f}" in doc


def _shp1_chain(N):
    """shp1.ant's proofreading chain with N steps (N + 4 species)."""
    from antagonism.derivations.network_model import NetworkModel
    from antagonism.io.reaction_files import network_from_antimony

    lines = (["bind: L + R -> C0; kappa*L*R"]
             + [f"off{n}: C{n} -> L + R; C{n}/tau" for n in range(N + 1)]
             + [f"p{n}: C{n - 1} -> C{n}; phi*C{n - 1}" for n in range(1, N + 1)]
             + [f"d{n}: C{n} -> C{n - 1}; (b + gamma_S*S)*C{n}" for n in range(1, N + 1)]
             + ["J_S: -> S; alpha*C1*(S_T - S)", "J_Sd: S -> ; alpha*C_star*S"])
    text = ("model chain\n  " + "\n  ".join(lines)
            + "\n  kappa = 1e-4; phi = 0.09; tau = 10; b = 0.04; gamma_S = 1.2e-6"
            + "\n  alpha = 1e-4; S_T = 6e5; C_star = 500; L = 0; R = 3e4; S = 0\nend\n"
            + f"// antagonism: ligand = L\n// antagonism: output = C{N}\n")
    return NetworkModel(network_from_antimony(text))


def test_the_path_follows_the_measured_cost():
    """The 11-species chain (9 ligand states x 3) costs more symbolically than numerically
    (SYMBOLIC_LIMIT's measurements): numeric; the 9-species one stays symbolic."""
    assert _shp1_chain(7).derivation_method() == "numeric"
    assert _shp1_chain(5).derivation_method() == "symbolic"


@pytest.mark.slow
def test_a_ten_species_chain_costs_no_more_than_the_numeric_engine():
    import time

    from antagonism.theory import classify

    costs = {}
    for engine in ("auto", "numeric"):
        model = _shp1_chain(7)
        if engine == "numeric":
            model.use_numeric_engine("the comparison")
        start = time.process_time()
        classify(model, dose_response=False)
        costs[engine] = time.process_time() - start
    assert costs["auto"] <= 1.2 * costs["numeric"]


# -- a published bistable TCR model ---------------------------------------------------------------
CHAN = DATA / "bistable_chan2004_tcr.ant"


def chan_states(values, tau, L, R_T=3e4):
    """Active Lck at every steady state of the Chan et al. 2004 model, from its own
    equations: the complex C from the quadratic, r = kr C; the phosphatase's law
    P_a = P_T (k2 + m2 a)/(k2 + m2 a + n2); the sum of the Lck rows, r = d0 i + d1 a, gives
    inactive Lck i; the active row's roots in a are bracketed on a fine grid (brentq)."""
    from scipy.optimize import brentq

    v = values
    k = v["kon"] * tau
    roots = np.roots([k, -(k * (L + R_T) + 1.0), k * L * R_T])
    C = min(x.real for x in roots if -1e-9 <= x.real <= min(L, R_T) + 1e-9)
    r, P_T = v["kr"] * C, 1.2

    def g(a):
        i = (r - v["d1"] * a) / v["d0"]
        Pa = P_T * (v["k2"] + v["m2"] * a) / (v["k2"] + v["m2"] * a + v["n2"])
        return v["k1"] * i + v["m1"] * a ** v["n"] * i - v["n1"] * a * Pa - v["d1"] * a

    grid = np.linspace(0.0, r / v["d1"], 20001)
    values_g = g(grid)
    return [brentq(g, grid[j], grid[j + 1], xtol=1e-300, rtol=1e-15)
            for j in np.nonzero(np.sign(values_g[:-1]) * np.sign(values_g[1:]) < 0)[0]]


@pytest.fixture(scope="module")
def chan():
    return load_model_file(CHAN)


def chan_cvode(tau, L):
    """Active Lck reached from rest by libroadrunner (CVODE, 1e5 s at rtol = atol = 1e-10;
    its steady-state solver needs the moiety analysis, so the long integration is the
    reference)."""
    import roadrunner

    rr = roadrunner.RoadRunner(antimony_to_sbml(CHAN.read_text()))
    rr.integrator.relative_tolerance = rr.integrator.absolute_tolerance = 1e-10
    rr.resetAll()
    rr.tau, rr.L = tau, L
    rr.simulate(0.0, 1e5, 11)
    return rr.lck_active


def test_the_published_bistable_tcr_model_lists_its_states(chan):
    """At its reference agonists (10 s, 100) the model has three steady states (its own
    equations): two stable, the middle one a saddle; a resting cell reaches the low one."""
    ev = NetworkEvaluator(chan)
    roots = chan_states(chan.values_by_name, 10.0, 100.0)
    assert len(roots) == 3
    found = ev.steady_states([10.0], [100.0], starts=4)
    got = sorted((s["output"], s["stable"]) for s in found.states)
    assert [g[0] for g in got] == pytest.approx(roots, rel=1e-9)
    assert [g[1] for g in got] == [True, False, True]
    assert found.states[0]["from_rest"]
    assert found.states[0]["output"] == pytest.approx(roots[0], rel=1e-9)
    assert found.states[0]["output"] == pytest.approx(chan_cvode(10.0, 100.0), rel=1e-8)


@pytest.mark.parametrize("tau", [3.0, 10.0])
def test_the_published_bistable_tcr_model_from_rest_equals_cvode(chan, tau):
    ev = NetworkEvaluator(chan)
    for L in (10.0, 316.2, 1e4):
        assert ev.steady_state([tau], [L]).output == pytest.approx(chan_cvode(tau, L),
                                                                  rel=1e-8), L


@pytest.mark.slow
@pytest.mark.parametrize("tau", [3.0, 10.0])
def test_the_published_bistable_tcr_model_dose_scan_10_to_1e4(chan, tau):
    ev = NetworkEvaluator(chan)
    for L in np.geomspace(10.0, 1e4, 13):
        assert ev.steady_state([tau], [L]).output == pytest.approx(chan_cvode(tau, L),
                                                                  rel=1e-8), L


def test_the_closed_form_root_of_the_published_model_is_its_saddle_and_is_refused(chan):
    """The closed-form path's root at (10 s, 100) is the middle state, a saddle: the check
    finds that it is not the state reached from rest."""
    from antagonism.theory.networks.multistability import closed_form_is_from_rest
    from antagonism.theory.sum_form_evaluator import SumFormEvaluator

    model = load_model_file(CHAN)
    roots = chan_states(model.values_by_name, 10.0, 100.0)
    closed = SumFormEvaluator(model).steady_state([10.0], [100.0]).output
    assert closed == pytest.approx(roots[1], rel=1e-9)
    agrees, why = closed_form_is_from_rest(model)
    assert not agrees and f"{roots[0]:.8g}" in why


@pytest.mark.slow
def test_classify_names_the_bistability_of_the_published_model():
    from antagonism.theory import classify

    model = load_model_file(CHAN)
    r = classify(model, dose_response=False)
    roots = chan_states(model.values_by_name, 10.0, 100.0)
    assert r.bistable and r.cause.startswith("Bistable")
    assert r.strength.reference_agonist["output"] == pytest.approx(roots[0], rel=1e-9)
    agonists = r.steady_states["points"]["reference agonists"]
    assert agonists["unstable_outputs"] == pytest.approx([roots[1]], rel=1e-9)


def test_a_closed_form_path_that_fails_gives_way_to_the_numeric_engine(monkeypatch):
    """Where the shared species' solve of the closed-form path fails (as _solve_shared did on
    a receptor assembly), model_evaluator takes the numeric engine, with the reason."""
    from antagonism._core.errors import ConvergenceError
    from antagonism.theory import model_evaluator
    from antagonism.theory.sum_form_evaluator import SumFormEvaluator

    def fails(self, tau, L):
        raise ConvergenceError("no steady state in the bracket of R (a test)")

    monkeypatch.setattr(SumFormEvaluator, "_solve_shared", fails)
    model_evaluator.cache_clear()  # an evaluator built by an earlier test would be served
    from antagonism.io.reaction_files import literature_files

    model = load_model_file(literature_files()["mckeithan_kpr"])
    assert model.derivation_method() == "symbolic"
    ev = model_evaluator(model)
    assert model.derivation_method() == "numeric" and "a test" in model.engine_reason
    assert ev.method == "numeric" and ev.steady_state([10.0], [100.0]).get("from_rest")
