"""The revised adaptive kinetic proofreading (AKPR) model of Kondo, Bourassa, Achar et al.,
Cell (2025) (``tests/data/corpus/kondo2025_akpr_inhibitor.ant``; source in SOURCES.md): an
inhibitor I that starts at 0 slows the last proofreading step through
psi(I) = phi/(1 + (I/I_th)^k_I) + psi_0, a Hill term whose exponent k_I is a parameter.
Its derivative in I, k_I (I/I_th)^k_I / I, is 0/0 at I = 0.

The reference here is the authors' closed-form steady state (their ``steady_akpr_i_1ligand``
and ``steady_akpr_i_2ligands``), written again below from the published equations:

    R_b   = (b - sqrt(b^2 - 4 L R_tot))/2,  b = L + R_tot + 1/(kappa tau)   (one antigen type)
    C_n   = R_b/(phi tau + 1) Phi^n,  Phi = phi tau/(phi tau + 1)          (n < N - f = 5)
    I     = I_tot sum_l C_{m,l}/C_m,th / (1 + sum_l C_{m,l}/C_m,th)      (m = 4)
    C_5   = C_4 phi tau/(psi(I) tau + 1),  C_6 = C_5 psi(I) tau          (f = 1, N = 6)

with, for two antigen types, R_b,1 the root in [0, min(R_tot, L_1)] of the source's cubic.
The engine never sees it.  The comparison against libroadrunner (CVODE) from rest, at two
points and on a (tau, L) grid, is in ``tests/test_network_corpus.py``.
"""
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from antagonism.io.reaction_files import load_model_file
from antagonism.theory.networks.engine import NetworkEvaluator

FILE = Path(__file__).parent / "data" / "corpus" / "kondo2025_akpr_inhibitor.ant"

#: the best TCR/TCR fit of the source (SOURCES.md), for the closed form
PHI, KAPPA, CMTH = 0.11882304439087531, 1e-4, 1965.156312364633
ITH, PSI0, RTOT, ITOT = 5.742594822090548e-05, 2.9109786444190947e-06, 121793.30786718402, 1.0
N, M, F = 6, 4, 1

#: the grid of tests/test_network_corpus.py (GRIDS), here against the closed form
GRID = [(tau, L) for tau in (0.5, 3.0, 10.0, 30.0) for L in (1.0, 100.0, 1e4, 1e6)]


def psi(i, k_I):
    return PHI / (1.0 + (i / ITH) ** k_I) + PSI0


def bound_totals(taus, Ls):
    """R_b of each antigen type: the quadratic (one type) or the source's cubic (two)."""
    if len(taus) == 1:
        b = Ls[0] + RTOT + 1.0 / (KAPPA * taus[0])
        return [0.5 * b - 0.5 * math.sqrt(b * b - 4.0 * Ls[0] * RTOT)]
    (t1, t2), (L1, L2) = taus, Ls
    p = [t1 / t2 - 1.0,
         RTOT + L1 - L2 - t1 / t2 * (RTOT + 2.0 * L1) - 1.0 / (KAPPA * t2) + 1.0 / (KAPPA * t1),
         t1 / t2 * L1 * (2.0 * RTOT + L1) + L1 / (KAPPA * t2) - RTOT * L1 + L1 * L2,
         -t1 / t2 * RTOT * L1 ** 2]
    roots = [r.real for r in np.roots(p) if abs(r.imag) < 1e-9 * abs(r)
             and 0.0 <= r.real <= min(RTOT, L1)]
    c = [(r, RTOT - r - r / (KAPPA * t1 * (L1 - r))) for r in roots]
    (c_t, d_t), = [(r, d) for r, d in c if 0.0 <= d <= min(RTOT, L2)]
    return [c_t, d_t]


def closed_form(taus, Ls, k_I=1.0):
    """({species: value}, output C_6 summed over the antigen types): the source's steady
    state.  Species of the antigen-bound forms are summed over the types."""
    Rb = bound_totals(taus, Ls)
    C = []
    for tau, rb in zip(taus, Rb):
        g = PHI * tau / (PHI * tau + 1.0)
        C.append([rb / (PHI * tau + 1.0) * g ** n for n in range(N - F)])
    cm = sum(c[M] for c in C) / CMTH
    i = ITOT * cm / (1.0 + cm)
    s = psi(i, k_I)
    for tau, c in zip(taus, C):
        c.append(c[-1] * PHI * tau / (s * tau + 1.0))
        c.append(c[-1] * s * tau)
    values = {f"C{n}": sum(c[n] for c in C) for n in range(N + 1)}
    values.update(I=i, Iin=ITOT - i, R=RTOT - sum(Rb),
                  Ag=sum(L - rb for L, rb in zip(Ls, Rb)))
    return values, values[f"C{N}"]


def engine(model, taus, Ls):
    st = NetworkEvaluator(model).steady_state(list(taus), list(Ls))
    values = {s: (st.shared[s] if s in st.shared else float(st.terms[s].sum()))
              for s in model.network.species}
    return values, st.output


