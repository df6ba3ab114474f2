"""Generate compiled kernels for T_{N,m} from the derived expressions.

The derived gradient and Hessian (``antagonism.derivations``) are rewritten, by sympy, in a
scaled log-domain form that cannot overflow: with rho = max(max tau, tau_c) and u = tau/rho <= 1,

    S_k = rho^k S^_k,  S^_k = sum_i L_i u_i^k,
    log T = (N - m) log(rho/tau_c) + log S^_N - log S^_m,

which is the log-sum-exp trick with the shift k log rho.  The expressions are printed as Python
source into a real module file in the kernel cache (named by a hash of the source) and
compiled by numba with ``cache=True`` so later processes reuse the machine code.

Two kinds of module:

- **generic** (one for every (N, m)): N and m are arguments; u^N by repeated squaring when
  both are integers below 128, exp(N log u) otherwise.  Compiled once per machine;
- **specialised** (the default): the exponents are baked in, as repeated multiplications
  for integers, square roots for quarter and half integers and one log and one exp per
  fractional part otherwise (much faster per ligand; one compile per (N, m), cached on disk).

exp and log are the modules' own branch-free ``vec_exp``/``vec_log`` (fdlibm's algorithms,
< 1 ulp), which LLVM vectorises: libm's are called one ligand at a time.

Every kernel takes the exponents ``N, m`` as its last two arguments, so both kinds have the
same signatures (a specialised module ignores them).
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path

from ..cache import cache_dir, locked, quarantine, write_atomic

CODEGEN_VERSION = "9"  # bump when the template changes


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


# Vectorisable exp, log and integer powers.  numba calls libm's exp and log one ligand at a
# time (no SVML with the pip builds of llvmlite), which made the non-integer and generic
# kernels 15-20x slower than a streaming pass.  vec_exp and vec_log are fdlibm's algorithms
# (e_exp.c, e_log.c: the same polynomials, error below 1 ulp) written without branches or
# calls, so LLVM inlines them and vectorises the ligand loops; the package's tests compare
# them with math.exp/math.log to within 2 ulp over the whole double range, and the kernels
# with mpmath.
VECMATH = """

@intrinsic
def _float_bits(typingctx, x):
    \"\"\"The IEEE-754 bits of a float64 as an int64.\"\"\"
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(_types.int64))
    return _types.int64(_types.float64), codegen


@intrinsic
def _bits_float(typingctx, i):
    \"\"\"The float64 with the given IEEE-754 bits.\"\"\"
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(_types.float64))
    return _types.float64(_types.int64), codegen


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def vec_log(x):
    \"\"\"log(x) for x >= 0 (-inf at 0), < 1 ulp: x = 2^k (1 + f) with 1 + f in
    [sqrt(2)/2, sqrt(2)), s = f/(2 + f), log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)).\"\"\"
    sub = x < 2.2250738585072014e-308  # subnormal: scale by 2^54 first
    xs = x * 18014398509481984.0 if sub else x
    ix = _float_bits(xs) + 0x00095F6200000000
    k = (ix >> 52) - 1023 - (54 if sub else 0)
    f = _bits_float((ix & 0x000FFFFFFFFFFFFF) + 0x3FE6A09E00000000) - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01
                                               + w * 1.531383769920937332e-01))
    t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (
        1.818357216161805012e-01 + w * 1.479819860511658591e-01)))
    dk = float(k)
    r = (s * (hfsq + t1 + t2) + dk * 1.90821492927058770002e-10 - hfsq + f
         + dk * 6.93147180369123816490e-01)
    return r if x > 0.0 else -math.inf


