"""Shared, independent reference implementations and runners for the tests.

The references do not import the package: they are the plain formulas of Rademaker, Bengio &
Francois (PRX 2019) written directly in numpy/mpmath, so that derived results are checked
against an independent source.
"""
import contextlib
import gzip
import io
import struct
import subprocess
import sys
from types import SimpleNamespace

import mpmath as mp
import numpy as np

# (N, m) pairs across both regimes, integer and not
EXPONENTS = [(1, 0), (3, 1), (4, 2), (5, 3), (5, 4), (2.5, 0.5), (3.5, 1.5), (4.5, 2.5),
             (2.2, 1.7)]


def T_numpy(taus, Ls, N, m, tau_c):
    """T_{N,m} of a mixture, straight from its definition (Lalanne & Francois, PRL 2013)."""
    taus, Ls = np.asarray(taus, float), np.asarray(Ls, float)
    return np.sum(Ls * taus**N) / (tau_c ** (N - m) * np.sum(Ls * taus**m))


def T_mpmath(taus, Ls, N, m, tau_c):
    N, m, tau_c = mp.mpf(N), mp.mpf(m), mp.mpf(tau_c)
    num = mp.fsum(mp.mpf(L) * mp.mpf(t) ** N for t, L in zip(taus, Ls))
    den = mp.fsum(mp.mpf(L) * mp.mpf(t) ** m for t, L in zip(taus, Ls))
    return num / (tau_c ** (N - m) * den)


def tau_star(N, m, tau_c, T):
    """The strongest antagonist (Rademaker et al. 2019): tau* = tau_c (m T / N)^{1/(N-m)}."""
    return tau_c * (m * T / N) ** (1 / (N - m))


def tau_inflection(N, m, tau_c, T):
    """The gradient's critical point (Rademaker et al. 2019):
    tau_infl = tau_c [m (m-1) T / (N (N-1))]^{1/(N-m)}."""
    return tau_c * (m * (m - 1) * T / (N * (N - 1))) ** (1 / (N - m))


def partial_derivative(f, x, j, h):
    """Central difference (f(x + h e_j) - f(x - h e_j)) / 2h of a scalar function of the
    array x (flat index j)."""
    up, down = np.array(x, float), np.array(x, float)
    up.flat[j] += h
    down.flat[j] -= h
    return (f(up) - f(down)) / (2 * h)


def assert_gradient_matches_finite_differences(ev, tau, L, rel, abs=1e-12, step=1e-5):
    """An evaluator's exact dF/dtau_j and dF/dL_j of every ligand type against central
    differences of its output (relative step ``step``)."""
    import pytest

    tau, L = np.asarray(tau, float), np.asarray(L, float)
    g = ev.gradient(tau, L)
    of = {"tau": lambda t: ev.output(t, L), "L": lambda x: ev.output(tau, x)}
    for j in range(len(tau)):
        for key, base in (("tau", tau), ("L", L)):
            fd = partial_derivative(of[key], base, j, step * base[j])
            assert g[key][j] == pytest.approx(fd, rel=rel, abs=abs), (key, j)


def write_idx(path, array, code=0x08):
    """Write ``array`` as an MNIST IDX file (gzip-compressed when the name ends in .gz);
    type code 0x08 stores unsigned bytes."""
    array = np.asarray(array)
    if code == 0x08:
        array = array.astype(np.uint8)
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    with (gzip.open if str(path).endswith(".gz") else open)(path, "wb") as f:
        f.write(data)


