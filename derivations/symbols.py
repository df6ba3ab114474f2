"""Shared sympy symbols.

Binding times tau (s) and quantities L (molecules) are positive; tau_c (s) is the
activation threshold.  N (proofreading steps) is positive and m (the step that
feeds back) is non-negative; the models require 0 <= m < N, which sympy cannot
state as an assumption, so the code substitutes N - m > 0 where it matters.
"""
import sympy as sp

from antagonism._core.errors import InputError

tau = sp.Symbol("tau", positive=True)
L = sp.Symbol("L", positive=True)
tau_c = sp.Symbol("tau_c", positive=True)
T = sp.Symbol("T", positive=True)
N = sp.Symbol("N", positive=True)
m = sp.Symbol("m", nonnegative=True)
g = sp.Symbol("g", positive=True)  # the gap N - m > 0, for deciding signs

# the package symbols by name, so that parsed text (CLI, strings) means the same symbols
BY_NAME = {"N": N, "m": m, "tau": tau, "L": L, "tau_c": tau_c, "T": T}


def ligand_symbols(K, tau_name="tau", L_name="L"):
    """Return ``(taus, Ls)``: tuples of K positive symbols tau_1..tau_K and L_1..L_K."""
    if int(K) != K or K < 1:
        raise InputError(f"number of ligand types K must be a positive integer, got {K!r}")
    taus = sp.symbols(f"{tau_name}_1:{int(K) + 1}", positive=True)
    Ls = sp.symbols(f"{L_name}_1:{int(K) + 1}", positive=True)
    return tuple(taus), tuple(Ls)


def power_sum(k):
    """The symbol S_k = sum_i L_i tau_i^k (units molecules * s^k)."""
    return sp.Symbol(f"S_{{{sp.latex(k)}}}", positive=True)
