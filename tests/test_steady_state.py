"""Steady states of models with several shared variables and conserved moieties.

- Conservation analysis as roadrunner and COPASI do it: moieties from the left null space of
  the stoichiometric matrix, totals from the initial amounts of every species (receptors
  that a file starts bound count), settable by name.
- Two-state enzymes (SHP-1 written as S <-> S_inactive, activation catalysed by C1) and
  kinase-phosphatase cycles: the multidimensional solver against ODE integration, against
  the built-in SHP-1 model (the same steady state in closed form) and, where installed,
  against libroadrunner's steady-state solver.
- Large L: SHP-1, adaptive sorting and network files at L up to 1e300 against independent
  high-precision solutions (mpmath).
- Refusals: a negative steady state names its species.

References: Francois et al., PNAS 110, E888 (2013) (SHP-1); Lalanne & Francois, PRL 110,
218102 (2013) (adaptive sorting); Sauro & Ingalls, Biophys. Chem. 109, 1 (2004)
(conservation analysis from the stoichiometric matrix).
"""
import json

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from helpers import assert_gradient_matches_finite_differences, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from antagonism._core.errors import ConvergenceError
from antagonism.derivations import SHP1, AdaptiveSorting
from antagonism.derivations.conservation import conserved_moieties
from antagonism.derivations.network_model import NetworkModel
from antagonism.derivations.reactions import NetworkError, Reaction, ReactionNetwork
from antagonism.io.reaction_files import literature_files
from antagonism.numerics.cells.ode import integrate_network
from antagonism.theory import model_evaluator

MIXTURE = ([10.0, 2.0, 0.5], [100.0, 1000.0, 3000.0])
SHP1_PARAMETERS = dict(kappa=1e-4, tau=10.0, phi=0.09, b=0.04, gamma_S=1.2e-6, alpha=1e-4,
                       C_star=500.0)
N = 5


def reaction(name, reactants, products, rate):
    """A reaction with a rate law built from sympy symbols (no text is parsed)."""
    return Reaction({s: 1 for s in reactants}, {s: 1 for s in products}, rate, name)


def chain_reactions(dephosphorylation):
    """McKeithan's chain (N = 5) with the given dephosphorylation rate of every step."""
    sym = sp.Symbol
    kappa, tau, phi = sym("kappa"), sym("tau"), sym("phi")
    C = [sym(f"C{k}") for k in range(N + 1)]
    rx = [reaction("bind", ["L", "R"], ["C0"], kappa * sym("L") * sym("R"))]
    rx += [reaction(f"off{k}", [f"C{k}"], ["L", "R"], C[k] / tau) for k in range(N + 1)]
    rx += [reaction(f"p{k}", [f"C{k - 1}"], [f"C{k}"], phi * C[k - 1]) for k in range(1, N + 1)]
    rx += [reaction(f"d{k}", [f"C{k}"], [f"C{k - 1}"], dephosphorylation(k) * C[k])
           for k in range(1, N + 1)]
    return rx


def two_state_shp1(initial=None):
    """SHP-1 as a two-state enzyme: Sx (inactive) -> S activated by C1, S -> Sx at rate
    alpha C*, total S + Sx conserved; active S speeds up every dephosphorylation."""
    sym = sp.Symbol
    S, Sx, alpha = sym("S"), sym("Sx"), sym("alpha")
    rx = chain_reactions(lambda k: sym("b") + sym("gamma_S") * S)
    rx += [reaction("act", ["Sx"], ["S"], alpha * sym("C1") * Sx),
           reaction("inact", ["S"], ["Sx"], alpha * sym("C_star") * S)]
    init = dict(L=0.0, R=3e4, S=0.0, Sx=6e5)
    init.update(initial or {})
    return ReactionNetwork(name="SHP-1 two-state", reactions=rx, parameters=SHP1_PARAMETERS,
                           initial=init, ligand="L", output="C5")


