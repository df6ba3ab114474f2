"""Compiled kernels against mpmath (50 digits), including extreme tau and N, the numpy
fallback, input validation and the on-disk compile cache across processes."""
import json
import os
import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest

from antagonism.derivations import AdaptiveProofreading
from antagonism.numerics.cells import AdaptiveKernels, cell_evaluator


def mp_reference(tau, L, N, m, tau_c):
    """log T, d log T/d tau_i, the scale of the two gradient terms, and d2T/dtau_i^2 / T."""
    mp.mp.dps = 50
    N, m, tc = mp.mpf(N), mp.mpf(m), mp.mpf(tau_c)
    t = [mp.mpf(x) for x in tau]
    w = [mp.mpf(x) for x in L]
    SN = mp.fsum(wi * ti**N for ti, wi in zip(t, w))
    Sm = mp.fsum(wi * ti**m for ti, wi in zip(t, w))
    logT = mp.log(SN) - mp.log(Sm) - (N - m) * mp.log(tc)
    a = [wi * N * ti ** (N - 1) / SN for ti, wi in zip(t, w)]
    b = [wi * m * ti ** (m - 1) / Sm for ti, wi in zip(t, w)]
    grad = [x - y for x, y in zip(a, b)]
    scale = [abs(x) + abs(y) for x, y in zip(a, b)]
    # d2T/dtau^2 / T by direct differentiation of T = S_N / (c S_m)
    hess = []
    for ti, wi in zip(t, w):
        dSN, dSm = wi * N * ti ** (N - 1), wi * m * ti ** (m - 1)
        d2SN, d2Sm = wi * N * (N - 1) * ti ** (N - 2), wi * m * (m - 1) * ti ** (m - 2)
        hess.append(d2SN / SN - 2 * dSN * dSm / (SN * Sm) - d2Sm / Sm + 2 * dSm**2 / Sm**2)
    return (float(logT), np.array([float(g) for g in grad]), np.array([float(s) for s in scale]),
            np.array([float(h) for h in hess]))


CASES = [
    (5, 3, np.array([0.1, 1.0, 2.5, 3.5]), np.array([7.0, 3.0, 1.0, 2.0])),
    (2.5, 0.5, np.array([0.01, 0.7, 2.0, 4.0]), np.array([100.0, 1.0, 5.0, 1.0])),
    (100, 99, np.array([1e-6, 1.0, 1e3, 1e6]), np.array([1.0, 1e4, 2.0, 1.0])),
    (100, 3, np.array([2.0, 2.9, 3.1, 1e6]), np.array([1e6, 1.0, 1.0, 1e-3])),
    (37.5, 12.25, np.array([1e-3, 5.0, 80.0, 2e5]), np.array([1.0, 1.0, 1.0, 1.0])),
    (1, 0, np.array([1e-6, 1e6]), np.array([1.0, 1.0])),
]


@pytest.mark.parametrize("backend,specialise", [("numba", True), ("numba", False),
                                               ("numpy", True)])
@pytest.mark.parametrize("N,m,tau,L", CASES)
def test_kernels_match_mpmath(backend, specialise, N, m, tau, L):
    tau_c = 3.0
    k = AdaptiveKernels(AdaptiveProofreading(N, m, tau_c), backend=backend,
                        specialise=specialise)
    logT, grad, scale, hess = mp_reference(tau, L, N, m, tau_c)
    assert np.isfinite(k.log_output(tau, L))
    assert k.log_output(tau, L) == pytest.approx(logT, rel=1e-10, abs=1e-12)
    g = k.grad_log_output(tau, L)
    assert np.all(np.isfinite(g))
    np.testing.assert_array_less(np.abs(g - grad), 1e-10 * scale + 1e-300)
    if abs(logT) < 700:  # T itself representable: check dT/dtau and the Hessian diagonal
        T = np.exp(logT)
        np.testing.assert_allclose(k.grad_output(tau, L), T * grad,
                                   rtol=0, atol=1e-10 * T * scale.max())
        h = k.hessian_diagonal(tau, L) / T
        hscale = np.abs(hess) + scale**2 + np.abs(scale / tau)
        np.testing.assert_array_less(np.abs(h - hess), 1e-9 * hscale + 1e-300)


