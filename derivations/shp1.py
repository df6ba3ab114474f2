"""The SHP-1 feedback model (Francois, Voisinne, Siggia, Altan-Bonnet & Vergassola, PNAS 2013).

A proofreading chain C_0..C_N whose dephosphorylation rate d = b + gamma S grows with a
shared pool S of active SHP-1 phosphatase, itself activated by C_m:

    dC_0/dt = kappa (L - C_T)(R - C_T) - (phi + 1/tau) C_0 + d C_1
    dC_n/dt = phi C_{n-1} - (phi + d + 1/tau) C_n + d C_{n+1}      1 <= n < N
    dC_N/dt = phi C_{N-1} - (d + 1/tau) C_N
    S = S_T C_m / (C_m + C*)

Rates in s^-1 (kappa per molecule), quantities in molecules.  This module derives the chain's
closed form C_n = A r_+^n + B r_-^n for symbolic N, and the binding equilibria.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from antagonism._core.catalog import SHP1_CLASSICAL
from antagonism._core.errors import ModelError

from . import symbols as sy
from .derivation import Derivation, Step, derived, ordered_roots
from .model import CellModel, SharedVariable, SumForm
from .validation import as_parameter, check_nonnegative, check_positive

# the classical parameter set of Francois et al., PNAS 110, E888 (2013), declared with the
# built-in models (sympy-free)
CLASSICAL = SHP1_CLASSICAL

phi, b, gamma, kappa = sp.symbols("phi b gamma kappa", positive=True)
S, S_T, C_star, R = sp.symbols("S S_T C_star R", positive=True)
C_T, d = sp.symbols("C_T d", positive=True)
R_free = sp.Symbol("R_f", positive=True)
n = sp.Symbol("n", integer=True, nonnegative=True)
N_int = sp.Symbol("N", positive=True, integer=True)
r_plus, r_minus = sp.symbols("r_+ r_-", positive=True)


@lru_cache(maxsize=1)
def characteristic_roots():
    """Derive r_+- : the roots of d r^2 - s r + phi = 0, s = phi + 1/tau + d (the bulk
    recurrence d C_{n+1} - s C_n + phi C_{n-1} = 0 with C_n = r^n)."""
    r = sp.Symbol("r")
    s = phi + 1 / sy.tau + d
    bulk = d * r**2 - s * r + phi
    roots = sp.solve(bulk, r)
    minus, plus = ordered_roots(roots)
    return Derivation("r_+-", sp.Tuple(plus, minus), (
        Step("steady state of the bulk equations with C_n = r^n", sp.Eq(bulk, 0)),
        Step("roots", sp.Tuple(*roots))), ("r_+ r_- = phi/d",))


@lru_cache(maxsize=1)
def chain_solution():
    """Derive C_n(C_T, S) for symbolic N: C_n = A r_+^n + B r_-^n with A, B fixed by the last
    equation phi C_{N-1} = (d + 1/tau) C_N and by the total sum_n C_n = C_T."""
    A, B = sp.symbols("A B")
    Cn = lambda k: A * r_plus**k + B * r_minus**k  # noqa: E731
    last = sp.Eq(phi * Cn(N_int - 1) - (d + 1 / sy.tau) * Cn(N_int), 0)
    total = sp.Eq(A * (1 - r_plus ** (N_int + 1)) / (1 - r_plus)
                  + B * (1 - r_minus ** (N_int + 1)) / (1 - r_minus), C_T)
    sol = sp.solve([last, total], [A, B], dict=True)[0]
    expr = (A * r_plus**n + B * r_minus**n).subs(sol)
    steps = (Step("bulk solution", Cn(n)), Step("last equation at steady state", last),
             Step("sum of the chain is the bound total C_T", total),
             Step("solve for A", sol[A]), Step("solve for B", sol[B]))
    return Derivation("C_n", expr, steps, ("d = b + gamma S", "r_+- from characteristic_roots"))


@lru_cache(maxsize=1)
def total_balance():
    """Derive the binding equilibrium: summing every chain equation gives
    dC_T/dt = kappa (L - C_T)(R_free) - C_T/tau, so C_T = kappa tau L R_f / (1 + kappa tau R_f)
    with R_f the free receptors (R_f = R - C_T for one type; shared for mixtures)."""
    eq = sp.Eq(kappa * (sy.L - C_T) * R_free - C_T / sy.tau, 0)
    sol = sp.solve(eq, C_T)[0]
    single = sp.Eq(kappa * (sy.L - C_T) * (R - C_T), C_T / sy.tau)
    physical = ordered_roots(sp.solve(single, C_T))[0]
    return Derivation("C_T(R_f)", sol, (
        Step("sum of all chain equations at steady state", eq),
        Step("solve for C_T", sol),
        Step("one ligand type: R_f = R - C_T, a quadratic", single),
        Step("its physical (smaller) root", physical)), ("0 <= C_T <= min(L, R)",))


def shp1_fixed_point():
    """The S fixed point G(S) = S - S_T C_m(S) / (C_m(S) + C*) = 0.  C_m decreases with S
    (faster dephosphorylation), so G increases and has exactly one root in [0, S_T]."""
    Cm = sp.Function("C_m")(S)
    G = S - S_T * Cm / (Cm + C_star)
    dG = sp.diff(G, S)
    return Derivation("G(S)", G, (Step("fixed point of dS/dt = alpha C_m (S_T - S) - beta S",
                                       G), Step("dG/dS", sp.simplify(dG))),
                      ("dC_m/dS < 0 implies dG/dS > 0: a unique root",))


def implicit_gradient():
    """The implicit-function theorem used for the gradients: with internal variables y
    (free receptors R_f, active SHP-1 S) fixed by constraints G(x, y) = 0,

        dF/dx = F_x + F_y dy/dx,     dy/dx = -G_y^{-1} G_x.
    """
    x = sp.Symbol("x")
    y1, y2 = sp.Function("R_f")(x), sp.Function("S")(x)
    F = sp.Function("F")(x, y1, y2)
    G1 = sp.Function("H")(x, y1)
    G2 = sp.Function("G")(x, y1, y2)
    d1, d2 = sp.symbols("dR_f/dx dS/dx")
    eqs = [sp.diff(G1, x).subs({sp.Derivative(y1, x): d1, sp.Derivative(y2, x): d2}),
           sp.diff(G2, x).subs({sp.Derivative(y1, x): d1, sp.Derivative(y2, x): d2})]
    sol = sp.solve(eqs, [d1, d2], dict=True)[0]
    dF = sp.diff(F, x).subs({sp.Derivative(y1, x): sol[d1], sp.Derivative(y2, x): sol[d2]})
    return Derivation("dF/dx", dF, (Step("differentiate the constraints H = 0 and G = 0",
                                           sp.Tuple(*eqs)),
                                      Step("solve for dR_f/dx", sol[d1]),
                                      Step("solve for dS/dx", sol[d2])), ())


C_T_sum = sp.Symbol("C_T", positive=True)


@lru_cache(maxsize=16)
def chain_fractions(N):
    """Derive C_n / C_T, n = 0..N, for a numeric number of steps N by solving the chain's
    steady-state equations (bulk and last equations, with sum_n C_n = C_T) as a linear system.

    The result is a rational function of tau, d and phi: the symbolic-N closed form
    C_n = A r_+^n + B r_-^n (``chain_solution``) reduces to it, without the square roots of
    r_+- (a test checks that the two agree).  Parts: ``fractions`` (list of C_n / C_T).
    """
    N = int(N)
    C = sp.symbols(f"c_0:{N + 1}")
    bulk = [phi * C[k - 1] - (phi + d + 1 / sy.tau) * C[k] + d * C[k + 1] for k in range(1, N)]
    last = phi * C[N - 1] - (d + 1 / sy.tau) * C[N]
    total = sum(C) - C_T
    sol = sp.solve(bulk + [last, total], C, dict=True)[0]
    fractions = [sp.factor(sol[c] / C_T) for c in C]
    steps = (Step("bulk steady-state equations", sp.Tuple(*bulk)),
             Step("last equation", last), Step("total bound", total),
             Step("C_n / C_T from the linear solve", sp.Tuple(*fractions)))
    return Derivation(f"C_n / C_T (N = {N})", sp.Tuple(*fractions), steps,
                      ("d = b + gamma S",), {"fractions": fractions})


def chain_term(k, N):
    """Per-ligand C_k(tau, L, R_f, S) for N steps: C_T(tau, L, R_f) from the binding balance
    times C_k / C_T from ``chain_fractions``, with d = b + gamma S."""
    fraction = chain_fractions(N).fractions[k]
    return (total_balance().expr * fraction).subs(d, b + gamma * S)


class SHP1(CellModel):
    """The SHP-1 feedback model as a cell model (Francois et al., PNAS 2013).

    Every ligand type has its own proofreading chain; all chains share the free receptors
    R_f (receptor conservation R = R_f + sum_i C_T,i) and the active SHP-1 S, driven by the
    sum of their C_m.  The output is sum_i C_N,i (molecules).  Parameters with units are in
    ``CLASSICAL``; defaults are the classical values.  N and m are integers, 0 <= m <= N.

    ``receptors_in_excess=True`` fixes R_f = R: ligand types no longer compete for receptors,
    which isolates the S pathway (its gradient scales as tau^m at small tau).
    """

    name = "shp1"
    reference_agonist = (10, 100)  # the figures' agonists: antagonists are sought below 10 s
    title = "SHP-1 negative feedback on a proofreading chain (Francois et al. 2013)"

    def __init__(self, receptors_in_excess=False, **params):
        unknown = set(params) - set(CLASSICAL)
        if unknown:
            raise ModelError(f"unknown SHP-1 parameter(s) {sorted(unknown)}; known: "
                             f"{', '.join(CLASSICAL)}")
        if receptors_in_excess not in (True, False, 0, 1):
            raise ModelError(f"receptors_in_excess must be True or False, "
                             f"got {receptors_in_excess!r}")
        self.receptors_in_excess = bool(receptors_in_excess)
        self.p = {k: as_parameter(params.get(k, v.value), k) for k, v in CLASSICAL.items()}
        for k, v in self.p.items():
            (check_nonnegative if k in ("gamma", "m") else check_positive)(v, k)
        N, m = self.p["N"], self.p["m"]
        if not (N.is_Integer and N >= 1):
            raise ModelError(f"N must be a positive integer for the chain, got N={N}")
        if not (m.is_Integer and 0 <= m <= N):
            raise ModelError(f"m must be an integer with 0 <= m <= N, got m={m}")
        self.tau_c = self.p["tau_c"]

    def parameters(self):
        return {**self.p, "receptors_in_excess": sp.Integer(self.receptors_in_excess)}

    def plain_parameters(self):
        """As the base class's, with the flag ``receptors_in_excess`` a ``bool``."""
        return {**super().plain_parameters(), "receptors_in_excess": self.receptors_in_excess}

    def label(self):
        return f"SHP-1 m={self.p['m']}" + (" (receptors in excess)" if self.receptors_in_excess
                                           else "")

    def describe(self):
        """The label, with phi when it is not the classical 0.09 /s."""
        phi = self.p["phi"]
        if not phi.is_number or float(phi) == float(CLASSICAL["phi"].value):
            return self.label()
        return f"{self.label()} (phi = {float(phi):g})"

    def regime_predictions(self):
        """The S pathway's effective m: a weak ligand's C_m ~ tau^(m+1), so its gradient
        through S scales as tau^m (m_eff = m + 1); receptor competition adds tau^0."""
        return {"effective_m_predicted": float(self.p["m"]) + 1,
                "receptors_in_excess": self.receptors_in_excess}

    @derived
    def sum_form(self):
        """Aggregates C_T (bound receptors) and C_0..C_N; shared R_f in [0, R] (receptor
        conservation) and S in [0, S_T] (S = S_T C_m/(C_m + C*)); output C_N."""
        p = self.p
        values = {phi: p["phi"], b: p["b"], gamma: p["gamma"], kappa: p["kappa"]}
        N_val, m_val = int(p["N"]), int(p["m"])
        if self.receptors_in_excess:
            values[R_free] = p["R"]
        terms = {C_T_sum: total_balance().expr.subs(values)}
        chain = {k: sp.Symbol(f"C_{k}", positive=True) for k in range(N_val + 1)}
        for k, sym in chain.items():
            terms[sym] = chain_term(k, N_val).subs(values)
        Cm = chain[m_val]
        shp = SharedVariable(S, S - p["S_T"] * Cm / (Cm + p["C_star"]), sp.S.Zero, p["S_T"],
                             "active SHP-1 (molecules)")
        aliases = {"C_N": chain[N_val], "C_m": Cm}
        if self.receptors_in_excess:
            return SumForm(terms=terms, output=chain[N_val], shared=(shp,), aliases=aliases)
        receptors = SharedVariable(R_free, R_free + C_T_sum - p["R"], sp.S.Zero, p["R"],
                                   "free receptors (molecules)")
        return SumForm(terms=terms, output=chain[N_val], shared=(receptors, shp),
                       aliases={**aliases, "R_free": R_free})