def kinase_phosphatase_cycle():
    """A kinase cycle K <-> Kp (Michaelis-Menten activation by C5, dephosphorylation by a
    phosphatase P) and a phosphatase cycle P <-> Pi (inactivation by Kp): active Kp speeds up
    dephosphorylation of steps 2..5.  Three conserved moieties: receptors, K, P."""
    sym = sp.Symbol
    K, Kp, P, Pi, Km = sym("K"), sym("Kp"), sym("P"), sym("Pi"), sym("Km")
    rx = chain_reactions(lambda k: sym("b") + (sym("g") * Kp if k > 1 else 0))
    rx += [reaction("kact", ["K"], ["Kp"], sym("ka") * sym("C5") * K / (Km + K)),
           reaction("kdeact", ["Kp"], ["K"], sym("kp") * P * Kp / (Km + Kp)),
           reaction("pin", ["P"], ["Pi"], sym("ki") * Kp * P),
           reaction("pact", ["Pi"], ["P"], sym("kr") * Pi)]
    return ReactionNetwork(
        name="kinase-phosphatase", reactions=rx,
        parameters=dict(kappa=1e-4, tau=10.0, phi=0.09, b=0.04, g=1e-5, ka=5.0, Km=1e3,
                        kp=0.5, ki=1e-4, kr=0.1),
        initial=dict(L=0.0, R=3e4, K=1e4, Kp=0.0, P=1e3, Pi=0.0), ligand="L", output="C5")


# -- conservation analysis --------------------------------------------------------------------
def stoichiometry(network):
    """N (species x reactions) in numpy, straight from the reactions."""
    species = network.species
    return np.array([[r.products.get(s, 0) - r.reactants.get(s, 0) for r in network.reactions]
                     for s in species], float)


def test_moieties_span_the_left_null_space_and_totals_use_every_initial_amount():
    net = kinase_phosphatase_cycle()
    moieties = conserved_moieties(net)
    species = net.species
    Nmat = stoichiometry(net)
    rank = np.linalg.matrix_rank(Nmat)
    # the ligand's moiety plus these span the left null space (dimension n - rank N)
    assert len(moieties) + 1 == len(species) - rank
    for m in moieties:
        c = np.array([float(m.coefficients.get(s, 0)) for s in species])
        assert np.allclose(c @ Nmat, 0) and c[species.index("L")] == 0
        assert m.total == pytest.approx(sum(c[species.index(s)] * v
                                            for s, v in net.initial.items()))
    by_name = {m.name: m for m in moieties}
    assert set(by_name) == {"R_T", "K_T", "P_T"}
    assert dict(by_name["R_T"].coefficients) == {"R": 1, **{f"C{k}": 1 for k in range(N + 1)}}
    assert (by_name["R_T"].total, by_name["K_T"].total, by_name["P_T"].total) == (3e4, 1e4,
                                                                                    1e3)


def test_receptors_that_start_bound_count_towards_the_total():
    """All receptors start in C0 and free R at 0 (as in many published files): R_T is the
    initial C0, not 0, and the steady state is that of R(0) = R_T, here and in the ODE."""
    bound = two_state_shp1(dict(R=0.0, C0=3e4))
    free = two_state_shp1()
    assert {m.name: m.total for m in NetworkModel(bound).moieties()}["R_T"] == 3e4
    a, b = model_evaluator(NetworkModel(bound)), model_evaluator(NetworkModel(free))
    out = a.output(*MIXTURE)
    assert out > 0 and out == pytest.approx(b.output(*MIXTURE), rel=1e-12)
    ode = integrate_network(NetworkModel(bound), *MIXTURE)
    assert ode.output == pytest.approx(out, rel=1e-8)


def test_totals_are_set_by_moiety_name_or_by_a_species_initial_amount():
    """R_T = 2e4 and S_T = 3e5 set by the moieties' names, or as the free species' initial
    amounts (R = 2e4, Sx = 3e5): the same steady state, and that of the ODE started there."""
    net = two_state_shp1()
    by_total = NetworkModel(net, R_T=2e4, S_T=3e5)
    by_species = NetworkModel(net, R=2e4, Sx=3e5)
    assert {m.name: m.total for m in by_total.moieties()} == {"R_T": 2e4, "S_T": 3e5}
    out = model_evaluator(by_total).output(*MIXTURE)
    assert model_evaluator(by_species).output(*MIXTURE) == pytest.approx(out, rel=1e-12)
    assert integrate_network(by_species, *MIXTURE).output == pytest.approx(out, rel=1e-8)
    assert out != pytest.approx(model_evaluator(NetworkModel(net)).output(*MIXTURE), rel=1e-3)
    with pytest.raises(NetworkError, match="R_T"):
        NetworkModel(net, Q_T=1.0)


