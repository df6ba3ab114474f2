"""Adaptive proofreading T_{N,m} (Lalanne & Francois, PRL 2013).

For ligand types i with binding times tau_i (s) and quantities L_i,

    T_{N,m} = sum_i L_i tau_i^N / (tau_c^{N-m} sum_i L_i tau_i^m) = S_N / (tau_c^{N-m} S_m),

dimensionless; the cell responds iff T > 1.  Domain: tau_i > 0, L_i >= 0, 0 <= m < N
(N, m real, not necessarily integer).
"""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from ._validate import as_sympy_number_or_symbol, check_exponents, check_positive


class AdaptiveProofreading:
    """The adaptive-proofreading output T_{N,m} as a symbolic model.

    Parameters
    ----------
    N, m : number, str or sympy expression
        Proofreading steps and feedback step, 0 <= m < N (symbols by default).
    tau_c : number or sympy expression
        Threshold binding time in seconds (symbol ``tau_c`` by default).
    """

    name = "adaptive"

    def __init__(self, N=sy.N, m=sy.m, tau_c=sy.tau_c):
        self.N = as_sympy_number_or_symbol(N, "N")
        self.m = as_sympy_number_or_symbol(m, "m")
        self.tau_c = as_sympy_number_or_symbol(tau_c, "tau_c")
        check_exponents(self.N, self.m)
        check_positive(self.tau_c, "tau_c")

    def __repr__(self):
        return f"AdaptiveProofreading(N={self.N}, m={self.m}, tau_c={self.tau_c})"

    # -- the template with free symbols, and the values to substitute ------------------
    @staticmethod
    def symbolic():
        """The model with symbolic N, m and tau_c; derivations are done on it."""
        return AdaptiveProofreading()

    @property
    def values(self):
        """Substitutions {symbol: value} that turn the symbolic template into this model."""
        return {sy.N: self.N, sy.m: self.m, sy.tau_c: self.tau_c}

    # -- outputs -------------------------------------------------------------------------
    @property
    def prefactor(self):
        """tau_c^{N-m}, in s^{N-m}."""
        return self.tau_c ** (self.N - self.m)

    @property
    def exponent_gap(self):
        """N - m: the power of tau that the critical-point equations are linear in."""
        return self.N - self.m

    def power_sums(self):
        """The symbols (S_N, S_m) of the structural form."""
        return sy.power_sum(self.N), sy.power_sum(self.m)

    def structural_output(self):
        """T = S_N / (tau_c^{N-m} S_m) for any number of ligands."""
        S_N, S_m = self.power_sums()
        return S_N / (self.prefactor * S_m)

    def mixture_output(self, K):
        """T for K explicit ligand types: returns ``(expr, taus, Ls)``."""
        taus, Ls = sy.ligand_symbols(K)
        num = sum(Li * ti**self.N for ti, Li in zip(taus, Ls))
        den = sum(Li * ti**self.m for ti, Li in zip(taus, Ls))
        return num / (self.prefactor * den), taus, Ls

    def single_ligand_output(self):
        """T for one ligand type, derived from the mixture: (tau/tau_c)^{N-m}, independent of L."""
        expr, (t1,), (L1,) = self.mixture_output(1)
        return sp.powsimp(sp.simplify(expr.subs(t1, sy.tau).subs(L1, sy.L)), force=True)

    def contribution(self, tau, L, k):
        """Ligand contribution L tau^k to the power sum S_k."""
        return L * tau**k

    def singled_out(self, ligands):
        """Write T with some ligands singled out of the power sums.

        Returns ``(expr, back, close)``: ``expr`` is T with S_k = R_k + sum_j L_j tau_j^k,
        where the rest sums R_k do not depend on the singled-out ligands; ``back`` maps
        R_k back to S_k - sum_j L_j tau_j^k; ``close`` maps S_N to T tau_c^{N-m} S_m so
        that results read in terms of the output T itself.
        """
        S_N, S_m = self.power_sums()
        R_N, R_m = sy.rest_sum(self.N), sy.rest_sum(self.m)
        add_N = sum(self.contribution(t, Lj, self.N) for t, Lj in ligands)
        add_m = sum(self.contribution(t, Lj, self.m) for t, Lj in ligands)
        expr = (R_N + add_N) / (self.prefactor * (R_m + add_m))
        back = {R_N: S_N - add_N, R_m: S_m - add_m}
        close = {S_N: sy.T * self.prefactor * S_m}
        return expr, back, close

    def gradient_prefactor(self, tau_j, L_j):
        """Positive factor L_j tau_j^{m-1} / (tau_c^{N-m} S_m) pulled out of dT/dtau_j."""
        _, S_m = self.power_sums()
        return L_j * tau_j ** (self.m - 1) / (self.prefactor * S_m)