def assert_equal_states(got, ref, rel=1e-9):
    for s, v in ref.items():
        assert got[s] == pytest.approx(v, rel=rel, abs=1e-12), (s, got[s], v)


@pytest.fixture(scope="module")
def model():
    return load_model_file(FILE)


# -- the file: the exponent is a parameter, on a species that starts at 0 ---------------------
def test_the_last_step_carries_a_parameter_exponent_on_a_species_that_starts_at_zero(model):
    """The rate law of C5 -> C6 holds (I/I_th)^k_I with k_I a parameter of the file (value 1,
    the source's best fit), and I starts at 0.  Evaluated as written, its derivative in I is
    nan at I = 0 (0/0): the singularity this model exists to test is there."""
    net = model.network
    law = next(r for r in net.reactions if r.name == "p5").rate
    inhibitor, k_I = sp.Symbol("I"), sp.Symbol("k_I")
    powers = [p for p in law.atoms(sp.Pow) if p.exp == k_I]
    assert powers and all(inhibitor in p.base.free_symbols for p in powers)
    assert "k_I" in net.parameters and net.parameters["k_I"] == 1.0
    assert net.initial["I"] == 0.0 and net.initial["Iin"] == 1.0
    derivative = sp.lambdify(sorted(law.free_symbols, key=str), sp.diff(law, inhibitor))
    args = {str(s): float(net.parameters.get(str(s), 1.0)) for s in law.free_symbols}
    args.update(I=0.0, C5=1.0)
    with np.errstate(all="ignore"):
        assert math.isnan(float(derivative(**{k: np.float64(v) for k, v in args.items()})))


@pytest.mark.parametrize("k_I,limit", [(1.0, -PHI / ITH), (2.0, 0.0)])
def test_the_jacobian_at_zero_inhibitor_is_the_limit(k_I, limit):
    """At I = 0 with C5 = 1: d(dC6/dt)/dI = psi'(0) C5, whose limit from I > 0 is
    -phi/I_th for k_I = 1 and 0 for k_I = 2; the Jacobian as evaluated raw has nan there."""
    m = load_model_file(FILE, {"k_I": k_I})
    ev = NetworkEvaluator(m)
    pt = ev.point([10.0], [10.0])
    z = ev._initial(pt)
    states, shared = ev.system.states, list(ev.system.shared)
    assert z[len(states) + shared.index("I")] == 0.0
    z[states.index("C5")] = 1.0
    with np.errstate(all="ignore"):
        raw = ev.system._raw_jacobian(z, pt)
    assert not all(np.isfinite(v).all() for v in raw)
    J = ev.system.jacobian(z, pt).dense()
    assert np.all(np.isfinite(J))
    assert J[states.index("C6"), len(states) + shared.index("I")] == pytest.approx(
        limit, rel=1e-12, abs=1e-12)


# -- steady states against the authors' closed form -------------------------------------------
@pytest.mark.parametrize("tau,L", GRID, ids=[f"{t:g}-{L:g}" for t, L in GRID])
def test_steady_state_equals_the_authors_closed_form_on_the_grid(model, tau, L):
    """Every species, the inhibitor included (from 1e-9 to 0.4 of its pool), to 1e-9."""
    ref, ref_out = closed_form([tau], [L])
    got, got_out = engine(model, [tau], [L])
    assert got_out == pytest.approx(ref_out, rel=1e-9)
    assert_equal_states(got, ref)


def test_the_exponent_is_read_from_the_parameter(model):
    """With k_I = 2 (the other value of the source's grid) the steady state is the closed
    form's with k_I = 2, 7.4x below k_I = 1's output at tau = 5 s, L = 1e5: a file with a
    literal exponent would not change."""
    ref1, out1 = closed_form([5.0], [1e5], k_I=1.0)
    ref2, out2 = closed_form([5.0], [1e5], k_I=2.0)
    assert out1 / out2 > 5.0
    got, got_out = engine(load_model_file(FILE, {"k_I": 2.0}), [5.0], [1e5])
    assert got_out == pytest.approx(out2, rel=1e-9)
    assert_equal_states(got, ref2)


def test_a_mixture_equals_the_closed_form_and_antagonizes():
    """Agonist (10 s, 10) with 1000 antigens of tau = 3.133 s (classify's strongest within
    its 100x budget): the source's two-antigen solution gives C_N1 + C_N2 = 0.0278 against
    0.0980 for the agonist alone, a fold change of 0.283 < 0.9; the engine's mixture state
    is the same to 1e-9."""
    taus, Ls = [10.0, 3.133209004673015], [10.0, 1000.0]
    ref, ref_out = closed_form(taus, Ls)
    _, alone = closed_form([10.0], [10.0])
    assert ref_out / alone == pytest.approx(0.2834, abs=1e-4)
    model = load_model_file(FILE)
    got, got_out = engine(model, taus, Ls)
    assert got_out == pytest.approx(ref_out, rel=1e-9)
    assert_equal_states(got, ref)
    # the control: the cubic's root agrees with the one-type quadratic when L_2 -> 0
    assert bound_totals([10.0, 3.0], [10.0, 1e-6])[0] == pytest.approx(
        bound_totals([10.0], [10.0])[0], rel=1e-8)


