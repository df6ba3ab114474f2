"""The symbolic rewrite of T_{N,m}'s derived gradient, Hessian and output into a scaled
log-domain form that cannot overflow.

With rho = max(max tau, tau_c) (s) and u = tau/rho <= 1,

    S_k = rho^k S^_k,  S^_k = sum_i L_i u_i^k,
    log T = (N - m) log(rho/tau_c) + log S^_N - log S^_m,

which is the log-sum-exp trick with the shift k log rho.  The per-ligand expressions come
from :mod:`antagonism.derivations` (the derived gradient, Hessian and dT/dL of
:class:`~antagonism.derivations.AdaptiveProofreading`), rewritten by sympy.
"""
from __future__ import annotations

from functools import lru_cache


def scaled_symbols():
    """The sympy symbols (Li, u, pN, pm, sN, sm, rho) of the scaled form."""
    import sympy as sp

    return sp.symbols("Li u pN pm sN sm rho", positive=True)


def _scaled(expr, model, order):
    """Rewrite a derivative of T (order = number of tau derivatives) as (d/T) rho^order in
    terms of u, pN = u^N, pm = u^m and the scaled sums sN, sm."""
    import sympy as sp

    from antagonism.derivations import symbols as sy
    from antagonism.derivations.gradients import L_j, tau_j

    Li, u, pN, pm, sN, sm, rho = scaled_symbols()
    S_N, S_m = model.power_sums()
    T_of_S = model.structural_output()
    e = sp.simplify(expr.subs(sy.T, T_of_S) / T_of_S)
    e = e.subs({tau_j: rho * u, S_N: rho**sy.N * sN, S_m: rho**sy.m * sm})
    e = sp.powsimp(sp.expand_power_base(sp.expand(e), force=True), force=True)
    e = sp.expand(sp.powsimp(sp.expand(sp.simplify(e * rho**order)), force=True))
    e = sp.expand_power_exp(e).subs({u**sy.N: pN, u**sy.m: pm})
    if e.has(rho) or e.has(u**sy.N):
        raise ArithmeticError(f"scaled form still depends on rho: {e}")
    return sp.simplify(e.subs(L_j, Li))


@lru_cache(maxsize=1)
def _symbolic_expressions():
    """The scaled per-ligand expressions for symbolic N, m (derived once per process)."""
    import sympy as sp

    from antagonism import derivations as dv
    from antagonism.derivations import symbols as sy
    from antagonism.derivations.gradients import L_j

    _, _, _, _, sN, sm, rho = scaled_symbols()
    M = dv.AdaptiveProofreading()
    out = {"grad_log": _scaled(dv.gradient_tau(M).expr, M, 1),
           "hess_over_T": _scaled(dv.hessian_structural(M).expr[0, 0], M, 2),
           "grad_L_log": _scaled(dv.gradient_L(M).expr.subs(L_j, 1), M, 0)}
    S_N, S_m = M.power_sums()
    logT = sp.log(M.structural_output().subs({S_N: rho**sy.N * sN, S_m: rho**sy.m * sm}))
    # keep log T expanded: never form rho^(N-m), which overflows
    out["log_output"] = sp.expand(sp.expand_log(sp.powsimp(logT, force=True), force=True))
    return out


def kernel_expressions(N=None, m=None):
    """Derived per-ligand expressions, as a dict of sympy expressions; numeric (N, m) are
    substituted, None keeps the symbols N and m.

    - ``grad_log``: rho * d log T / d tau_i, in (Li, u, pN, pm, sN, sm)
    - ``hess_over_T``: rho^2 (d^2 T / d tau_i^2) / T
    - ``grad_L_log``: d log T / d L_i, in (u, pN, pm, sN, sm)
    - ``log_output``: log T in (rho, tau_c, sN, sm)
    """
    import sympy as sp

    from antagonism.derivations import symbols as sy
    from antagonism.derivations.validation import exact_number

    out = dict(_symbolic_expressions())
    if N is None:
        return out
    values = {sy.N: exact_number(N), sy.m: exact_number(m)}
    out = {k: sp.expand(e.subs(values)) for k, e in out.items()}
    out["log_output"] = sp.expand(sp.expand_log(out["log_output"], force=True))
    return out