def test_a_zero_receptor_total_is_refused_not_classified():
    """No receptors at all (every receptor species starts at 0): every output would be 0
    and any verdict meaningless; the error names the moiety and how to set it."""
    with pytest.raises(NetworkError, match=r"R_T = R \+ C0 .* is 0.*--param R_T="):
        NetworkModel(two_state_shp1(dict(R=0.0))).sum_form()


# -- several shared variables -------------------------------------------------------------------
def test_two_state_shp1_matches_its_ode_and_the_built_in_model():
    """S + Sx = S_T with S/Sx = C1/C*: the built-in SHP-1 steady state S = S_T C1/(C1 + C*)
    (Francois et al. 2013).  The network solves all three shared variables together."""
    model = NetworkModel(two_state_shp1())
    assert len(model.sum_form().shared) == 3
    ev = model_evaluator(model)
    state = ev.steady_state(*MIXTURE)
    ode = integrate_network(model, *MIXTURE)
    assert ode.residual < 1e-8
    assert state.output == pytest.approx(ode.output, rel=1e-8)
    for s in ("R", "S", "Sx"):
        assert state.shared[s] == pytest.approx(ode["values"][s], rel=1e-8)
    built_in = model_evaluator(SHP1(gamma=1.2e-6, S_T=6e5, C_star=500))
    assert state.output == pytest.approx(built_in.output(*MIXTURE), rel=1e-9)
    assert state.residual <= 1e-9


@pytest.mark.parametrize("L", [0.0, 1e-300, 1e30])
def test_two_state_shp1_at_extreme_doses_is_the_built_in_model(L):
    """No ligand (S = 0 exactly, a variable on its bound), a dose of 1e-300 (S ~ 1e-298)
    and 1e30: the three shared variables solved together still give the built-in
    model's steady state (itself checked against mpmath above)."""
    taus, Ls = [10.0, 1.0], [L, L / 2]
    state = model_evaluator(NetworkModel(two_state_shp1())).steady_state(taus, Ls)
    built_in = model_evaluator(SHP1(gamma=1.2e-6, S_T=6e5, C_star=500)).steady_state(taus, Ls)
    assert state.output == pytest.approx(built_in.output, rel=1e-9, abs=0)
    assert state.shared["S"] == pytest.approx(built_in.shared["S"], rel=1e-9, abs=0)
    assert state.shared["S"] + state.shared["Sx"] == pytest.approx(6e5, rel=1e-12)


def test_kinase_phosphatase_cycle_matches_its_ode():
    """Five shared variables (R, K, Kp, P, Pi), three moieties, Michaelis-Menten rates: the
    nested one-dimensional solves found no steady state here."""
    model = NetworkModel(kinase_phosphatase_cycle())
    ev = model_evaluator(model)
    state = ev.steady_state(*MIXTURE)
    ode = integrate_network(model, *MIXTURE)
    assert ode.residual < 1e-8
    assert state.output == pytest.approx(ode.output, rel=1e-8)
    for s in ("K", "Kp", "P", "Pi"):
        assert state.shared[s] == pytest.approx(ode["values"][s], rel=1e-7)
    assert state.shared["K"] + state.shared["Kp"] == pytest.approx(1e4, rel=1e-12)