# -- classification ---------------------------------------------------------------------------
@pytest.mark.slow
def test_classify_gives_a_verdict_built_on_the_closed_form_fold_change(model):
    """About 10 s (slow; the default sibling is test_a_mixture_equals_the_closed_form_and_
    antagonizes).  A verdict, no bistability, and the strength it reports is the source's
    fold change at the antagonist it names."""
    from antagonism.theory import classify

    result = classify(model).to_dict()
    assert result["verdict"] in ("no antagonism", "broad antagonism", "specialized antagonism")
    assert result["bistable"] is False
    s = result["strength"]
    agonist = s["reference_agonist"]
    _, ref_out = closed_form(agonist["tau"] + [s["tau"]], agonist["L"] + [s["dose"]])
    _, alone = closed_form(agonist["tau"], agonist["L"])
    assert s["strength"] == pytest.approx(ref_out / alone, rel=1e-7)
    assert s["antagonism"] == (ref_out / alone < s["tolerance"])


# -- a variant with positive feedback: three steady states ------------------------------------
def feedback_variant():
    """The file with I activated by C5 instead of C4 (m = 5 = N - f: I slows C5's exit, so
    C5, and with it I, rises with I: positive feedback) and k_I = 3.  Not a published
    parameter set (the source's TCR grid has m up to 5 but k_I up to 2); bistable at long
    binding times and low doses."""
    from antagonism.derivations.network_model import NetworkModel
    from antagonism.io.reaction_files import network_from_antimony

    text = FILE.read_text()
    assert text.count("beta_I*Iin*C4/C_mth") == 1 and text.count("k_I = 1;") == 1
    text = text.replace("beta_I*Iin*C4/C_mth", "beta_I*Iin*C5/C_mth").replace(
        "k_I = 1;", "k_I = 3;")
    return text, NetworkModel(network_from_antimony(text))


def feedback_roots(tau, L, k_I=3.0):
    """(I, C6) at every root of I = F(C5(I)) (the source's implicit case m >= N - f): sign
    changes on a log grid of I in [1e-14, 1], each refined by brentq."""
    from scipy.optimize import brentq

    rb = bound_totals([tau], [L])[0]
    c4 = rb / (PHI * tau + 1.0) * (PHI * tau / (PHI * tau + 1.0)) ** 4

    def c5_c6(i):
        c5 = c4 * PHI * tau / (psi(i, k_I) * tau + 1.0)
        return c5, c5 * psi(i, k_I) * tau

    def f(i):
        x = c5_c6(i)[0] / CMTH
        return i - ITOT * x / (1.0 + x)

    xs = np.geomspace(1e-14, 1.0, 4000)
    fs = [f(x) for x in xs]
    roots = [brentq(f, a, b, xtol=1e-300, rtol=1e-15)
             for a, b, fa, fb in zip(xs[:-1], xs[1:], fs[:-1], fs[1:]) if fa * fb < 0]
    return [(i, c5_c6(i)[1]) for i in roots]


def test_a_positive_feedback_variant_lists_three_states_and_reaches_cvodes():
    """tau = 100 s, L = 1: the implicit equation has three roots (C6 = 0.0439, 0.512,
    0.609); the engine lists all three, the middle one unstable, and the state it marks as
    reached from rest is libroadrunner's (CVODE from rest, t = 1e9 s): the low-C6 one.
    At tau = 50 s there is one root, and the engine finds one state."""
    roadrunner = pytest.importorskip("roadrunner")
    from antagonism.io.reaction_files import antimony_to_sbml

    text, variant = feedback_variant()
    roots = feedback_roots(100.0, 1.0)
    assert len(roots) == 3
    found = NetworkEvaluator(variant).steady_states([100.0], [1.0], starts=4)
    got = sorted((s["output"], s["stable"]) for s in found.states)
    assert [g[0] for g in got] == pytest.approx(sorted(c for _, c in roots), rel=1e-9)
    assert [g[1] for g in got] == [True, False, True]
    rr = roadrunner.RoadRunner(antimony_to_sbml(text))
    rr.resetAll()
    rr["init([Ag])"], rr["tau"] = 1.0, 100.0
    rr.integrator.relative_tolerance = rr.integrator.absolute_tolerance = 1e-12
    rr.integrator.maximum_num_steps = 200_000
    rr.simulate(0, 1e9, 2)
    rest = next(s for s in found.states if s["from_rest"])
    assert rest["output"] == pytest.approx(rr["[C6]"], rel=1e-8)
    assert rest["output"] == pytest.approx(min(c for _, c in roots), rel=1e-9)
    assert len(feedback_roots(50.0, 1.0)) == 1
    assert len(NetworkEvaluator(variant).steady_states([50.0], [1.0], starts=4).states) == 1