@njit(cache=True, error_model="numpy")
def int_pow(u, k):
    \"\"\"u**k for an integer 0 <= k < 128: repeated squaring in a fixed 7 steps (LLVM unrolls
    them, so the ligand loops stay vectorised).\"\"\"
    r = 1.0
    b = u
    for _ in range(7):
        r = r * b if k & 1 else r
        b = b * b
        k >>= 1
    return r


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def vec_exp(x):
    \"\"\"exp(x), < 1 ulp (0 below -745.2, inf above 709.8): x = k log 2 + r, |r| <= log(2)/2,
    exp(r) from fdlibm's rational form, times 2^k as two exact powers of two.\"\"\"
    x = min(max(x, -746.0), 710.0)
    kf = math.floor(x * 1.44269504088896338700e+00 + 0.5)
    hi = x - kf * 6.93147180369123816490e-01
    lo = kf * 1.90821492927058770002e-10
    r = hi - lo
    rr = r * r
    c = r - rr * (1.66666666666666019037e-01 + rr * (-2.77777777770155933842e-03 + rr * (
        6.61375632143793436117e-05 + rr * (-1.65339022054652515390e-06
                                           + rr * 4.13813679705723846039e-08))))
    y = 1.0 + (r * c / (2.0 - c) - lo + hi)
    k = int(kf)
    k1 = k >> 1
    return y * _bits_float((k1 + 1023) << 52) * _bits_float((k - k1 + 1023) << 52)
"""

HEADER = """Generated by antagonism.numerics.cells.codegen (version {version}) for T_{{N,m}},
{what}.  Do not edit: regenerate instead.

Per-ligand expressions are the derived ones (antagonism.derivations), rewritten by sympy in
the scaled variables u = tau/rho, with loop-invariant coefficients hoisted out of the loops.
Every kernel takes the exponents N, m last{unused}.
"""

PRELUDE = """
import math

from numba import njit, prange
from numba.core import types as _types
from numba.extending import intrinsic

