"""Tests written for mutants that survived the mutation benchmark (benchmarks/mutation.py).

Each test names the mutant it kills (module: what was changed); the expected values are
worked out by hand from the definitions, not read from the code.
"""
from __future__ import annotations

import sympy as sp

from antagonism.derivations.escape import leading_term
from antagonism.derivations.gradients import split_positive

tau = sp.Symbol("tau", positive=True)
m = sp.Symbol("m", positive=True)


def test_leading_term_is_the_smallest_exponent_not_the_smallest_coefficient():
    """escape.py: ``min(terms, key=exponent)`` -> key=coefficient.  5 tau + 2 tau^3 ~ 5 tau
    as tau -> 0 although 2 < 5."""
    assert leading_term(5 * tau + 2 * tau**3, tau, {}) == (5, 1)
    assert leading_term(-1 * tau**4 + 3 * tau**2, tau, {}) == (3, 2)


def test_leading_term_compares_symbolic_exponents():
    """escape.py: the symbolic exponents' comparison ``t[1] - best[1]`` -> ``t[1] -
    best[0]`` (an exponent against a coefficient).  With exponents m + 2 and m (m > 0) the
    term tau^m dominates as tau -> 0, whatever the coefficients."""
    x, y = sp.symbols("x y")
    assert leading_term(3 * tau**x + 7 * tau**y, tau, {x: m + 2, y: m}) == (7, m)
    assert leading_term(7 * tau**x + 3 * tau**y, tau, {x: m, y: m + 2}) == (7, m)


def test_split_positive_moves_negative_powers_of_parameters_out_of_the_bracket():
    """gradients.py split_positive: ``exp = -negative.exp`` -> ``exp = negative.exp``.  The
    per-molecule gradient of T_{N,m}, tau^(m-1) (N tau^(N-m) tau_c^(m-N) - m T), splits into
    the positive prefactor tau^(m-1) tau_c^(m-N) and the bracket N tau^(N-m) - m T
    tau_c^(N-m), with no negative power of tau_c left in it."""
    N, T, tau_c = sp.symbols("N T tau_c", positive=True)
    expr = tau ** (m - 1) * (N * tau ** (N - m) * tau_c ** (m - N) - m * T)
    pre, bracket = split_positive(expr, tau)
    assert sp.simplify(bracket - (N * tau ** (N - m) - m * T * tau_c ** (N - m))) == 0
    assert sp.simplify(pre - tau ** (m - 1) * tau_c ** (m - N)) == 0


def test_receptor_conservation_of_a_network_sum_form():
    """network_model.py: the conservation constraint of a moiety shared with the bound
    ligand states, ``G = sum c y + B - total`` -> ``+ total``.  McKeithan's network (free
    receptors R shared by every ligand type): the derived sum form's steady state against
    the numeric engine's, and free plus bound receptors against the total 3e4."""
    from antagonism.io.reaction_files import literature_files, load_model_file
    from antagonism.theory.evaluation import model_evaluator
    from antagonism.theory.networks.engine import NetworkEvaluator

    model = load_model_file(literature_files()["mckeithan_kpr"])
    sym = model_evaluator(model).steady_state([5.0, 1.0], [100.0, 3000.0])
    num = NetworkEvaluator(model).steady_state([5.0, 1.0], [100.0, 3000.0])
    assert abs(sym.output - num.output) <= 1e-8 * abs(num.output)
    free = num.shared["R"]
    bound = sum(float(num.terms[s].sum()) for s in num.terms if s != "L")
    assert abs(free + bound - 3e4) <= 1e-6 * 3e4
    assert abs(sym.value("R") - free) <= 1e-8 * free


def test_a_network_model_refuses_a_binding_time_threshold_that_is_not_positive():
    """network_model.py: ``tau_c > 0`` -> ``tau_c > -1``."""
    import pytest

    from antagonism._core.errors import NetworkFileError
    from antagonism.derivations.network_model import NetworkModel
    from antagonism.io.reaction_files import literature_files, load_model_file

    network = load_model_file(literature_files()["mckeithan_kpr"]).network
    assert NetworkModel(network, tau_c=2.0).tau_c == 2
    for bad in (0.0, -0.5):
        with pytest.raises(NetworkFileError, match="tau_c must be positive"):
            NetworkModel(network, tau_c=bad)


SATURATING = """
model negative_above_2000
  bind: L + R -> C; kon*L*R
  off: C -> L + R; C/tau
  make: -> P; k*(2000 - A)*C
  lose: P -> ; d*P
  conv: A -> ; e*A
  kon = 1e-4; tau = 10; k = 1; d = 1; e = 1
  L = 0; R = 3e4; C = 0; P = 0; A = 10
end
// antagonism: ligand = L
// antagonism: output = P
"""


