"""Right-hand sides of the cell models as ODEs, integrated to steady state with scipy's stiff
solver -- the independent check of the closed-form steady states."""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from antagonism._core.errors import ConvergenceError
from antagonism._core.result import Result


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
        raise ConvergenceError(f"ODE integration failed: {sol.message}")
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


def network_rhs(model, tau, L):
    """The ODE of a reaction-network model (:class:`~antagonism.derivations.network_model.
    NetworkModel`) for a mixture, written out by sympy from the raw reactions: every ligand
    type has its own copy of the ligand states, the other species are shared, and a rate law
    involving ligand states is applied once per type.  Returns ``(rhs, jac, y0, names)``:
    the right-hand side and its exact Jacobian as numpy functions of (t, y), the initial
    state and the state's names ("C5[0]", "R", ...).  The initial state has the free ligand
    of type i at L_i, its bound states empty, and the shared species at their initial
    amounts, each conserved moiety's leading species topped up to the moiety's total
    (receptors that the file starts bound count towards R_T, as in the steady state)."""
    import sympy as sp

    from antagonism.derivations.ligand_states import ligand_states
    from antagonism.derivations.validation import exact_number

    net = model.network
    tau, L = np.atleast_1d(np.asarray(tau, float)), np.atleast_1d(np.asarray(L, float))
    states = ligand_states(net)
    shared = [s for s in net.species if s not in states]
    n = len(tau)
    typed = {(s, i): sp.Symbol(f"{s}[{i}]") for i in range(n) for s in states}
    names = [str(typed[(s, i)]) for i in range(n) for s in states] + shared
    y = [sp.Symbol(v) for v in names]
    values = {sp.Symbol(k): exact_number(float(v)) for k, v in model.values_by_name.items()}
    time = sp.Symbol(net.off_rate or net.binding_time)
    rhs = {v: sp.S.Zero for v in y}
    for r in net.reactions:
        involves = any(s in states for s in (*r.reactants, *r.products)) or any(
            str(x) in states for x in r.rate.free_symbols)
        for i in (range(n) if involves else [None]):
            env = {sp.Symbol(s): (typed[(s, i)] if i is not None else 0) for s in states}
            t_i = exact_number(float(tau[i])) if i is not None else 1
            rate = r.rate.subs(values).subs(env).subs(time, 1 / t_i if net.off_rate else t_i)
            for s in set(r.reactants) | set(r.products):
                target = typed[(s, i)] if s in states else sp.Symbol(s)
                rhs[target] += r.net(s) * rate
    vector = sp.Matrix([rhs[v] for v in y])
    f = sp.lambdify([y], vector, "numpy", cse=True)
    J = sp.lambdify([y], vector.jacobian(y), "numpy", cse=True)
    y0 = np.zeros(len(names))
    for i, Li in enumerate(L):
        y0[names.index(str(typed[(net.ligand, i)]))] = Li
    amounts = {**net.initial, **model.initial}
    for s in shared:
        y0[names.index(s)] = float(amounts.get(s, 0.0))
    for moiety in model.moieties():
        law = moiety.coefficients
        held = sum(float(c) * y0[names.index(s)] for s, c in law.items() if s in shared)
        y0[names.index(moiety.species)] += (moiety.total - held) / float(law[moiety.species])
    return (lambda t, x: np.asarray(f(x), float).ravel(),
            lambda t, x: np.asarray(J(x), float), y0, names)


def integrate_network(model, tau, L, t_end=1e6, rtol=1e-10, atol=1e-10):
    """Integrate a reaction-network model to steady state (LSODA with the exact Jacobian;
    BDF stalls on some of these networks).  Returns a Result with ``values`` (name -> value,
    ligand states as "C5[i]"), ``output`` (the network's output summed over types) and
    ``residual`` (the largest |dy/dt| at the end)."""
    import sympy as sp

    from antagonism.derivations.ligand_states import ligand_states
    from antagonism.derivations.reactions import read_expression

    rhs, jac, y0, names = network_rhs(model, tau, L)
    sol = solve_ivp(rhs, (0.0, t_end), y0, method="LSODA", jac=jac, rtol=rtol, atol=atol)
    if not sol.success:
        raise ConvergenceError(f"ODE integration failed: {sol.message}")
    y = sol.y[:, -1]
    values = dict(zip(names, y))
    net = model.network
    states = ligand_states(net)
    n_types = len(np.atleast_1d(tau))
    env = {s: sum(values[f"{s}[{i}]"] for i in range(n_types)) if s in states else values[s]
           for s in net.species}
    # Python floats: sympy 1.12 cannot read numpy 2's scalars
    out = read_expression(net.output, "output").subs({sp.Symbol(k): float(v)
                                                      for k, v in env.items()})
    return Result(values=values, output=float(out), residual=float(np.max(np.abs(rhs(0, y)))),
                  t=sol.t[-1])