# reductions may be reordered; error_model="numpy": no zero-division checks in the loops
# (they would keep LLVM from vectorising them)
FASTMATH = {"reassoc", "contract", "arcp", "nsz"}
KERNEL = dict(cache=True, error_model="numpy")
""" + VECMATH


def _power_lines(exponents, var, indent):
    """Lines defining var**k for each numeric exponent k; returns (lines, {k: expression}).

    Integers use shared repeated squaring; quarter and half integers one or two square roots
    (exact to rounding, and much cheaper than a log and an exp) times an integer power; the
    other exponents cost one log in total and one exp per distinct fractional part, times
    integer powers for the rest."""
    import sympy as sp

    pad = " " * indent
    ints = {int(k) for k in exponents if k.is_Integer and k >= 0}
    others = sorted({k for k in exponents if not (k.is_Integer and k >= 0)})
    roots = {sp.Rational(1, 2): f"{var}_r2", sp.Rational(1, 4): f"{var}_r4",
             sp.Rational(3, 4): f"{var}_r2 * {var}_r4"}
    by_root = [k for k in others if k > 0 and k - sp.floor(k) in roots]
    others = [k for k in others if k not in by_root]
    groups = {}
    for k in others:
        groups.setdefault(k - sp.floor(k), []).append(k)
    offsets = {int(k - min(ks)) for ks in groups.values() for k in ks}
    offsets |= {int(sp.floor(k)) for k in by_root}
    lines = _integer_power_lines(ints | offsets, var, indent) if ints or offsets else []
    names = {k: f"{var}_{int(k)}" for k in exponents if k.is_Integer and k >= 0}
    fractions = {k - sp.floor(k) for k in by_root}
    if fractions:
        lines.append(f"{pad}{var}_r2 = math.sqrt({var})")
    if fractions - {sp.Rational(1, 2)}:
        lines.append(f"{pad}{var}_r4 = math.sqrt({var}_r2)")
    for k in by_root:
        o = int(sp.floor(k))
        names[k] = roots[k - o] + (f" * {var}_{o}" if o else "")
    if others:
        lines.append(f"{pad}l{var} = vec_log({var})")
    for g, ks in enumerate(groups.values()):
        base = min(ks)
        lines.append(f"{pad}{var}_f{g} = vec_exp({float(base)!r} * l{var})")
        for k in ks:
            o = int(k - base)
            names[k] = f"{var}_f{g}" + (f" * {var}_{o}" if o else "")
    return lines, names


class _Powers:
    """How a module computes pN = u^N and pm = u^m for one ligand: baked in (specialised:
    repeated multiplication for integers, square roots for quarter and half integers, one
    log and one exp per fractional part otherwise) or exp(k log u) with N, m as arguments
    (generic)."""

    def __init__(self, N=None, m=None):
        from antagonism.derivations.validation import exact_number

        self.specialised = N is not None
        self.N = None if N is None else exact_number(N)
        self.m = None if m is None else exact_number(m)
        # integer powers are cheaper to recompute than to load; the others are stored
        self.stored = not (self.specialised and self.N.is_Integer and self.m.is_Integer)

    def lines(self, indent=8):
        pad = " " * indent
        if self.specialised:
            lines, names = _power_lines(sorted({self.N, self.m}), "u", indent)
            return lines + [f"{pad}pN = {names[self.N]}", f"{pad}pm = {names[self.m]}"]
        # integer exponents (a loop-invariant test: LLVM splits the loop in two) by repeated
        # squaring, any other by exp(k log u)
        return [f"{pad}if ints:", f"{pad}    pN = int_pow(u, iN)", f"{pad}    pm = int_pow(u, im)",
                f"{pad}else:", f"{pad}    lu = vec_log(u)", f"{pad}    pN = vec_exp(N * lu)",
                f"{pad}    pm = vec_exp(m * lu)"]

    def setup(self):
        """Lines before a loop over ligands: are the run-time exponents small integers?"""
        if self.specialised:
            return []
        return ["    ints = N == math.floor(N) and m == math.floor(m) and 0.0 <= m and N < 128.0",
                "    iN = int(N) if ints else 0", "    im = int(m) if ints else 0"]


def _loop_function(name, args, consts, body, out_expr, parallel=False, setup=()):
    """Source of a loop over ligands with hoisted constants (and ``setup`` lines)."""
    deco = ("@njit(**KERNEL, parallel=True, fastmath=FASTMATH)" if parallel
            else "@njit(**KERNEL, fastmath=FASTMATH)")
    rng = "prange" if parallel else "range"
    head = [deco, f"def {name}({args}, N, m):"]
    pre = [*setup, *[f"    {c} = {_print(e)}" for c, e in consts]]
    loop = [f"    for i in {rng}(tau.shape[0]):", *body, f"        {out_expr}"]
    return "\n".join(head + pre + loop) + "\n"


def kernel_source(N=None, m=None):
    """The Python source of the kernel module: specialised to numeric (N, m), or generic
    (N, m as arguments) when they are None."""
    import sympy as sp

    powers = _Powers(N, m)
    Li, u, pN, pm, sN, sm, rho = scaled_symbols()
    ex = kernel_expressions(N, m)
    parts = [PRELUDE]
    per_ligand = ["        u = tau[i] * inv_rho", *powers.lines()]
    parts.append("\n".join([
        "@njit(**KERNEL, parallel=True, fastmath=FASTMATH)",
        "def scaled_sums(tau, L, inv_rho, N, m):", *powers.setup(), "    sN = 0.0",
        "    sm = 0.0",
        "    for i in prange(tau.shape[0]):", *per_ligand,
        "        sN += L[i] * pN", "        sm += L[i] * pm", "    return sN, sm", ""]))
    parts.append("\n".join([
        "@njit(cache=True)", "def log_output(rho, tau_c, sN, sm, N, m):",
        f"    return {_print(ex['log_output'])}", ""]))
    for name, scale, with_L in (("grad_log", " * inv_rho", True),
                                ("hess_over_T", " * inv_rho * inv_rho", True),
                                ("grad_L_log", "", False)):
        consts, loop = _hoist(ex[name], [u, Li, pN, pm], "c")
        body = per_ligand + (["        Li = L[i]"] if with_L else [])
        parts.append(_loop_function(name, "tau, L, inv_rho, sN, sm, out", consts, body,
                                    f"out[i] = ({_print(loop)}){scale}",
                                    setup=powers.setup()))
    # the fused descent pass: gradient with L_i = 1, move, clip, new sums and new powers
    grad_unit = ex["grad_log"].subs(Li, 1)
    if not powers.stored:  # integer powers of u, no division: u^(N-1), u^(m-1) directly
        grad_unit = sp.expand(grad_unit.subs({pN: u**powers.N, pm: u**powers.m}))
    consts, loop = _hoist(grad_unit, [u, pN, pm], "g")
    if not powers.stored:
        ks = sorted({int(p.exp) for p in loop.atoms(sp.Pow) if p.base == u and p.exp > 1})
        grad_lines = _integer_power_lines(ks, "u", 8) if ks else []
        loop = loop.xreplace({u**k: sp.Symbol(f"u_{k}") for k in ks})
    else:
        grad_lines = ["        pN = P[i]", "        pm = Q[i]"]
    parts.append("\n".join([
        "@njit(**KERNEL, parallel=True, fastmath=FASTMATH)",
        "def descent_pass(tau, L, P, Q, inv_rho, sN, sm, step, tau_c, lower, upper, N, m):",
        '    """Move every ligand with tau < tau_c by -step (d log T/d tau)/L_i, clip to',
        '    [lower, upper]; P, Q hold u^N, u^m of the current tau (generic modules update',
        '    them).  Returns the new scaled sums and the squared displacement."""',
        *powers.setup(), *[f"    {c} = {_print(e)}" for c, e in consts],
        "    nN = 0.0", "    nm = 0.0", "    moved2 = 0.0",
        "    for i in prange(tau.shape[0]):", "        t = tau[i]",
        "        u = t * inv_rho",
        # integer powers are cheaper to recompute than to load; exp/log ones are stored
        *grad_lines,
        f"        g = ({_print(loop)}) * inv_rho",
        "        t_new = min(max(t - step * g, lower), upper)",
        "        t_new = t_new if t < tau_c else t", "        tau[i] = t_new",
        "        d = t_new - t", "        moved2 += d * d",
        "        u = t_new * inv_rho", *powers.lines(),
        *(["        P[i] = pN", "        Q[i] = pm"] if powers.stored else []),
        "        nN += L[i] * pN", "        nm += L[i] * pm",
        "    return nN, nm, moved2", ""]))
    parts.append("\n".join([
        "@njit(**KERNEL, parallel=True, fastmath=FASTMATH)",
        "def init_powers(tau, inv_rho, P, Q, N, m):", *powers.setup(),
        "    for i in prange(tau.shape[0]):", *per_ligand,
        "        P[i] = pN", "        Q[i] = pm", ""]))
    what = (f"specialised to N = {float(N):g}, m = {float(m):g}" if powers.specialised
            else "generic in N and m")
    header = HEADER.format(version=CODEGEN_VERSION, what=what,
                           unused=" (unused here: they are baked in)" if powers.specialised
                           else "")
    return '"""' + header + '"""\n' + "\n".join(parts)