def test_two_state_shp1_against_libroadrunner():
    """One ligand type: the network itself, solved by libroadrunner's steady-state solver
    (with its own conservation analysis) from the file's initial amounts."""
    roadrunner = pytest.importorskip("roadrunner")
    net = two_state_shp1()
    L, tau = 1000.0, 10.0
    lines = ["model shp1_two_state"]
    for r in net.reactions:
        lhs = " + ".join(r.reactants) or ""
        rhs = " + ".join(r.products) or ""
        lines.append(f"  {r.name}: {lhs} -> {rhs}; {sp.sstr(r.rate).replace('**', '^')}")
    values = {**net.parameters, "tau": tau, **net.initial, "L": L}
    lines += [f"  {k} = {v!r}" for k, v in values.items()] + ["end"]
    rr = roadrunner.RoadRunner(_antimony_to_sbml("\n".join(lines)))
    rr.conservedMoietyAnalysis = True
    rr.steadyState()
    expected = rr["[C5]"] if "[C5]" in rr.keys() else rr["C5"]
    assert model_evaluator(NetworkModel(net)).output([tau], [L]) == pytest.approx(expected,
                                                                                  rel=1e-6)


def _antimony_to_sbml(text):
    import antimony

    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(text) >= 0, antimony.getLastError()
    return antimony.getSBMLString(antimony.getMainModuleName())


# -- large L: mpmath references -----------------------------------------------------------------
def mp_bisect(f, lo, hi, iterations=120):
    """A root of f in [lo, hi] (a sign change) by bisection in log space (lo > 0): 120
    halvings of a range of 1000 e-folds leave a relative error below 1e-30."""
    a, b = mp.log(lo), mp.log(hi)
    fa = f(mp.exp(a))
    for _ in range(iterations):
        c = (a + b) / 2
        fc = f(mp.exp(c))
        if fc == 0:
            return mp.exp(c)
        if (fc > 0) == (fa > 0):
            a, fa = c, fc
        else:
            b = c
    return mp.exp((a + b) / 2)


def shp1_mpmath(taus, Ls, p, dps=40):
    """The SHP-1 mixture at high precision, from its ODE's steady-state equations: free
    receptors from the binding balance R = R_f + sum_i kappa tau_i L_i R_f/(1 + kappa tau_i
    R_f), each type's chain C_0..C_N by a linear solve given (R_f, S), and S from
    S = S_T C_m/(C_m + C*) by bisection.  Returns (output, R_f, C_T)."""
    with mp.workdps(dps):
        kappa, phi, b, gamma = (mp.mpf(p[k]) for k in ("kappa", "phi", "b", "gamma"))
        R, S_T, C_star = mp.mpf(p["R"]), mp.mpf(p["S_T"]), mp.mpf(p["C_star"])
        taus, Ls = [mp.mpf(t) for t in taus], [mp.mpf(x) for x in Ls]
        n, m = int(p["N"]), int(p["m"])

        def bound(Rf):
            return [kappa * t * L * Rf / (1 + kappa * t * Rf) for t, L in zip(taus, Ls)]

        Rf = mp_bisect(lambda x: x + mp.fsum(bound(x)) - R, R * mp.mpf(10) ** -400, R)
        CT = bound(Rf)

        def chains(S):
            d = b + gamma * S
            out = []
            for t, C_tot in zip(taus, CT):
                A = mp.zeros(n + 1, n + 1)
                rhs = mp.zeros(n + 1, 1)
                for k in range(n):  # C_k -> C_k+1 at phi, back at d, off at 1/tau
                    A[k, k] -= phi
                    A[k + 1, k] += phi
                    A[k + 1, k + 1] -= d
                    A[k, k + 1] += d
                for k in range(n + 1):
                    A[k, k] -= 1 / t
                A[0, :] = mp.ones(1, n + 1)  # replace C_0's balance by sum_k C_k = C_T
                rhs[0] = C_tot
                out.append(mp.lu_solve(A, rhs))
            return out

        S = mp_bisect(lambda s: s - S_T * (lambda cm: cm / (cm + C_star))(
            mp.fsum(c[m] for c in chains(s))), S_T * mp.mpf(10) ** -300, S_T)
        return float(mp.fsum(c[n] for c in chains(S))), float(Rf), [float(x) for x in CT]


