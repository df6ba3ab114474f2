"""Every theorem the package implements twice is checked twice, against a third reference.

- The implicit-function gradient of a sum form with shared variables,
  dF/dx_j = sum_k c_k df_k(tau_j, L_j, y)/dx_j with c = F_A - Phi H_y^{-1} G_A, is derived
  symbolically (``derivations/gradients.py``) and computed numerically by the evaluator
  (``theory/sum_form_evaluator.py``).  Both are checked against central differences
  (in mpmath at 40 digits) of the output at steady states found here by an
  independent root finder: nested ``scipy.optimize.brentq`` over the shared variables'
  ranges, polished by ``mpmath.findroot`` at 40 digits.  Every registered model that
  declares the capability "shared-variables" is checked.
- :class:`~antagonism.numerics.cells.objective.CellObjective`'s gradient (attacking binding
  times, doses or both) against central differences of its own loss.
- The network engine's exact sensitivities (``theory/networks/engine.py``: binding time,
  dose, every rate-law parameter and every conserved total) against central differences of
  steady states integrated by libroadrunner's CVODE at p (1 +- h).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from antagonism.derivations import symbols as sy
from antagonism.derivations.gradients import (
    L_j,
    gradient_L,
    gradient_tau,
    implicit_coefficients,
    tau_j,
)
from antagonism.derivations.registry import create_model, model_names, model_spec
from antagonism.numerics.cells.objective import CellObjective
from antagonism.theory import model_evaluator

ROOT = Path(__file__).resolve().parents[1]

#: every registered model whose ligand types share variables fixed by a steady state
SHARED = [name for name in model_names()
          if "shared-variables" in model_spec(name).capabilities]
#: a mixture of an agonist and an antagonist-like type, and a second one at other doses
MIXTURES = [([10.0, 1.0], [1000.0, 10000.0]), ([4.0, 0.5], [300.0, 30000.0])]


class RootFinderReference:
    """The steady state of a sum form with shared variables, found without the package's
    solver: nested brentq over [lower, upper] of each shared variable (each constraint G_j
    solved for y_j with the later variables solved inside), then Newton in mpmath."""

    def __init__(self, model):
        form = model.sum_form()
        self.aggregates_ = list(form.aggregates)
        self.shared = list(form.shared_symbols)
        args = (sy.tau, sy.L, *self.shared)
        self.terms = [sp.lambdify(args, form.terms[a], "mpmath") for a in self.aggregates_]
        self.terms_y = [[sp.lambdify(args, sp.diff(form.terms[a], y), "mpmath")
                         for y in self.shared] for a in self.aggregates_]
        both = (*self.aggregates_, *self.shared)
        self.constraints = [sp.lambdify(both, v.constraint, "mpmath") for v in form.shared]
        self.out = sp.lambdify(both, form.output, "mpmath")
        self.bounds = [(float(v.lower), float(v.upper)) for v in form.shared]

    def aggregates(self, tau, L, y):
        tau, L = [mp.mpf(t) for t in tau], [mp.mpf(q) for q in L]  # no float arithmetic
        return [sum(f(t, q, *y) for t, q in zip(tau, L)) for f in self.terms]

    def residual(self, tau, L, y):
        A = self.aggregates(tau, L, y)
        return [G(*A, *y) for G in self.constraints]

    def _nested(self, tau, L, fixed=()):
        j = len(fixed)
        if j == len(self.shared):
            return list(fixed)
        lo, hi = self.bounds[j]

        def g(v):
            return float(self.residual(tau, L, self._nested(tau, L, (*fixed, v)))[j])

        v = brentq(g, lo, hi, xtol=1e-13 * max(hi, 1.0), rtol=1e-14)
        return self._nested(tau, L, (*fixed, v))

    def steady(self, tau, L, start=None):
        start = self._nested(tau, L) if start is None else start
        with mp.workdps(40):
            sol = mp.findroot(lambda *y: self.residual(tau, L, y),
                              [mp.mpf(float(s)) for s in start])
        return list(sol) if isinstance(sol, mp.matrix) else [sol]

    def output(self, tau, L, start=None):
        y = self.steady(tau, L, start)
        return self.out(*self.aggregates(tau, L, y), *y), y


def _finite_differences(ref, tau, L, y):
    """dF/dtau_j and dF/dL_j by central differences in mpmath at 40 digits (relative step
    1e-8: truncation error ~1e-16), each output at a fresh root-finder steady state."""
    grads = {"tau": [], "L": []}
    with mp.workdps(40):
        for j in range(len(tau)):
            for key, base in (("tau", tau), ("L", L)):
                def F(x, j=j, key=key):
                    moved = [mp.mpf(v) for v in base]
                    moved[j] = x
                    t, q = (moved, L) if key == "tau" else (tau, moved)
                    return ref.output(t, q, y)[0]

                x, h = mp.mpf(base[j]), mp.mpf(base[j]) * mp.mpf("1e-8")
                grads[key].append(float((F(x + h) - F(x - h)) / (2 * h)))
    return {k: np.array(v) for k, v in grads.items()}


def _symbolic(model, ref, tau, L, y):
    """The derived dF/dtau_j and dF/dL_j with the aggregates, shared variables and
    D_kl = sum_i df_k/dy_l of the root finder's steady state substituted."""
    _, D = implicit_coefficients(model.sum_form())
    exprs = {"tau": gradient_tau(model), "L": gradient_L(model)}
    assert exprs["tau"].route == "implicit" and exprs["L"].route == "implicit"
    with mp.workdps(30):
        values = dict(zip(ref.aggregates_, ref.aggregates(tau, L, y)))
        values.update(zip(ref.shared, y))
        for k in range(D.rows):
            for l_ in range(D.cols):
                values[D[k, l_]] = sum(ref.terms_y[k][l_](t, q, *y) for t, q in zip(tau, L))
        symbols = [*values, tau_j, L_j]
        out = {}
        for key, d in exprs.items():
            f = sp.lambdify(symbols, d.expr, "mpmath")
            out[key] = np.array([float(f(*values.values(), mp.mpf(t), mp.mpf(q)))
                                 for t, q in zip(tau, L)])
    return out