def test_dT_dL_matches_mpmath():
    tau, L = np.array([0.5, 2.0, 3.3]), np.array([2.0, 5.0, 1.0])
    N, m, tc = 4.5, 1.5, 3.0
    mp.mp.dps = 40
    S = lambda Ls, k: mp.fsum(l_ * mp.mpf(t) ** k for t, l_ in zip(tau, Ls))
    T = lambda Ls: S(Ls, N) / (mp.mpf(tc) ** (N - m) * S(Ls, m))
    ref = [float(mp.diff(lambda x, i=i: T([x if j == i else mp.mpf(L[j]) for j in range(3)]),
                         mp.mpf(L[i]))) for i in range(3)]
    model = AdaptiveProofreading(N, m, tc)
    np.testing.assert_allclose(cell_evaluator(model).grad_L(tau, L), ref, rtol=1e-10)


@pytest.mark.parametrize("tau,L,msg", [
    ([1.0, -2.0], [1.0, 1.0], "positive"),
    ([1.0, np.nan], [1.0, 1.0], "NaN"),
    ([], [], "empty"),
    ([1.0, 2.0], [1.0], "equal length"),
    ([1.0, 2.0], [0.0, 0.0], "positive entry"),
])
def test_bad_ligands_rejected(tau, L, msg):
    with pytest.raises(ValueError, match=msg):
        cell_evaluator(AdaptiveProofreading(5, 3, 3)).output(tau, L)


def test_bad_exponents_rejected():
    with pytest.raises(ValueError, match="m must be smaller than N"):
        AdaptiveProofreading(3, 3)
    with pytest.raises(ValueError, match="symbolic"):
        AdaptiveKernels(AdaptiveProofreading())


SCRIPT = """
import json
from antagonism.derivations import AdaptiveProofreading
from antagonism.numerics.cells import AdaptiveKernels
k = AdaptiveKernels(AdaptiveProofreading(4, 2, 3), specialise=False).warm_up()
stats = k._impl.descent_pass.stats
print(json.dumps({"warm": k.warm, "hits": sum(stats.cache_hits.values()),
                  "misses": sum(stats.cache_misses.values()), "path": str(k.source_path)}))
"""


@pytest.mark.slow  # default: test_cache_faults' index checks
def test_second_process_reuses_compile_cache(tmp_path):
    """A second process loads the generated module from the index (no sympy) and numba's
    machine code from its on-disk cache, all under $ANTAGONISM_CACHE_DIR/kernels."""
    env = dict(os.environ, ANTAGONISM_CACHE_DIR=str(tmp_path))
    env.pop("ANTAGONISM_DISABLE_NUMBA", None)
    run = lambda: json.loads(subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True,
                                            capture_output=True, text=True).stdout)
    first, second = run(), run()
    assert not first["warm"] and first["misses"] >= 1 and first["hits"] == 0
    assert second["warm"] and second["hits"] >= 1 and second["misses"] == 0
    assert first["path"] == second["path"]
    assert first["path"].startswith(str(tmp_path / "kernels"))


def test_numpy_fallback_when_numba_disabled(tmp_path):
    env = dict(os.environ, ANTAGONISM_DISABLE_NUMBA="1", ANTAGONISM_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c",
                          "from antagonism.derivations import AdaptiveProofreading as A;"
                          "from antagonism.numerics.cells import cell_evaluator as e;"
                          "k=e(A(5, 3, 3)); print(k.backend, k.output([1.0,3.5],[1.0,1.0]))"],
                         env=env, check=True, capture_output=True, text=True).stdout.split()
    assert out[0] == "numpy"
    assert float(out[1]) == pytest.approx((1 + 3.5**5) / (9 * (1 + 3.5**3)), rel=1e-12)


@pytest.mark.parametrize("N,m", [(5, 3), (2.5, 0.5), (60, 20)])
def test_kernels_match_sympy_evalf(N, m):
    """log T and dT/dtau_j against sympy's evalf of the model's own mixture expression."""
    import sympy as sp

    from antagonism.derivations import AdaptiveProofreading

    model = AdaptiveProofreading(N, m, 3)
    expr, taus, Ls = model.mixture_output(3)
    tau, L = np.array([0.4, 2.2, 3.7]), np.array([5.0, 2.0, 1.0])
    floats = lambda xs: [sp.Float(float(x)) for x in xs]  # noqa: E731 (sympy 1.12, numpy 2)
    at = {**dict(zip(taus, floats(tau))), **dict(zip(Ls, floats(L)))}
    logT = float(sp.log(expr).evalf(30, subs=at))
    grads = [float(sp.diff(expr, t).evalf(30, subs=at)) for t in taus]
    k = AdaptiveKernels(model, specialise=False)
    assert k.log_output(tau, L) == pytest.approx(logT, rel=1e-10)
    np.testing.assert_allclose(k.grad_output(tau, L), grads, rtol=1e-10)


