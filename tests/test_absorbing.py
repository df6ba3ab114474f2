"""Absorbing end states (:mod:`antagonism.theory.networks.absorbing`) on a network whose
answer is known by construction (``tests/data/networks/absorbing_end_states.ant``): a kinase
form X that decays into two end forms Y1 and Y2 in the ratio k1 : k2, and three adaptors
A, B, E that run out together as t^-1/2.  The reference is the closed form below, solved
by a root finder, and libroadrunner's CVODE from rest; the engine sees neither.

    Y1_T = X_0 k1/(k1 + k2),  Y2 = X_0 k2/(k1 + k2),  D = 50,  X = A = B = E = 0,
    P = kp C Y1_T/(km + kp C),  kon (L - C - P)(R_T - C - P) = koff C.
"""
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from antagonism._core.errors import ConvergenceError
from antagonism.io.reaction_files import antimony_to_sbml, load_model_file
from antagonism.theory.networks.engine import NetworkEvaluator

FILE = Path(__file__).parent / "data" / "networks" / "absorbing_end_states.ant"
KON, KP, KM, K1, K2, X0, RT = 1e-4, 1e-3, 0.1, 0.003, 0.007, 100.0, 1000.0
POINTS = [(10.0, 1000.0), (1.0, 100.0), (100.0, 1e4)]


def closed_form(tau, L):
    """The output P of the limit state at (tau, L)."""
    y1 = X0 * K1 / (K1 + K2)

    def p_of(C):
        return KP * C * y1 / (KM + KP * C)

    def resid(C):
        P = p_of(C)
        return KON * (L - C - P) * (RT - C - P) - C / tau

    return p_of(brentq(resid, 0.0, min(L, RT), xtol=1e-300, rtol=1e-15))


@pytest.fixture(scope="module")
def evaluator():
    return NetworkEvaluator(load_model_file(FILE))


@pytest.mark.parametrize("tau,L", POINTS)
def test_the_limit_is_the_closed_form(evaluator, tau, L):
    pt, z, info = evaluator.solve([tau], [L])
    assert info["route"] == "from rest (absorbing end state)"
    assert set(info["absorbing"]) == {"X", "A", "B", "E"}
    assert info["max_real_eigenvalue"] == 0.0  # the three-body approach: no exponential rate
    st = evaluator.steady_state([tau], [L])
    assert st.output == pytest.approx(closed_form(tau, L), rel=1e-12)
    assert st.shared["Y2"] == pytest.approx(X0 * K2 / (K1 + K2), rel=1e-12)  # end form
    assert st.shared["D"] == pytest.approx(50.0, rel=1e-12)
    assert st.shared["A"] == st.shared["X"] == 0.0


def test_cvode_from_rest_approaches_the_limit(evaluator):
    """CVODE from rest: its output at 1e9 s equals the engine's to 1e-9, and the adaptors it
    still holds shrink as t^-1/2 towards the engine's 0 (tenfold time, about 3.2 times
    fewer)."""
    roadrunner = pytest.importorskip("roadrunner")
    tau, L = 10.0, 1000.0
    rr = roadrunner.RoadRunner(antimony_to_sbml(FILE.read_text()))
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-12
    rr.integrator.maximum_num_steps = 200_000
    left = []
    for t_end in (1e8, 1e9):
        rr.resetAll()
        rr["init([L])"], rr["koff"] = L, 1.0 / tau
        rr.simulate(0, t_end, 2)
        left.append(rr["[A]"])
    assert rr["[P]"] == pytest.approx(evaluator.steady_state([tau], [L]).output, rel=1e-9)
    assert left[0] / left[1] == pytest.approx(np.sqrt(10.0), rel=0.01)


def test_gradient_by_states_from_rest_equals_the_closed_forms(evaluator):
    """The end forms' share is set by the transient, so the gradient is a difference of
    states from rest; here the share does not move with the ligand, and the closed form's
    derivative is the truth."""
    tau, L, h = 10.0, 1000.0, 1e-6
    g = evaluator.gradient([tau], [L])
    d_tau = (closed_form(tau * (1 + h), L) - closed_form(tau * (1 - h), L)) / (2 * h * tau)
    d_L = (closed_form(tau, L * (1 + h)) - closed_form(tau, L * (1 - h))) / (2 * h * L)
    assert g.tau[0] == pytest.approx(d_tau, rel=1e-5)
    assert g.L[0] == pytest.approx(d_L, rel=1e-5)
    with pytest.raises(ConvergenceError, match="absorbing end state"):
        evaluator.sensitivities([tau], [L])


def test_every_steady_state_lists_the_end_state_as_stable_and_reached(evaluator):
    found = evaluator.steady_states([10.0], [1000.0])
    first = found.states[0]
    assert first["from_rest"] and first["stable"]
    assert set(first["absorbing"]) == {"X", "A", "B", "E"}


def test_a_network_without_end_states_never_takes_the_face():
    """The negative control: the pulse-driven switch settles exponentially; its state is
    Newton's from the trajectory, not a face's."""
    switch = Path(__file__).parent / "data" / "networks" / "bistable_pulse_switch.ant"
    _, _, info = NetworkEvaluator(load_model_file(switch)).solve([10.0], [100.0])
    assert info["route"] == "from rest" and "absorbing" not in info


@pytest.mark.slow
def test_classify_gives_a_verdict_on_end_states_of_mixtures():
    """classify's mixtures (two ligand types, a dilute one among them) end on the face too
    (15 s: slow; the default sibling is test_the_limit_is_the_closed_form): a verdict, built
    on states reached from rest."""
    from antagonism.theory import classify

    result = classify(load_model_file(FILE))
    assert result.verdict in ("no antagonism", "broad antagonism", "specialized antagonism")
    points = result.steady_states["points"]
    assert points and all(p["from_rest"] for p in points.values())