@pytest.mark.parametrize("name", SHARED)
def test_implicit_gradient_symbolic_numeric_and_finite_differences_agree(name):
    """dF/dtau_j and dF/dL_j three ways: the symbolic implicit-function theorem, the
    numeric evaluator's own implicit-function code, and finite differences of steady states
    from an independent root finder."""
    assert SHARED, "no registered model declares shared variables"
    model = create_model(name)
    ref = RootFinderReference(model)
    ev = model_evaluator(model)
    for tau, L in MIXTURES:
        F, y = ref.output(tau, L)
        fd = _finite_differences(ref, tau, L, y)
        sym = _symbolic(model, ref, tau, L, y)
        num = ev.gradient(np.array(tau), np.array(L))
        assert ev.output(tau, L) == pytest.approx(float(F), rel=1e-9)
        for key in ("tau", "L"):
            assert np.all(np.abs(fd[key]) > 1e-12), (key, fd[key])  # a non-trivial check
            np.testing.assert_allclose(sym[key], fd[key], rtol=1e-8, err_msg=f"symbolic {key}")
            np.testing.assert_allclose(num[key], fd[key], rtol=1e-7, err_msg=f"numeric {key}")


def test_the_shared_variables_matter_to_the_gradient():
    """Without the implicit term (c = F_A) the gradient is measurably wrong: the checks
    above can tell the theorem from its naive version."""
    model = create_model("shp1")
    ref = RootFinderReference(model)
    tau, L = MIXTURES[0]
    F, y = ref.output(tau, L)
    fd = _finite_differences(ref, tau, L, y)
    form = model.sum_form()
    A = dict(zip(ref.aggregates_, ref.aggregates(tau, L, y)))
    naive = []
    for t, q in zip(tau, L):
        values = {**A, **dict(zip(ref.shared, y)), sy.tau: t, sy.L: q}
        naive.append(float(sum(sp.diff(form.output, a) * sp.diff(form.terms[a], sy.tau)
                               for a in ref.aggregates_).subs(values)))
    assert not np.allclose(naive, fd["tau"], rtol=1e-2)