def test_a_rate_law_negative_only_at_large_amounts_is_refused():
    """network_model.py _check_rate: the sampled amounts span 1e-3..1e4 -> 1e-3..1e3.  The
    rate k (2000 - A) C is negative once A > 2000 molecules: the check must sample there."""
    import pytest

    from antagonism._core.errors import NetworkFileError
    from antagonism.derivations.network_model import NetworkModel
    from antagonism.io.reaction_files import network_from_antimony

    with pytest.raises(NetworkFileError, match="negative before the reaction has made"):
        NetworkModel(network_from_antimony(SATURATING))
    # the law made non-negative is accepted
    NetworkModel(network_from_antimony(SATURATING.replace("(2000 - A)", "(2000 + A)")))



def test_l2_random_start_is_uniform_in_the_ball():
    """attacks/domain.py random_start: radius ``r * eps`` -> ``r / eps``.  Uniform in a
    2-dimensional ball of radius eps, a quarter of the starts lie within eps / 2."""
    import numpy as np

    from antagonism.numerics.attacks.domain import random_start

    eps = 0.1
    d = random_start(np.zeros((4000, 2)), eps, norm="2", rng=3)
    radius = np.linalg.norm(d, axis=1)
    assert radius.max() <= eps * (1 + 1e-12)
    assert 0.22 < np.mean(radius < eps / 2) < 0.28  # (1/2)^2, 4000 draws: sd 0.007


def test_gradient_stepper_reports_the_rms_displacement():
    """cells/evaluator.py GradientStepper.step: sqrt(mean(d^2)) -> sqrt(mean(2 d)).  The
    returned value is the root-mean-square move of the ligands, compared with the move
    itself."""
    import numpy as np

    from antagonism.derivations import create_model
    from antagonism.numerics.cells.evaluator import GradientStepper
    from antagonism.theory import model_evaluator

    ev = model_evaluator(create_model("kpr"))
    tau = np.array([10.0, 1.0, 2.0])
    before = tau.copy()
    step = GradientStepper(ev, tau, np.array([100.0, 1000.0, 500.0]), 0.05, 1e-3, 3.0)
    moved = step.step()
    change = step.tau - before
    assert np.any(change != 0)
    assert moved == np.sqrt(np.mean(change**2))


def test_numeric_classification_finds_the_inflection_by_central_differences():
    """theory/general.py classify_gradient: the default derivative of gamma,
    (g(x (1 + h)) - g(x (1 - h))) / (2 h x) -> g(x (0 - h)).  For the T_{5,3} gradient
    tau^2 (5 tau^2 - 3) at tau_c = 1, tau_infl = (3/10)^(1/2) and tau* = (3/5)^(1/2)
    (helpers.tau_inflection, tau_star)."""
    from helpers import tau_inflection
    from helpers import tau_star as star

    from antagonism.theory.general import classify_gradient

    r = classify_gradient(lambda t: t**2 * (5 * t**2 - 3), tau_c=1.0)
    assert abs(r.tau_star - star(5, 3, 1.0, 1.0)) < 1e-6
    assert abs(r.tau_inflection - tau_inflection(5, 3, 1.0, 1.0)) < 1e-6


def test_calibration_reports_its_weakest_probe():
    """regime/calibration.py: the detection limit's weakest probe ``CELL_VALUES[0]`` ->
    ``CELL_VALUES[-1]``.  The cells' sweep starts at tau = 1e-3 tau_c (its stated weakest
    probe), not at its strongest, 3 tau_c."""
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.numerics.regime import calibrate

    cal = calibrate([AdaptiveProofreading(3, 1, 3.0)], cutoffs=(1e-3,), rejected=False)
    assert cal.detection_limit["weakest_probe_tau_over_tau_c"] == 1e-3
    assert cal.rows[0]["measured_regime"] == "broad"  # m = 1: broad (Rademaker et al. 2019)


def test_margin_plane_spans_its_documented_default_range():
    """regime/boundary.py margin_plane: the default range of the PGD direction, -1..2 ->
    -1..1.  The plane runs from a = -1 to 2 (twice past the PGD point, as its docstring
    says), and its point a = b = 0 is the clean image, whose margin is computed here from
    the logits directly."""
    import numpy as np

    from antagonism.numerics.networks.classifier import as_classifier
    from antagonism.numerics.networks.zoo import logistic_regression
    from antagonism.numerics.regime.boundary import margin_plane

    clf = as_classifier(logistic_regression(seed=0))
    x = np.random.default_rng(0).uniform(size=64)
    plane = margin_plane(clf, x, 3)
    assert (plane.t[0], plane.t[-1], plane.s[0], plane.s[-1]) == (-1.0, 2.0, -1.5, 1.5)
    z = clf.logits(x[None, :])[0]
    clean = z[3] - np.max(np.delete(z, 3))
    i, j = int(np.argmin(np.abs(plane.t))), int(np.argmin(np.abs(plane.s)))
    assert plane.t[i] == 0 and plane.s[j] == 0
    assert abs(plane.margin[i, j] - clean) <= 1e-12 * max(1.0, abs(clean))


