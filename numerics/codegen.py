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

CODEGEN_VERSION = "4"  # bump when the template changes
SCALED_SYMBOLS = "Li u pN pm sN sm"  # argument names of the per-ligand expressions


def scaled_symbols():
    """The sympy symbols (Li, u, pN, pm, sN, sm, rho) of the scaled form."""
    import sympy as sp

    return sp.symbols(SCALED_SYMBOLS + " rho", positive=True)


def _exact(x):
    from antagonism.derivations._validate import exact_number

    return exact_number(x)


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


def _hoist(expr, loop_symbols, prefix):
    """Split a per-ligand expression into loop-invariant coefficients and loop monomials.

    ``expr`` is expanded into terms c_k * mono_k where mono_k holds every factor that depends
    on ``loop_symbols``; the c_k (functions of the sums only) are computed once, outside the
    loop.  Returns (constants [(name, expr)], loop expression in the constant symbols).
    """
    import sympy as sp

    groups = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        inner, outer = [], []
        for f in sp.Mul.make_args(term):
            (inner if f.free_symbols & set(loop_symbols) else outer).append(f)
        mono = sp.Mul(*inner)
        groups[mono] = groups.get(mono, 0) + sp.Mul(*outer)
    constants, loop = [], sp.S.Zero
    for k, (mono, coeff) in enumerate(groups.items()):
        coeff = sp.simplify(coeff)
        if coeff == 0:
            continue
        name = sp.Symbol(f"{prefix}{k}")
        constants.append((name, coeff))
        loop += name * mono
    return constants, loop


def _integer_power_lines(exponents, var="u", indent=8):
    """Lines defining {var}_k = var**k for integer k >= 0 by shared repeated squaring."""
    pad = " " * indent
    lines, squares = [], {1: var}
    top = max([int(k) for k in exponents] + [1])
    bit = 1
    while 2 * bit <= top:
        lines.append(f"{pad}{var}_sq{2 * bit} = {squares[bit]} * {squares[bit]}")
        squares[2 * bit] = f"{var}_sq{2 * bit}"
        bit *= 2
    for k in sorted({int(k) for k in exponents}):
        factors = [squares[b] for b in sorted(squares) if k & b] or ["1.0"]
        lines.append(f"{pad}{var}_{k} = {' * '.join(factors)}")
    return lines


def _power_lines(exponents, var, indent):
    """Lines defining var**k for each exponent k; returns (lines, {k: variable name}).

    Integers use shared repeated squaring; the other exponents cost one log in total and one
    exp per distinct fractional part, times integer powers for the rest."""
    pad = " " * indent
    ints = sorted({int(k) for k in exponents if k.is_Integer and k >= 0})
    others = sorted({k for k in exponents if not (k.is_Integer and k >= 0)})
    groups = {}
    for k in others:
        groups.setdefault(k - sp_floor(k), []).append(k)
    offsets = {int(k - min(ks)) for ks in groups.values() for k in ks}
    lines = _integer_power_lines(set(ints) | offsets, var, indent) if ints or offsets else []
    names = {k: f"{var}_{int(k)}" for k in exponents if k.is_Integer and k >= 0}
    if others:
        lines.append(f"{pad}l{var} = math.log({var})")
    for g, ks in enumerate(groups.values()):
        base = min(ks)
        lines.append(f"{pad}{var}_f{g} = math.exp({float(base)!r} * l{var})")
        for k in ks:
            o = int(k - base)
            names[k] = f"{var}_f{g}" + (f" * {var}_{o}" if o else "")
    return lines, names


def sp_floor(k):
    import sympy as sp

    return sp.floor(k)
HEADER = """Generated by antagonism.numerics.codegen (version {version}) for T_{{N,m}} with
N = {N}, m = {m}.  Do not edit: regenerate instead.

Per-ligand expressions are the derived ones (antagonism.derivations), rewritten by sympy in
the scaled variables u = tau/rho, with loop-invariant coefficients hoisted out of the loops.
"""

PRELUDE = """
import math

import numpy as np
from numba import njit, prange

N = {N!r}
M = {m!r}
STORED_POWERS = {stored}
FASTMATH = {{"reassoc", "contract", "arcp", "nsz"}}
"""


def _loop_function(name, args, consts, body, out_expr):
    """Source of a prange loop over ligands with hoisted constants."""
    head = ["@njit(cache=True, parallel=True, fastmath=FASTMATH)", f"def {name}({args}):"]
    pre = [f"    {c} = {_print(e)}" for c, e in consts]
    loop = ["    for i in prange(tau.shape[0]):", *body, f"        {out_expr}"]
    return "\n".join(head + pre + loop) + "\n"