def run_cli(*args):
    """Run the ``antagonism`` command in this process; returns returncode, stdout, stderr."""
    from antagonism.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def run_cli_process(*args, env=None, cwd=None, timeout=600):
    """Run ``python -m antagonism.cli`` in a fresh interpreter (the entry point)."""
    return subprocess.run([sys.executable, "-m", "antagonism.cli", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def run_capped(fn, *args, memory=2 * 1024**3, seconds=90):
    """``fn(*args)`` in a forked child of this process whose address space may grow by
    ``memory`` bytes (``RLIMIT_AS``: a regression that allocates without bound fails there,
    not on the machine) and which is killed after ``seconds``.  Returns
    SimpleNamespace(value, error, seconds, peak_kb): the JSON-able value, or the repr of
    what the child raised ("killed" when it ran out of time or died).  Linux only."""
    import json
    import os
    import resource
    import select
    import time

    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: cap, run, answer, exit without running anything else
        try:
            os.close(read_fd)
            with open("/proc/self/statm") as f:
                base = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            cap = base + memory if hard == resource.RLIM_INFINITY else min(hard, base + memory)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            try:
                reply = {"value": fn(*args)}
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                reply = {"error": f"{type(exc).__name__}: {exc}"[:3000]}
            data = json.dumps(reply).encode()
            while data:
                data = data[os.write(write_fd, data):]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks, deadline = [], start + seconds
    try:
        while time.monotonic() < deadline:
            if select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        else:
            os.kill(pid, 9)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    elapsed = time.monotonic() - start
    reply = json.loads(b"".join(chunks)) if chunks else {"error": "killed"}
    return SimpleNamespace(value=reply.get("value"), error=reply.get("error"), seconds=elapsed)


def _main_captured(argv):
    out, err = io.StringIO(), io.StringIO()
    from antagonism.cli import main

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return {"returncode": code, "stdout": out.getvalue()[-20000:],
            "stderr": err.getvalue()[-5000:]}


def run_cli_capped(*args, memory=2 * 1024**3, seconds=90):
    """The command line run by :func:`run_capped`: returncode, stdout, stderr, seconds
    (returncode None when the child was killed or failed, with the reason in stderr)."""
    res = run_capped(_main_captured, [str(a) for a in args], memory=memory, seconds=seconds)
    if res.value is None:
        return SimpleNamespace(returncode=None, stdout="", stderr=res.error,
                               seconds=res.seconds)
    return SimpleNamespace(**res.value, seconds=res.seconds)


# -- the SHP-1 model (Francois et al., PNAS 110, E888, 2013), written out independently ------

SHP1_CLASSICAL = dict(phi=0.09, b=0.04, gamma=1.2e-6, kappa=1e-4, N=5, m=1, S_T=6e5,
                      C_star=500.0, R=3e4)


def shp1_chain_fractions(tau, d, N, phi):
    """C_n / C_T (n = 0..N) of one ligand type: the steady state of the chain
    dC_0/dt = in - (phi + 1/tau) C_0 + d C_1, dC_n/dt = phi C_{n-1} - (phi + d + 1/tau) C_n
    + d C_{n+1}, dC_N/dt = phi C_{N-1} - (d + 1/tau) C_N, with sum_n C_n = 1 (a numpy
    linear solve: the first equation is replaced by the normalisation)."""
    A = np.zeros((N + 1, N + 1))
    for n in range(N + 1):
        A[n, n] = -((phi if n < N else 0.0) + (d if n > 0 else 0.0) + 1.0 / tau)
        if n > 0:
            A[n, n - 1] += phi
        if n < N:
            A[n, n + 1] += d
    A[0, :] = 1.0
    e = np.zeros(N + 1)
    e[0] = 1.0
    return np.linalg.solve(A, e)


def shp1_output(taus, Ls, **params):
    """C_N summed over ligand types at steady state: receptors shared (R_f + sum C_T,i = R,
    C_T,i = kappa L_i R_f tau_i / (1 + kappa R_f tau_i), a scalar root), SHP-1 at its fixed
    point S = S_T C_m / (C_m + C*), d = b + gamma S (a scalar root)."""
    from scipy.optimize import brentq

    p = {**SHP1_CLASSICAL, **params}
    taus, Ls = np.asarray(taus, float), np.asarray(Ls, float)
    k, R = p["kappa"], p["R"]

    def bound(Rf):
        return k * Ls * Rf * taus / (1 + k * Rf * taus)

    Rf = brentq(lambda x: x + bound(x).sum() - R, 0.0, R, xtol=1e-13, rtol=1e-15)
    CT = bound(Rf)

    def chains(S):
        d = p["b"] + p["gamma"] * S
        return np.array([c * shp1_chain_fractions(t, d, int(p["N"]), p["phi"])
                         for t, c in zip(taus, CT)])

    def fixed_point(S):
        Cm = chains(S)[:, int(p["m"])].sum()
        return p["S_T"] * Cm / (Cm + p["C_star"]) - S

    S = brentq(fixed_point, 0.0, p["S_T"], xtol=1e-10, rtol=1e-15)
    return float(chains(S)[:, int(p["N"])].sum())
