"""Vectorisable exp, log and integer powers for the generated T_{N,m} kernels.

numba calls libm's exp and log one ligand at a time (no SVML with the pip builds of
llvmlite), which made the non-integer and generic kernels 15-20x slower than a streaming
pass.  :func:`vec_exp` and :func:`vec_log` are fdlibm's algorithms (e_exp.c, e_log.c: the
same polynomials, error below 1 ulp) written without branches or calls, so LLVM inlines
them into the kernels that import them and vectorises the ligand loops; the package's tests
compare them with math.exp/math.log to within 2 ulp over the whole double range, and the
kernels with mpmath.

The functions are compiled on first use by a kernel that is itself compiled, and then live
in that kernel's machine code (numba's disk cache of the generated module): they are not
cached on their own, so nothing is written next to this file.  The generated modules name
this file's hash, so a change here gives them new names and fresh caches.
"""
import math

from numba import njit
from numba.core import types as _types
from numba.extending import intrinsic


@intrinsic
def _float_bits(typingctx, x):
    """The IEEE-754 bits of a float64 as an int64."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(_types.int64))
    return _types.int64(_types.float64), codegen


@intrinsic
def _bits_float(typingctx, i):
    """The float64 with the given IEEE-754 bits."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(_types.float64))
    return _types.float64(_types.int64), codegen


@njit(error_model="numpy", fastmath={"contract"})
def vec_log(x):
    """log(x) for x >= 0 (-inf at 0), < 1 ulp: x = 2^k (1 + f) with 1 + f in
    [sqrt(2)/2, sqrt(2)), s = f/(2 + f), log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2))."""
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


@njit(error_model="numpy")
def int_pow(u, k):
    """u**k for an integer 0 <= k < 128: repeated squaring in a fixed 7 steps (LLVM unrolls
    them, so the ligand loops stay vectorised)."""
    r = 1.0
    b = u
    for _ in range(7):
        r = r * b if k & 1 else r
        b = b * b
        k >>= 1
    return r


@njit(error_model="numpy", fastmath={"contract"})
def vec_exp(x):
    """exp(x), < 1 ulp (0 below -745.2, inf above 709.8): x = k log 2 + r, |r| <= log(2)/2,
    exp(r) from fdlibm's rational form, times 2^k as two exact powers of two."""
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