def test_integrate_network_with_its_default_tolerances():
    """cells/ode.py integrate_network: the default ``rtol=1e-10`` -> ``1e-10 - 1``.  With
    its defaults the ODE of McKeithan's network reaches the engine's steady state."""
    from antagonism.io.reaction_files import literature_files, load_model_file
    from antagonism.numerics.cells.ode import integrate_network
    from antagonism.theory.networks.engine import NetworkEvaluator

    model = load_model_file(literature_files()["mckeithan_kpr"])
    ode = integrate_network(model, [5.0], [100.0])
    st = NetworkEvaluator(model).steady_state([5.0], [100.0])
    free = ode["values"]["R"]  # (a Result: .values is the dict method)
    assert abs(free - st.shared["R"]) <= 1e-7 * st.shared["R"]


def test_the_shp1_ode_reaches_the_sum_form_steady_state():
    """cells/ode.py shp1_rhs: the dephosphorylation rate d = b + gamma S -> b - gamma S.
    The ODE integrated from an empty cell ends at the steady state the root finder of
    test_theorems (nested brentq on the sum form, at 40 digits) gives."""
    from test_theorems import RootFinderReference

    from antagonism.derivations import create_model
    from antagonism.numerics.cells.ode import integrate_shp1

    model = create_model("shp1")
    params = {k: float(v) for k, v in model.parameters().items()}
    ode = integrate_shp1([10.0], [1000.0], params)
    F, y = RootFinderReference(model).output([10.0], [1000.0])
    assert abs(ode.output - float(F)) <= 1e-6 * float(F)
    # cells/ode.py integrate_shp1: S read at the last time point -> the second one
    S = float(y[1])  # the shared variables (R_f, S), in the sum form's order
    assert abs(ode.S - S) <= 1e-6 * S


def test_the_threshold_reason_states_the_tolerance_in_per_cent():
    """theory/threshold.py _reason: the level scan's sentence "within 100 x tolerance %" ->
    "100 / tolerance %".  At the default tolerance 0.1 every sentence says 10 %."""
    import re

    from antagonism.derivations import create_model
    from antagonism.theory.threshold import threshold_binding_time

    for name in ("kpr", "adaptive"):  # no absolute discrimination, and absolute (T_{N,m})
        r = threshold_binding_time(create_model(name))
        assert r.absolute_discrimination["tolerance"] == 0.1 and "level_scan" in r
        shares = re.findall(r"(?:within|at) ([0-9.e+-]+) %", r.reason)
        assert shares and set(shares) == {"10"}, r.reason
    assert r.absolute_discrimination["holds"]  # T_{N,m}: the sentence of the holding branch


def test_the_adaptive_sorting_ode_reaches_the_sum_form_steady_state():
    """cells/ode.py integrate_adaptive_sorting: ``rtol=1e-10`` -> ``1 + 1e-10``.  The ODE
    from an empty cell ends at the root finder's steady state (test_theorems)."""
    from test_theorems import RootFinderReference

    from antagonism.derivations import create_model
    from antagonism.numerics.cells.ode import integrate_adaptive_sorting

    model = create_model("adaptive-sorting")
    p = {k: float(v) for k, v in model.parameters().items()}
    ode = integrate_adaptive_sorting([10.0, 1.0], [100.0, 1000.0], p["phi"], p["alpha"],
                                     p["epsilon"], p["K_T"])
    F, _ = RootFinderReference(model).output([10.0, 1.0], [100.0, 1000.0])
    assert abs(ode.output - float(F)) <= 1e-7 * float(F)


def test_pgd_records_an_integer_seed():
    """attacks/pgd.py: the result keeps an integer seed (None only for a Generator) ->
    the reverse."""
    import numpy as np

    from antagonism.derivations import create_model
    from antagonism.numerics.attacks import pgd
    from antagonism.numerics.cells.objective import CellObjective

    obj = CellObjective(create_model("kpr"), [10.0, 1.0], [100.0, 1000.0])
    assert pgd(obj, obj.x0(), 0.1, n_steps=2, seed=3).seed == 3
    assert pgd(obj, obj.x0(), 0.1, n_steps=2, seed=np.random.default_rng(3)).seed is None


def test_an_empty_ligand_array_is_refused_by_default():
    """theory/validation.py check_array: ``allow_empty=False`` -> ``True`` by default."""
    import pytest

    from antagonism._core.errors import InputError
    from antagonism.theory.validation import check_array

    with pytest.raises(InputError):
        check_array([], "taus")
    assert check_array([], "taus", allow_empty=True).size == 0


def test_a_filter_with_small_positive_weights_can_be_a_threshold():
    """regime/thresholds.py threshold_filters: ``s > 0`` -> ``s > 1``.  Weights summing to
    1/2 with bias -1/4 switch on at theta = -b/s = 1/2: a threshold filter."""
    import numpy as np

    from antagonism.numerics.regime.thresholds import threshold_filters

    r = threshold_filters(np.array([[0.25, 0.25]]), np.array([-0.25]))
    assert r.threshold.tolist() == [True] and r.theta[0] == 0.5
