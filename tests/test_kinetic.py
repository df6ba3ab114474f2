"""Kinetic proofreading: the derived steady state against a linear solve and ODE integration."""
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

from antagonism import derivations as dv
from antagonism.derivations import kinetic as kp
from antagonism.derivations import symbols as sy

PARAMS = dict(phi=0.09, kappa=1e-4, R=3e4)


def kpr_rhs(N, tau, L, phi, kappa, R):
    def rhs(t, C):
        Rb = C.sum()
        d = np.empty_like(C)
        d[0] = kappa * (L - Rb) * (R - Rb) - (phi + 1 / tau) * C[0]
        d[1:N] = phi * C[:N - 1] - (phi + 1 / tau) * C[1:N]
        d[N] = phi * C[N - 1] - C[N] / tau
        return d
    return rhs


@pytest.mark.parametrize("N,tau,L", [(3, 5.0, 1e3), (5, 10.0, 1e4), (2, 1.0, 3e4)])
def test_steady_state_matches_ode_integration(N, tau, L):
    model = dv.KineticProofreading(N, **{k: sp.nsimplify(v) for k, v in PARAMS.items()})
    ratio = float(model.chain_steady_state().expr.subs(sy.tau, tau))
    Rb = float(model.bound_receptors().expr.subs({sy.tau: tau, sy.L: L}))
    sol = solve_ivp(kpr_rhs(N, tau, L, **PARAMS), (0, 1e5), np.zeros(N + 1), method="BDF",
                    rtol=1e-10, atol=1e-10)
    C = sol.y[:, -1]
    assert C.sum() == pytest.approx(Rb, rel=1e-6)
    assert C[-1] == pytest.approx(ratio * Rb, rel=1e-6)


def test_symbolic_chain_equals_linear_solve():
    for N in (1, 2, 4, 7):
        phi, tau = 0.3, 2.0
        A = np.zeros((N + 1, N + 1))  # steady-state equations with C_0 fixed to 1
        A[0, 0] = 1
        for n in range(1, N + 1):
            A[n, n - 1] = phi
            A[n, n] = -(phi + 1 / tau) if n < N else -1 / tau
        C = np.linalg.solve(A, np.r_[1.0, np.zeros(N)])
        derived = dv.KineticProofreading(N, phi=sp.nsimplify(phi)).chain_steady_state().expr
        assert float(derived.subs(sy.tau, tau)) == pytest.approx(C[-1] / C.sum(), rel=1e-12)
    sym = dv.KineticProofreading().chain_steady_state().expr
    assert sp.simplify(sym - (kp.phi * sy.tau / (1 + kp.phi * sy.tau)) ** sy.N) == 0


def test_kpr_gradient_is_positive():
    g = dv.gradient_tau(dv.KineticProofreading(4)).expr
    f = sp.lambdify([s for s in sorted(g.free_symbols, key=str)], g)
    rng = np.random.default_rng(0)
    for _ in range(200):
        assert f(*rng.uniform(0.01, 10, len(g.free_symbols))) > 0


def test_bound_receptors_with_numeric_parameters_is_the_physical_root():
    """Numeric kappa and R: the derived R_b is the smaller root of the quadratic (numpy)."""
    model = dv.KineticProofreading(3, kappa=sp.Rational(1, 10000), R=30000)
    Rb = model.bound_receptors().expr
    for tau, L in [(3.0, 1000.0), (0.2, 5e4), (30.0, 10.0)]:
        k = 1e-4 * tau  # kappa tau (L - x)(R - x) - x = 0 as a polynomial in x
        roots = np.roots([k, -(k * (L + 3e4) + 1), k * L * 3e4])
        assert float(Rb.subs({sy.tau: tau, sy.L: L})) == pytest.approx(roots.min(), rel=1e-10)
