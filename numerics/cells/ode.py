"""Right-hand sides of the cell models as ODEs, integrated to steady state with scipy's stiff
solver -- the independent check of the closed-form steady states."""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from antagonism.theory.result import Result


def shp1_rhs(tau, L, p, alpha=1e-4):
    """SHP-1 mixture ODE: state = [C_{i,0..N} for each type i] + [S].

    S obeys dS/dt = alpha C_m,tot (S_T - S) - beta S with beta = alpha C* (so its steady
    state is S_T C_m/(C_m + C*)); receptors are shared by all types."""
    tau, L = np.asarray(tau, float), np.asarray(L, float)
    K, N, m = len(tau), int(p["N"]), int(p["m"])
    beta = alpha * p["C_star"]

    def rhs(t, y):
        C = y[:-1].reshape(K, N + 1)
        S = y[-1]
        d = p["b"] + p["gamma"] * S
        CT = C.sum(axis=1)
        Rfree = p["R"] - CT.sum()
        out = np.empty_like(C)
        inv = 1.0 / tau[:, None]
        out[:, 0] = p["kappa"] * (L - CT) * Rfree - (p["phi"] + inv[:, 0]) * C[:, 0] + d * C[:, 1]
        out[:, 1:N] = (p["phi"] * C[:, :N - 1] - (p["phi"] + d + inv) * C[:, 1:N]
                       + d * C[:, 2:N + 1])
        out[:, N] = p["phi"] * C[:, N - 1] - (d + inv[:, 0]) * C[:, N]
        Cm = C[:, m].sum()
        dS = alpha * Cm * (p["S_T"] - S) - beta * S
        return np.append(out.ravel(), dS)

    return rhs


def integrate_shp1(tau, L, params, t_end=1e6, rtol=1e-10, atol=1e-10):
    """Integrate the SHP-1 ODE from an empty state to ``t_end`` (s) with BDF."""
    tau = np.atleast_1d(np.asarray(tau, float))
    L = np.atleast_1d(np.asarray(L, float))
    N = int(params["N"])
    y0 = np.zeros(len(tau) * (N + 1) + 1)
    sol = solve_ivp(shp1_rhs(tau, L, params), (0.0, t_end), y0, method="BDF", rtol=rtol,
                    atol=atol)
    if not sol.success:
        raise RuntimeError(f"ODE integration failed: {sol.message}")
    C = sol.y[:-1, -1].reshape(len(tau), N + 1)
    return Result(chains=C, S=sol.y[-1, -1], C_T=C.sum(axis=1), C_N=C[:, N],
                  output=float(C[:, N].sum()), t=sol.t[-1])


def adaptive_sorting_rhs(tau, L, phi, alpha, epsilon, K_T):
    """Adaptive sorting (N = 1): state = [C_1,i for each type] + [K]."""
    tau, L = np.asarray(tau, float), np.asarray(L, float)

    def rhs(t, y):
        C1, K = y[:-1], y[-1]
        C0 = L - C1
        return np.append(phi * K * C0 - C1 / tau, alpha * (K_T - K) - epsilon * K * C0.sum())

    return rhs


def integrate_adaptive_sorting(tau, L, phi, alpha, epsilon, K_T, t_end=1e5):
    tau = np.atleast_1d(np.asarray(tau, float))
    L = np.atleast_1d(np.asarray(L, float))
    sol = solve_ivp(adaptive_sorting_rhs(tau, L, phi, alpha, epsilon, K_T), (0, t_end),
                    np.append(np.zeros_like(tau), K_T), method="BDF", rtol=1e-10, atol=1e-12)
    return Result(C_1=sol.y[:-1, -1], K=sol.y[-1, -1], output=float(sol.y[:-1, -1].sum()))