def adaptive_sorting_mpmath(taus, Ls, phi, alpha, eps, K_T, dps=40):
    """Adaptive sorting at high precision: C_0,i = L_i/(1 + phi K tau_i) from
    dC_1/dt = phi K C_0 - C_1/tau = 0, K from alpha (K_T - K) = eps K sum_i C_0,i.
    Returns (output sum_i C_1,i, K)."""
    with mp.workdps(dps):
        taus, Ls = [mp.mpf(t) for t in taus], [mp.mpf(x) for x in Ls]
        phi, alpha, eps, K_T = map(mp.mpf, (phi, alpha, eps, K_T))

        def C0(K):
            return [L / (1 + phi * K * t) for t, L in zip(taus, Ls)]

        K = mp_bisect(lambda K: alpha * (K_T - K) - eps * K * mp.fsum(C0(K)),
                      K_T * mp.mpf(10) ** -400, K_T)
        C1 = [L * phi * K * t / (1 + phi * K * t) for t, L in zip(taus, Ls)]  # L - C_0
        return float(mp.fsum(C1)), float(K)


LARGE = [1e18, 1e30, 1e300]


@pytest.mark.parametrize("L", LARGE)
def test_shp1_at_large_L_against_mpmath(L):
    """At L >= 1e18 the steady state was all zeros (free receptors ~ R/(kappa tau L) fell
    below an absolute tolerance): the receptors are saturated, C_T -> R."""
    taus, Ls = [10.0, 2.0, 0.5], [L, L / 10, L]
    model = SHP1()
    p = {k: float(v) for k, v in model.parameters().items()}
    expected, Rf, CT = shp1_mpmath(taus, Ls, p)
    state = model_evaluator(model).steady_state(taus, Ls)
    assert state.output == pytest.approx(expected, rel=1e-9)
    assert state.shared["R_f"] == pytest.approx(Rf, rel=1e-9)
    assert state.per_ligand("C_T") == pytest.approx(CT, rel=1e-9)
    assert state.aggregates["C_T"] == pytest.approx(3e4, rel=1e-12)


@pytest.mark.parametrize("L", LARGE)
def test_adaptive_sorting_at_large_L_against_mpmath(L):
    taus, Ls = [10.0, 2.0, 0.5], [L, L, L / 3]
    args = (1e-4, 1.0, 1e-3, 1e4)
    expected, K = adaptive_sorting_mpmath(taus, Ls, *args)
    state = model_evaluator(AdaptiveSorting(*args, 3.0)).steady_state(taus, Ls)
    assert state.output == pytest.approx(expected, rel=1e-9)
    assert state.shared["K"] == pytest.approx(K, rel=1e-9)


@pytest.mark.parametrize("L", [1e18, 1e30])
def test_network_files_at_large_L_keep_their_totals(L):
    """The two-state SHP-1 network at large L: the bound receptors per type are summed
    directly (L - [L] cancelled catastrophically and gave negative totals); the receptor and
    SHP-1 totals hold, and the output is the built-in model's (checked above by mpmath)."""
    taus, Ls = [10.0, 2.0, 0.5], [L, L / 10, L]
    from antagonism.theory.sum_form_evaluator import SumFormEvaluator

    # the closed-form path's sums (7 x 4 = 28 is beyond SYMBOLIC_LIMIT: asked for here)
    state = SumFormEvaluator(NetworkModel(two_state_shp1())).steady_state(taus, Ls)
    bound = [k for k in state.aggregates if k.startswith("B_")]
    receptors = [k for k in bound if state.aggregates[k] > 1]
    assert len(receptors) == 1 and all(state.aggregates[k] >= 0 for k in bound)
    assert state.shared["R"] + state.aggregates[receptors[0]] == pytest.approx(3e4, rel=1e-12)
    assert state.shared["S"] + state.shared["Sx"] == pytest.approx(6e5, rel=1e-12)
    p = {k: float(v) for k, v in SHP1().parameters().items()}
    assert state.output == pytest.approx(shp1_mpmath(taus, Ls, p)[0], rel=1e-9)


