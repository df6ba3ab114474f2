"""Adaptive proofreading T_{N,m} (Lalanne & Francois, PRL 2013).

For ligand types i with binding times tau_i (s) and quantities L_i,

    T_{N,m} = sum_i L_i tau_i^N / (tau_c^{N-m} sum_i L_i tau_i^m) = S_N / (tau_c^{N-m} S_m),

dimensionless; the cell responds iff T > 1.  Domain: tau_i > 0, L_i >= 0, 0 <= m < N
(N, m real, not necessarily integer).
"""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import derived
from .model import CellModel, SumForm
from .validation import check_exponents, check_positive


class AdaptiveProofreading(CellModel):
    """The adaptive-proofreading output T_{N,m} as a symbolic model.

    Parameters
    ----------
    N, m : number, str or sympy expression
        Proofreading steps and feedback step, 0 <= m < N (symbols by default).
    tau_c : number or sympy expression
        Threshold binding time in seconds (symbol ``tau_c`` by default).
    """

    name = "adaptive"
    title = "adaptive proofreading T_{N,m} = S_N / (tau_c^{N-m} S_m)"
    threshold = sp.S.One

    def __init__(self, N=sy.N, m=sy.m, tau_c=sy.tau_c):
        self.set_parameters(N=N, m=m, tau_c=tau_c)
        check_exponents(self.N, self.m)
        check_positive(self.tau_c, "tau_c")

    def label(self):
        fmt = (lambda v: f"{float(v):g}" if v.is_number else str(v))  # noqa: E731
        return f"T_{{{fmt(self.N)},{fmt(self.m)}}}"

    def describe(self):
        """The label, with tau_c when it is not the catalogue's default (3 s).

        >>> AdaptiveProofreading(5, 3, 1.0).describe()
        'T_{5,3} (tau_c = 1 s)'
        """
        from antagonism._core.catalog import BUILTIN_MODELS

        default = BUILTIN_MODELS[self.name]["tau_c"].value
        if not self.tau_c.is_number or float(self.tau_c) == float(default):
            return self.label()
        return f"{self.label()} (tau_c = {float(self.tau_c):g} s)"

    def symbolic(self):
        """The model with symbolic N, m and tau_c; derivations are done on it."""
        return AdaptiveProofreading()

    @property
    def values(self):
        return {sy.N: self.N, sy.m: self.m, sy.tau_c: self.tau_c}

    def domain(self):
        """0 <= m < N written as N = m + g with g > 0."""
        return {sy.N: sy.m + sy.g} if self.N == sy.N else {}

    @property
    def prefactor(self):
        """tau_c^{N-m}, in s^{N-m}."""
        return self.tau_c ** (self.N - self.m)

    def power_sums(self):
        """The symbols (S_N, S_m) of the sum form."""
        return sy.power_sum(self.N), sy.power_sum(self.m)

    @derived
    def sum_form(self):
        """T = S_N / (tau_c^{N-m} S_m) with S_k = sum_i L_i tau_i^k; results are written
        through T by eliminating S_N."""
        S_N, S_m = self.power_sums()
        return SumForm(terms={S_N: sy.L * sy.tau**self.N, S_m: sy.L * sy.tau**self.m},
                       output=S_N / (self.prefactor * S_m), closed_by=S_N)

    def structural_output(self):
        """T = S_N / (tau_c^{N-m} S_m) for any number of ligands."""
        return self.sum_form().output