_MODULE_NAME = re.compile(r"[a-z]+_([0-9a-f]{16})\.py")


def _source_digest(source):
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def module_problem(path):
    """None if ``path`` is a kernel module the cache may serve, else why not: it must be a
    regular file (not a link) directly in the kernel cache folder, named
    ``<prefix>_<hash>.py`` where the hash is that of its own content."""
    path = Path(path)
    folder = cache_dir("kernels").resolve()
    match = _MODULE_NAME.fullmatch(path.name)
    if match is None:
        return f"{path.name!r} is not a kernel module name"
    if path.is_symlink() or path.parent.resolve() != folder:
        return f"{path} is outside the kernel cache {folder} (or a link)"
    if not path.is_file():
        return "missing"
    if _source_digest(path.read_bytes().decode("utf-8", "replace")) != match.group(1):
        return "its content does not match the hash in its name (truncated or edited)"
    return None


def write_module(source, prefix="adaptive"):
    """Write ``source`` to <kernel cache>/<prefix>_<hash>.py (once, atomically, under a lock)
    and return its path; a file of that name with other content is replaced."""
    path = cache_dir("kernels") / f"{prefix}_{_source_digest(source)}.py"
    with locked(path):
        problem = module_problem(path)
        if problem not in (None, "missing"):
            quarantine(path, problem)
        if problem is not None:
            write_atomic(path, source)
    return path