# -- refusals -----------------------------------------------------------------------------------
def test_a_negative_steady_state_names_the_species():
    """A zero-order conversion C0 -> C1 at a fixed rate k0 forces C1 = k0 tau whatever the
    dose: with L = 1 < k0 tau the ligand's other states must go negative."""
    sym = sp.Symbol
    rx = [reaction("bind", ["L", "R"], ["C0"], sym("kon") * sym("L") * sym("R")),
          reaction("off0", ["C0"], ["L", "R"], sym("C0") / sym("tau")),
          reaction("off1", ["C1"], ["L", "R"], sym("C1") / sym("tau")),
          reaction("p", ["C0"], ["C1"], sym("k0"))]
    net = ReactionNetwork(name="zero-order", reactions=rx,
                          parameters=dict(kon=1e-4, tau=1.0, k0=10.0),
                          initial=dict(L=0.0, R=3e4), ligand="L", output="C1")
    with pytest.raises(ConvergenceError, match=r"steady state of (C0|L) .*negative"):
        model_evaluator(NetworkModel(net)).output([1.0], [1.0])


def test_gradients_through_five_shared_variables_match_finite_differences():
    """The implicit-function theorem through R, K, Kp, P and Pi at the solver's steady
    state: exact dF/dtau_j and dF/dL_j against central differences of the output."""
    ev = model_evaluator(NetworkModel(kinase_phosphatase_cycle()))
    assert len(MIXTURE[0]) == 3
    assert_gradient_matches_finite_differences(ev, MIXTURE[0], MIXTURE[1], rel=1e-5)


@settings(max_examples=25, deadline=None)
@given(log_L=st.lists(st.floats(-3, 300), min_size=1, max_size=4),
       log_tau=st.lists(st.floats(-2, 2), min_size=4, max_size=4))
def test_adaptive_sorting_steady_states_hold_across_the_representable_range(log_L, log_tau):
    """Property: for any doses from 1e-3 to 1e300, the kinase balance
    alpha (K_T - K) = eps K sum_i L_i/(1 + phi K tau_i) holds to 1e-9 of its terms (checked
    here in numpy, independently of the derived form), 0 < K <= K_T and 0 <= C_1,i <= L_i."""
    Ls = 10.0 ** np.array(log_L)
    taus = 10.0 ** np.array(log_tau[:len(Ls)])
    phi, alpha, eps, K_T = 1e-4, 1.0, 1e-3, 1e4
    state = model_evaluator(AdaptiveSorting(phi, alpha, eps, K_T, 3.0)).steady_state(taus, Ls)
    K = state.shared["K"]
    C0 = Ls / (1 + phi * K * taus)
    assert 0 < K <= K_T
    assert abs(alpha * (K_T - K) - eps * K * C0.sum()) <= 1e-9 * (alpha * K_T + eps * K * C0.sum())
    C1 = state.per_ligand("C_1")
    assert np.all(C1 >= 0) and np.all(C1 <= Ls * (1 + 1e-12))
    assert np.all(np.isfinite(C1)) and state.residual <= 1e-9


@pytest.mark.parametrize("setting", ["R_T=1e4", "R=1e4"])
def test_cli_sets_a_conserved_total_by_name_or_species(setting):
    """McKeithan's file with its receptor total set on the command line: C_5 against the
    closed form, C_T from kappa tau (L - C_T)(R_T - C_T) = C_T (its smaller root) and
    C_5 = (phi tau/(1 + phi tau))^5 C_T."""
    p = run_cli("steady", "--model-file", literature_files()["mckeithan_kpr"], "--param",
                setting, "--tau", "10", "--L", "1000", "--json")
    assert p.returncode == 0, p.stderr
    kappa, phi, tau, L, R = 1e-4, 0.09, 10.0, 1000.0, 1e4
    a, b = kappa * tau, -(kappa * tau * (L + R) + 1)
    C_T = (-b - np.sqrt(b * b - 4 * a * a * L * R)) / (2 * a)
    assert json.loads(p.stdout)["output"] == pytest.approx(
        (phi * tau / (1 + phi * tau)) ** 5 * C_T, rel=1e-10)