# -- the vectorisable exp and log of the generated modules --------------------------------------
def _vecmath():
    """vec_exp and vec_log of the generic module, mapped over arrays by a compiled loop."""
    from numba import njit

    impl = AdaptiveKernels(AdaptiveProofreading(5, 3, 3), specialise=False)._impl
    vexp, vlog = impl.vec_exp, impl.vec_log

    @njit
    def apply(x, out, which):
        for i in range(x.shape[0]):
            out[i] = vexp(x[i]) if which == 0 else vlog(x[i])

    def run(x, which):
        out = np.empty_like(x)
        apply(x, out, which)
        return out

    return (lambda x: run(np.asarray(x, float), 0)), (lambda x: run(np.asarray(x, float), 1))


def _ulps(got, ref):
    return np.abs(got - ref) / np.spacing(np.abs(ref))


def test_vec_exp_and_log_within_two_ulp_of_libm_over_the_double_range():
    vexp, vlog = _vecmath()
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-708, 709, 200_000), rng.uniform(-1, 1, 50_000),
                        rng.uniform(-1e-12, 1e-12, 1000), [0.0, -0.0, 1.0, -1.0, 709.7]])
    assert _ulps(vexp(x), np.exp(x)).max() <= 2
    # underflow through the subnormals to 0, overflow to inf (both sides agree exactly there)
    tails = np.array([-708.5, -720.0, -745.0, -745.2, -746.0, -1e4, 709.8, 710.0, 1e4])
    with np.errstate(over="ignore"):
        ref = np.exp(tails)
    got = vexp(tails)
    assert np.array_equal(np.isinf(got), np.isinf(ref)) and np.array_equal(got == 0, ref == 0)
    fin = np.isfinite(ref)
    assert np.all(np.abs(got[fin] - ref[fin]) <= 2 * np.spacing(ref[fin]) + 2 * 5e-324)
    u = np.concatenate([np.exp(rng.uniform(-745, 709, 200_000)), rng.uniform(0.5, 2, 50_000),
                        [5e-324, 1e-310, 2.2250738585072014e-308, 0.5, 1.0, 2.0, 1.7e308]])
    assert _ulps(vlog(u), np.log(u)).max() <= 2
    assert vlog([0.0])[0] == -np.inf


def test_vec_exp_and_log_against_mpmath():
    vexp, vlog = _vecmath()
    mp.mp.dps = 40
    x = np.linspace(-700, 700, 401) + 0.123
    for xi, got in zip(x, vexp(x)):
        ref = mp.exp(mp.mpf(xi))
        assert abs(mp.mpf(got) - ref) <= 2.3e-16 * ref
    u = np.geomspace(1e-300, 1e300, 401)
    for ui, got in zip(u, vlog(u)):
        ref = mp.log(mp.mpf(ui))
        assert abs(mp.mpf(got) - ref) <= 2.3e-16 * abs(ref)


@pytest.mark.parametrize("N,m,specialise", [(4.5, 2.5, True), (37.5, 12.25, True),
                                            (4.7, 1.3, True), (5, 3, False), (4.5, 2.5, False)])
def test_stored_powers_match_mpmath_to_their_conditioning(N, m, specialise):
    """u^N and u^m per ligand (the descent's stored powers) against mpmath: relative error
    within 4 ulp times (1 + k + |k log u|): repeated products lose up to about k ulp (the
    integer part), exp(k log u) about |k log u| ulp (the rounding of k log u)."""
    k = AdaptiveKernels(AdaptiveProofreading(N, m, 3.0), specialise=specialise)
    rng = np.random.default_rng(3)
    tau = np.exp(rng.uniform(np.log(1e-3), np.log(3.0), 300))
    inv_rho = 1 / 3.0
    P, Q = np.empty_like(tau), np.empty_like(tau)
    k._impl.init_powers(tau, inv_rho, P, Q, float(N), float(m))
    mp.mp.dps = 40
    for ti, p, q in zip(tau, P, Q):
        u = mp.mpf(float(ti * inv_rho))  # the kernel's own (rounded) u
        for e, got in ((N, p), (m, q)):
            ref = u ** mp.mpf(e)
            bound = 4 * 2.0**-53 * (1 + e + abs(float(e * mp.log(u))))
            assert abs(mp.mpf(got) - ref) <= bound * ref


def test_int_pow_is_repeated_multiplication_for_every_exponent_below_128():
    impl = AdaptiveKernels(AdaptiveProofreading(5, 3, 3), specialise=False)._impl
    mp.mp.dps = 40
    for u in (0.999, 0.37, 1e-3, 1.0):
        for k in range(128):
            ref = mp.mpf(u) ** k
            got = impl.int_pow(u, k)
            assert abs(mp.mpf(got) - ref) <= (k + 1) * 2.0**-53 * ref + 1e-320
