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

from dataclasses import dataclass

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step, ordered_roots


@dataclass(frozen=True)
class Parameter:
    value: float
    unit: str
    description: str


# the classical parameter set of SCIENCE.md section 2.3
CLASSICAL = {
    "phi": Parameter(0.09, "1/s", "phosphorylation rate of each proofreading step"),
    "b": Parameter(0.04, "1/s", "basal dephosphorylation rate"),
    "gamma": Parameter(1.2e-6, "1/(s molecule)", "dephosphorylation rate per active SHP-1"),
    "kappa": Parameter(1e-4, "1/(s molecule)", "ligand-receptor binding rate"),
    "N": Parameter(5, "", "number of proofreading steps"),
    "m": Parameter(1, "", "step that activates SHP-1"),
    "S_T": Parameter(6e5, "molecules", "total SHP-1"),
    "C_star": Parameter(500.0, "molecules", "C_m giving half-maximal SHP-1 activation"),
    "R": Parameter(3e4, "molecules", "receptors"),
}

phi, b, gamma, kappa = sp.symbols("phi b gamma kappa", positive=True)
S, S_T, C_star, R = sp.symbols("S S_T C_star R", positive=True)
C_T, d = sp.symbols("C_T d", positive=True)
R_free = sp.Symbol("R_f", positive=True)
n = sp.Symbol("n", integer=True, nonnegative=True)
N_int = sp.Symbol("N", positive=True, integer=True)
r_plus, r_minus = sp.symbols("r_+ r_-", positive=True)


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