def _substitute_powers(expr, names):
    """Replace u**k by the variables named in ``names`` (u_3, u_f0 * u_2, ...)."""
    import sympy as sp

    _, u, *_ = scaled_symbols()
    repl = {u**k: sp.Symbol(v.replace(" * ", "__x__")) for k, v in names.items() if k != 1}
    return expr.xreplace(repl)


def _print_loop(expr):
    return _print(expr).replace("__x__", " * ")


def _exponents(expr):
    import sympy as sp

    _, u, *_ = scaled_symbols()
    out = set()
    for p in expr.atoms(sp.Pow):
        if p.base == u:
            out.add(p.exp)
    return out


def kernel_source(N, m):
    """The Python source of the compiled-kernel module for (N, m)."""
    Li, u, pN, pm, sN, sm, rho = scaled_symbols()
    ex = kernel_expressions(float(N), float(m))
    Ne, me = _exact(N), _exact(m)
    stored = not (Ne.is_Integer and me.is_Integer)
    parts = [PRELUDE.format(N=float(N), m=float(m), stored=stored)]
    as_u = {pN: u**Ne, pm: u**me}

    def loop_parts(expr, prefix, with_L=True):
        consts, loop = _hoist(expr.subs(as_u), [u, Li], prefix)
        lines, names = _power_lines(sorted(_exponents(loop)), "u", 8)
        body = ["        u = tau[i] * inv_rho", *lines] + (["        Li = L[i]"] if with_L else [])
        return consts, body, _print_loop(_substitute_powers(loop, names))

    sums_lines, sums_names = _power_lines(sorted({Ne, me}), "u", 8)
    pN_u = _print_loop(_substitute_powers(u**Ne, sums_names)) if Ne != 1 else "u"
    pm_u = _print_loop(_substitute_powers(u**me, sums_names)) if me != 1 else "u"
    parts.append("\n".join([
        "@njit(cache=True, parallel=True, fastmath=FASTMATH)",
        "def scaled_sums(tau, L, inv_rho):", "    sN = 0.0", "    sm = 0.0",
        "    for i in prange(tau.shape[0]):", "        u = tau[i] * inv_rho", *sums_lines,
        f"        sN += L[i] * {pN_u}", f"        sm += L[i] * {pm_u}", "    return sN, sm", ""]))
    parts.append("\n".join([
        "@njit(cache=True)", "def log_output(rho, tau_c, sN, sm):",
        f"    return {_print(ex['log_output'])}", ""]))
    for name, scale, with_L in (("grad_log", " * inv_rho", True),
                                ("hess_over_T", " * inv_rho * inv_rho", True),
                                ("grad_L_log", "", False)):
        consts, body, loop = loop_parts(ex[name], "c", with_L)
        parts.append(_loop_function(name, "tau, L, inv_rho, sN, sm, out", consts, body,
                                    f"out[i] = ({loop}){scale}"))

    # the fused descent pass: gradient with L_i = 1, move, clip, new sums
    grad_unit = ex["grad_log"].subs(Li, 1)
    if stored:
        consts, loop = _hoist(grad_unit, [u, pN, pm], "g")
        grad_lines = ["        u = t * inv_rho", "        pN = P[i]", "        pm = Q[i]"]
        grad_expr = _print_loop(loop)
    else:
        consts, body, grad_expr = loop_parts(grad_unit, "g", False)
        grad_lines = [ln.replace("tau[i]", "t") for ln in body]
    store = ([f"        P[i] = {pN_u}", f"        Q[i] = {pm_u}"] if stored else [])
    parts.append("\n".join([
        "@njit(cache=True, parallel=True, fastmath=FASTMATH)",
        "def descent_pass(tau, L, P, Q, inv_rho, sN, sm, step, tau_c, lower, upper):",
        '    """Move every ligand with tau < tau_c by -step (d log T/d tau)/L_i, clip to',
        '    [lower, upper]; return the new scaled sums and the squared displacement."""',
        *[f"    {c} = {_print(e)}" for c, e in consts],
        "    nN = 0.0", "    nm = 0.0", "    moved2 = 0.0",
        "    for i in prange(tau.shape[0]):", "        t = tau[i]", *grad_lines,
        f"        g = ({grad_expr}) * inv_rho",
        "        t_new = min(max(t - step * g, lower), upper)",
        "        t_new = t_new if t < tau_c else t", "        tau[i] = t_new",
        "        d = t_new - t", "        moved2 += d * d",
        "        u = t_new * inv_rho", *sums_lines, *store,
        f"        nN += L[i] * {pN_u}", f"        nm += L[i] * {pm_u}",
        "    return nN, nm, moved2", ""]))
    parts.append(DESCEND)
    header = HEADER.format(version=CODEGEN_VERSION, N=float(N), m=float(m))
    return '"""' + header + '"""\n' + "\n".join(parts)


