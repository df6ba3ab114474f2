"""Generate compiled kernels for T_{N,m} from the derived expressions.

The derived gradient and Hessian (``antagonism.derivations``) are rewritten, by sympy, in a
scaled log-domain form that cannot overflow: with rho = max(max tau, tau_c) and u = tau/rho <= 1,

    S_k = rho^k S^_k,  S^_k = sum_i L_i u_i^k,
    log T = (N - m) log(rho/tau_c) + log S^_N - log S^_m,

which is the log-sum-exp trick with the shift k log rho.  The expressions are printed as Python
source into a real module file in a cache directory, named by a hash of the source, and
compiled by numba with ``cache=True`` so later processes reuse the machine code.  Integer
exponents become repeated multiplications; other exponents use one log and two exps.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from functools import lru_cache
from pathlib import Path

CODEGEN_VERSION = "3"  # bump when the template changes
SCALED_SYMBOLS = "Li u pN pm sN sm"  # argument names of the per-ligand expressions


def scaled_symbols():
    """The sympy symbols (Li, u, pN, pm, sN, sm, rho) of the scaled form."""
    import sympy as sp

    return sp.symbols(SCALED_SYMBOLS + " rho", positive=True)


def _exact(x):
    import sympy as sp

    return sp.nsimplify(x, rational=True) if isinstance(x, float) else sp.Integer(x)


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


@lru_cache(maxsize=64)
def kernel_expressions(N, m):
    """Derived per-ligand expressions for numeric (N, m), as a dict of sympy expressions.

    - ``grad_log``: rho * d log T / d tau_i, in (Li, u, pN, pm, sN, sm)
    - ``hess_over_T``: rho^2 (d^2 T / d tau_i^2) / T
    - ``grad_L_log``: d log T / d L_i, in (u, pN, pm, sN, sm)
    - ``log_output``: log T in (rho, tau_c, sN, sm)
    """
    import sympy as sp
    from antagonism import derivations as dv
    from antagonism.derivations import symbols as sy
    from antagonism.derivations.gradients import L_j

    _, _, _, _, sN, sm, rho = scaled_symbols()
    M = dv.AdaptiveProofreading()
    values = {sy.N: _exact(N), sy.m: _exact(m)}
    grad = _scaled(dv.gradient_tau(M).expr, M, 1)
    hess = _scaled(dv.hessian_structural(M).expr[0, 0], M, 2)
    gradL = _scaled(dv.gradient_L(M).expr.subs(L_j, 1), M, 0)
    S_N, S_m = M.power_sums()
    logT = sp.expand_log(sp.log(M.structural_output().subs(
        {S_N: rho**sy.N * sN, S_m: rho**sy.m * sm})), force=True)
    logT = sp.collect(sp.expand(sp.expand_log(sp.powsimp(logT, force=True), force=True)),
                      [sp.log(rho), sp.log(sy.tau_c)])
    out = {name: sp.simplify(e.subs(values)) for name, e in
           (("grad_log", grad), ("hess_over_T", hess), ("grad_L_log", gradL))}
    # keep log T expanded (never form rho^(N-m), which overflows)
    out["log_output"] = sp.expand(sp.expand_log(logT.subs(values), force=True))
    return out


def _print(expr):
    """Print a sympy expression as Python for numba: floats for rationals, integer powers
    as repeated multiplication."""
    from sympy.printing.pycode import PythonCodePrinter

    class KernelPrinter(PythonCodePrinter):
        def _print_Rational(self, e):
            return repr(float(e))

        def _print_Pow(self, e, rational=False):
            base, exp = e.as_base_exp()
            if exp.is_Integer and exp < 0:
                return f"(1.0/({self._print(base ** (-exp))}))"
            if exp.is_Integer and exp > 0:
                return "(" + "*".join([self.parenthesize(base, 100)] * int(exp)) + ")"
            return super()._print_Pow(e, rational=rational)

    return KernelPrinter({"fully_qualified_modules": True}).doprint(expr)


def _power_lines(k, target, indent):
    """Source lines computing target = u**k: binary powering for integers, exp/log otherwise."""
    pad = " " * indent
    k = _exact(k)
    if k == 0:
        return [f"{pad}{target} = 1.0"]
    if k.is_Integer:
        lines, square, n, first = [], "u", int(k), True
        step = 0
        while n:
            if n & 1:
                lines.append(f"{pad}{target} = {square}" if first else f"{pad}{target} *= {square}")
                first = False
            n >>= 1
            if n:
                nxt = f"_q{target}{step}"
                lines.append(f"{pad}{nxt} = {square} * {square}")
                square, step = nxt, step + 1
        return lines
    return [f"{pad}{target} = math.exp({float(k)!r} * math.log(u))"]


TEMPLATE = '''"""Generated by antagonism.numerics.codegen (version {version}) for T_{{N,m}} with
N = {N}, m = {m}.  Do not edit: regenerate instead."""
import math

import numpy as np
from numba import njit, prange

N = {N!r}
M = {m!r}
FASTMATH = {{"reassoc", "contract", "arcp", "nsz"}}


@njit(cache=True, inline="always")
def powers(u):
{powers}
    return pN, pm


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def scaled_sums(tau, L, inv_rho):
    sN = 0.0
    sm = 0.0
    for i in prange(tau.shape[0]):
        pN, pm = powers(tau[i] * inv_rho)
        sN += L[i] * pN
        sm += L[i] * pm
    return sN, sm


@njit(cache=True)
def log_output(rho, tau_c, sN, sm):
    return {log_output}


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def grad_log(tau, L, inv_rho, sN, sm, out):
    for i in prange(tau.shape[0]):
        u = tau[i] * inv_rho
        pN, pm = powers(u)
        Li = L[i]
        out[i] = ({grad_log}) * inv_rho


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def hess_over_T(tau, L, inv_rho, sN, sm, out):
    for i in prange(tau.shape[0]):
        u = tau[i] * inv_rho
        pN, pm = powers(u)
        Li = L[i]
        out[i] = ({hess_over_T}) * inv_rho * inv_rho


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def grad_L_log(tau, inv_rho, sN, sm, out):
    for i in prange(tau.shape[0]):
        u = tau[i] * inv_rho
        pN, pm = powers(u)
        out[i] = {grad_L_log}


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def descent_pass(tau, L, inv_rho, sN, sm, step, tau_c, lower, upper):
    """One fused pass: move every ligand with tau < tau_c by -step * (1/L_i) d log T/d tau_i,
    clip to [lower, upper], and accumulate the new scaled sums and the largest move."""
    nN = 0.0
    nm = 0.0
    moved = 0.0
    for i in prange(tau.shape[0]):
        t = tau[i]
        u = t * inv_rho
        pN, pm = powers(u)
        Li = 1.0
        g = ({grad_log}) * inv_rho
        t_new = min(max(t - step * g, lower), upper)
        t_new = t_new if t < tau_c else t
        tau[i] = t_new
        moved = max(moved, abs(t_new - t))
        u = t_new * inv_rho
        pN, pm = powers(u)
        nN += L[i] * pN
        nm += L[i] * pm
    return nN, nm, moved


@njit(cache=True)
def descend(tau, L, inv_rho, rho, tau_c, eps, sum_L, lower, upper, max_iter, ftol, T_hist,
            move_hist):
    """Exact per-ligand descent to the boundary; returns (iterations, status).

    status 0: T < 1 (crossed), 1: fixed point (relative change of T below ftol), 2: cap."""
    sN, sm = scaled_sums(tau, L, inv_rho)
    T = math.exp(log_output(rho, tau_c, sN, sm))
    T_hist[0] = T
    for it in range(max_iter):
        if T < 1.0:
            return it, 0
        sN, sm, moved = descent_pass(tau, L, inv_rho, sN, sm, eps * sum_L * T, tau_c, lower,
                                     upper)
        T_new = math.exp(log_output(rho, tau_c, sN, sm))
        T_hist[it + 1] = T_new
        move_hist[it] = moved
        if abs(T_new - T) <= ftol * T_new:
            T = T_new
            return it + 1, 1 if T >= 1.0 else 0
        T = T_new
    return max_iter, 0 if T < 1.0 else 2
'''


def kernel_source(N, m):
    """The Python source of the compiled-kernel module for (N, m)."""
    ex = kernel_expressions(float(N), float(m))
    gap = _exact(N) - _exact(m)
    powers = _power_lines(m, "pm", 4)
    if _exact(m) == 0:
        powers += _power_lines(N, "pN", 4)
    elif gap.is_Integer and _exact(m).is_Integer:
        powers += [line.replace("pm", "pg") for line in _power_lines(gap, "pm", 4)]
        powers += ["    pN = pm * pg"]
    else:
        powers += _power_lines(N, "pN", 4)
    return TEMPLATE.format(version=CODEGEN_VERSION, N=float(N), m=float(m),
                           powers="\n".join(powers),
                           **{k: _print(v) for k, v in ex.items()})


def cache_dir():
    """Folder for generated modules: $ANTAGONISM_CACHE_DIR, else ~/.cache/antagonism/kernels."""
    base = os.environ.get("ANTAGONISM_CACHE_DIR")
    path = Path(base) if base else Path.home() / ".cache" / "antagonism" / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_module(source):
    """Write ``source`` to <cache>/adaptive_<hash>.py (once) and return its path."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    path = cache_dir() / f"adaptive_{digest}.py"
    if not path.exists() or path.read_text() != source:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(source)
        os.replace(tmp, path)  # atomic: concurrent processes see a whole file
    return path


def _index_path(N, m):
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("antagonism")
    except PackageNotFoundError:
        pkg = "dev"
    key = f"adaptive_N{float(N)!r}_m{float(m)!r}_v{CODEGEN_VERSION}_{pkg}"
    return cache_dir() / "index" / f"{key}.txt"


def cached_module_path(N, m):
    """The generated module for (N, m) if an earlier process wrote it, else None.

    A hit skips the sympy derivation entirely (warm start)."""
    index = _index_path(N, m)
    if index.exists():
        path = cache_dir() / index.read_text().strip()
        if path.exists():
            return path
    return None


def generate_module(N, m):
    """Derive, print and write the module for (N, m); record it in the index."""
    path = write_module(kernel_source(N, m))
    index = _index_path(N, m)
    index.parent.mkdir(exist_ok=True)
    tmp = index.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(path.name)
    os.replace(tmp, index)
    return path


def import_module(path):
    """Import a generated module from its file so numba's on-disk cache can key on it."""
    name = f"antagonism_kernels_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