# -- the cell objective -------------------------------------------------------------------
def _central(f, x, rel=1e-6):
    g = np.empty_like(x)
    for i in range(x.size):
        h = rel * max(abs(x[i]), 1e-3)
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (f(up) - f(down)) / (2 * h)
    return g


@pytest.mark.parametrize("name", ["adaptive", "shp1"])
@pytest.mark.parametrize("variable", ["tau", "L", "both"])
def test_cell_objective_gradient_against_finite_differences(name, variable):
    """The margin loss's gradient in binding times, doses or both against central
    differences of the loss itself (relative step 1e-6)."""
    model = create_model(name)
    tau, L = np.array([10.0, 1.5, 0.5]), np.array([1000.0, 3000.0, 20000.0])
    obj = CellObjective(model, tau, L, variable=variable)
    x = obj.x0()[0]
    loss, grad = obj.loss_and_grad(x[None, :])
    assert loss[0] == pytest.approx(obj.loss(x[None, :])[0])
    fd = _central(lambda v: obj.loss(v[None, :])[0], x)
    assert np.all(np.abs(fd) > 0)
    np.testing.assert_allclose(grad[0], fd, rtol=1e-4, atol=0)


# -- the network engine's sensitivities ---------------------------------------------------
def _synthetic_family():
    spec = importlib.util.spec_from_file_location("synthetic_family",
                                                  ROOT / "benchmarks" / "synthetic_family.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_network_sensitivities_against_cvode_finite_differences():
    """dF/dp for every rate-law parameter, dF/dT for every conserved total, dF/dtau and
    dF/dL of the engine against central differences (relative step 1e-4) of CVODE
    integrations to t = 1e6 s at tolerances 1e-12 (one ligand type, N = 1)."""
    import roadrunner

    from antagonism.derivations.network_model import NetworkModel
    from antagonism.io.reaction_files import antimony_to_sbml, network_from_antimony
    from antagonism.theory.networks.engine import NetworkEvaluator

    koff, dose = 0.5, 400.0
    text = _synthetic_family().synthetic_network(1, koff=koff, L=dose)
    model = NetworkModel(network_from_antimony(text))
    sens = NetworkEvaluator(model).sensitivities([1 / koff], [dose])
    rr = roadrunner.RoadRunner(antimony_to_sbml(text))
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-12

    def output(name=None, value=None):
        rr.resetAll()
        if name is not None:
            rr.setValue(name, value)
        rr.simulate(0, 1e6, 2)
        return rr["[Ap]"]

    h = 1e-4

    def fd(name):
        rr.resetAll()
        v = rr.getValue(name)
        return (output(name, v * (1 + h)) - output(name, v * (1 - h))) / (2 * h * v)

    assert sens.output == pytest.approx(output(), rel=1e-8)
    assert set(sens.parameters) == set(model.values_by_name) - {"koff"}
    for p, exact in sens.parameters.items():
        assert exact == pytest.approx(fd(p), rel=2e-5), p
    held = {"R0_T": "R0", "K1_T": "K1", "K2_T": "K2", "A_T": "A"}  # each total's carrier
    assert set(sens.totals) == set(held)
    for total, exact in sens.totals.items():
        assert exact == pytest.approx(fd(held[total]), rel=2e-5), total
    # the binding time is 1/koff: dF/dtau = -koff^2 dF/dkoff
    assert sens.tau[0] == pytest.approx(-koff**2 * fd("koff"), rel=2e-5)
    assert sens.off_rate[0] == pytest.approx(fd("koff"), rel=2e-5)
    assert sens.L[0] == pytest.approx(fd("L"), rel=2e-5)