@lru_cache(maxsize=1)
def _generator_hash():
    """Hash of the code that generates kernels (this module and the derivations): any change
    to either invalidates the index, so a stale module is never reused."""
    import antagonism.derivations as dv

    h = hashlib.sha256(Path(__file__).read_bytes())
    for f in sorted(Path(dv.__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _index_path(N, m):
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("antagonism")
    except PackageNotFoundError:
        pkg = "dev"
    kind = "generic" if N is None else f"N{float(N)!r}_m{float(m)!r}"
    key = f"adaptive_{kind}_v{CODEGEN_VERSION}_{pkg}_{_generator_hash()}"
    return cache_dir("kernels") / "index" / f"{key}.txt"


def _indexed_module(index):
    """The module an index entry names, if the entry is valid and the module may be served
    (:func:`module_problem`); a refused entry or module is moved aside with a warning."""
    if not index.exists():
        return None
    try:
        name = index.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        quarantine(index, f"unreadable index entry ({type(exc).__name__})")
        return None
    if _MODULE_NAME.fullmatch(name) is None:
        quarantine(index, f"the index entry names {name[:80]!r}, not a module of the kernel "
                          "cache")
        return None
    path = cache_dir("kernels") / name
    problem = module_problem(path)
    if problem is None:
        return path
    if problem != "missing":
        quarantine(path, problem)
    quarantine(index, f"its module {name} was refused ({problem})")
    return None


def module_path(N=None, m=None):
    """The generated module for (N, m) (None: generic), from the index when an earlier
    process wrote it (warm start: no sympy at all), else derived, printed and recorded.
    Index entries and modules are verified first (:func:`module_problem`); a refused one is
    moved aside with a warning and rebuilt.

    Returns ``(path, warm)``."""
    index = _index_path(N, m)
    path = _indexed_module(index)
    if path is not None:
        return path, True
    path = write_module(kernel_source(N, m))
    index.parent.mkdir(exist_ok=True)
    with locked(index):
        write_atomic(index, path.name)
    return path, False


def numba_cache_problems(path):
    """The numba cache files (``__pycache__/<module>.*.nbi|nbc``) of a module that are not
    whole pickle streams, by name -> reason.  The check only parses opcodes
    (``pickletools``); nothing is unpickled."""
    import io
    import pickletools

    bad = {}
    folder = Path(path).parent / "__pycache__"
    for f in sorted(folder.glob(f"{Path(path).stem}.*")):
        if f.suffix not in (".nbi", ".nbc"):
            continue
        data = f.read_bytes()
        pos, streams = 0, 0
        try:
            while pos < len(data):
                stream = io.BytesIO(data[pos:])
                for _ in pickletools.genops(stream):
                    pass
                pos += stream.tell()
                streams += 1
            if streams < (2 if f.suffix == ".nbi" else 1):
                raise ValueError("too few pickle streams")
        except ValueError as exc:
            bad[f] = f"not a whole numba cache file ({exc})"
    return bad


def import_module(path):
    """Import a generated module from its file so numba's on-disk cache can key on it.

    Only a module of the kernel cache whose content matches its name is imported
    (:class:`~antagonism._core.errors.CacheError` otherwise); numba cache files of
    the module that are not whole are moved aside first (numba then recompiles)."""
    from antagonism._core.errors import CacheError

    path = Path(path)
    problem = module_problem(path)
    if problem is not None:
        raise CacheError(f"refusing to import kernel module {path}: {problem}")
    name = f"antagonism_kernels_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    for f, reason in numba_cache_problems(path).items():
        with locked(path):
            quarantine(f, reason)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
