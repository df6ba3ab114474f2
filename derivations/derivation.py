"""A derived closed form together with the steps that produced it."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what was done, and the expression it gave."""

    description: str
    expr: sp.Basic

    def latex(self) -> str:
        return sp.latex(self.expr)


@dataclass(frozen=True)
class Derivation:
    """A closed form derived by sympy.

    Attributes
    ----------
    name : str
        What the expression is, e.g. ``"dT/dtau_j"``.
    expr : sympy.Basic
        The final closed form (``None`` when the quantity does not exist).
    steps : tuple of Step
        The steps, in order, as sympy performed them.
    conditions : tuple of str
        Conditions under which the result holds or exists.
    """

    name: str
    expr: sp.Basic | None
    steps: tuple = field(default_factory=tuple)
    conditions: tuple = field(default_factory=tuple)

    def latex(self) -> str:
        """The final closed form as LaTeX (``\\text{none}`` if it does not exist)."""
        return r"\text{none}" if self.expr is None else sp.latex(self.expr)

    def subs(self, values: dict) -> Derivation:
        """The same derivation with symbols replaced by ``values`` (e.g. numeric N, m)."""
        values = {k: sp.nsimplify(v) if isinstance(v, float) else v for k, v in values.items()}
        expr = None if self.expr is None else sp.simplify(self.expr.subs(values))
        steps = self.steps + (Step(f"substitute {values}", expr),)
        return Derivation(self.name, expr, steps, self.conditions)

    def markdown(self) -> str:
        """The derivation as Markdown with display math, one numbered line per step."""
        lines = [f"### {self.name}", ""]
        for i, step in enumerate(self.steps, 1):
            body = r"\text{none}" if step.expr is None else step.latex()
            lines += [f"{i}. {step.description}", "", f"$$ {body} $$", ""]
        lines += ["**Result**", "", f"$$ {self.latex()} $$", ""]
        if self.conditions:
            lines += ["Conditions: " + "; ".join(self.conditions), ""]
        return "\n".join(lines)

    def __str__(self) -> str:
        return f"{self.name} = {self.expr}"


def ordered_roots(roots):
    """Sort the roots of a quadratic whose branches never cross for positive parameters,
    by their value at a positive probe point of their free symbols (smallest first)."""
    free = sorted(set().union(*(sp.sympify(r).free_symbols for r in roots)), key=str)
    probe = {s: sp.Rational(3 + 2 * i, 2) for i, s in enumerate(free)}
    return sorted(roots, key=lambda r: float(sp.sympify(r).subs(probe)))