DESCEND = """
@njit(cache=True, parallel=True)
def init_powers(tau, inv_rho, P, Q):
    for i in prange(tau.shape[0]):
        u = tau[i] * inv_rho
        P[i] = u ** N
        Q[i] = u ** M


@njit(cache=True)
def descend(tau, L, inv_rho, rho, tau_c, eps, sum_L, lower, upper, max_iter, ftol, T_hist,
            move_hist):
    \"\"\"Exact per-ligand descent to the boundary; returns (iterations, status).

    status 0: T < 1 (crossed), 1: fixed point (relative change of T below ftol), 2: cap.
    move_hist records the root-mean-square displacement of each iteration.\"\"\"
    n = tau.shape[0]
    P = np.empty(n if STORED_POWERS else 1)
    Q = np.empty(n if STORED_POWERS else 1)
    if STORED_POWERS:
        init_powers(tau, inv_rho, P, Q)
    sN, sm = scaled_sums(tau, L, inv_rho)
    T = math.exp(log_output(rho, tau_c, sN, sm))
    T_hist[0] = T
    for it in range(max_iter):
        if T < 1.0:
            return it, 0
        sN, sm, moved2 = descent_pass(tau, L, P, Q, inv_rho, sN, sm, eps * sum_L * T, tau_c,
                                      lower, upper)
        T_new = math.exp(log_output(rho, tau_c, sN, sm))
        T_hist[it + 1] = T_new
        move_hist[it] = math.sqrt(moved2 / n)
        if abs(T_new - T) <= ftol * T_new:
            T = T_new
            return it + 1, 1 if T >= 1.0 else 0
        T = T_new
    return max_iter, 0 if T < 1.0 else 2
"""


def cache_dir():
    """Folder for generated modules: $ANTAGONISM_CACHE_DIR, else ~/.cache/antagonism/kernels."""
    base = os.environ.get("ANTAGONISM_CACHE_DIR")
    path = Path(base) if base else Path.home() / ".cache" / "antagonism" / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_module(source, prefix="adaptive"):
    """Write ``source`` to <cache>/<prefix>_<hash>.py (once) and return its path."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    path = cache_dir() / f"{prefix}_{digest}.py"
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
    key = f"adaptive_N{float(N)!r}_m{float(m)!r}_v{CODEGEN_VERSION}_{pkg}_{_generator_hash()}"
    return cache_dir() / "index" / f"{key}.txt"


@lru_cache(maxsize=1)
def _generator_hash():
    """Hash of the code that generates kernels (this module and the derivations): any change
    to either invalidates the index, so a stale module is never reused."""
    import antagonism.derivations as dv

    h = hashlib.sha256(Path(__file__).read_bytes())
    for f in sorted(Path(dv.__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


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


UFUNC_TEMPLATE = """
@vectorize(["float64({sig})"], cache=True)
def {name}({args}):
{body}
    return {result}
"""


def ufunc_module_source(functions, args):
    """Source of a module of numba ufuncs (float64 in, float64 out, broadcasting like numpy),
    one per sympy expression in ``functions`` ({name: expr}), all taking ``args``.

    Common subexpressions are shared with ``sympy.cse``; symbols are renamed to safe
    identifiers a0, a1, ... in the order of ``args``."""
    import sympy as sp

    safe = sp.symbols(f"a0:{len(args)}", real=True)
    names = ", ".join(str(a) for a in safe)
    parts = ['"""Generated by antagonism.numerics.codegen: compiled closed forms."""',
             "import math", "", "from numba import vectorize", ""]
    for name, expr in functions.items():
        expr = expr.xreplace(dict(zip(args, safe)))
        subs, (reduced,) = sp.cse(expr, symbols=sp.numbered_symbols("x"))
        body = "\n".join(f"    {lhs} = {_print(rhs)}" for lhs, rhs in subs) or "    pass"
        parts.append(UFUNC_TEMPLATE.format(name=name, sig=", ".join(["float64"] * len(args)),
                                           args=names, body=body, result=_print(reduced)))
    return "\n".join(parts)
