"""A derived closed form together with the steps that produced it and its named parts."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import sympy as sp


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what was done, and the expression it gave."""

    description: str
    expr: sp.Basic

    def latex(self) -> str:
        return r"\text{none}" if self.expr is None else sp.latex(self.expr)


@dataclass(frozen=True, eq=False)
class Derivation:
    """A closed form derived by sympy.

    Attributes
    ----------
    name : str
        What the expression is, e.g. ``"dT/dtau_j"``.
    expr : sympy.Basic or None
        The final closed form (``None`` when the quantity does not exist or has no closed
        form; ``parts`` then says which).
    steps : tuple of Step
        The steps, in order, as sympy performed them (for display only: code reads
        ``parts``, never a step by its position).
    conditions : tuple of str
        Human-readable conditions under which the result holds or exists.
    parts : mapping
        Named intermediate results, also readable as attributes: ``d.bracket``,
        ``d.exponent``, ``d.sign``...  Each derivation documents its parts.
    """

    name: str
    expr: sp.Basic | None
    steps: tuple = field(default_factory=tuple)
    conditions: tuple = field(default_factory=tuple)
    parts: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))

    def __getattr__(self, name):
        parts = self.__dict__.get("parts", {})
        if name in parts:
            return parts[name]
        raise AttributeError(f"{type(self).__name__} {self.__dict__.get('name')!r} has no "
                             f"part {name!r}; parts: {', '.join(parts) or 'none'}")

    def latex(self) -> str:
        """The final closed form as LaTeX (``\\text{none}`` if it does not exist)."""
        return r"\text{none}" if self.expr is None else sp.latex(self.expr)

    def subs(self, values: dict) -> Derivation:
        """The same derivation with symbols replaced by ``values`` (e.g. numeric N, m)."""
        from .validation import exact_number

        values = {k: exact_number(v) for k, v in values.items()}
        expr = None if self.expr is None else sp.simplify(self.expr.subs(values))
        steps = self.steps + (Step(f"substitute {values}", expr),)
        return Derivation(self.name, expr, steps, self.conditions, dict(self.parts))

    def markdown(self) -> str:
        """The derivation as Markdown with display math, one numbered line per step."""
        lines = [f"### {self.name}", ""]
        for i, step in enumerate(self.steps, 1):
            lines += [f"{i}. {step.description}", "", f"$$ {step.latex()} $$", ""]
        lines += ["**Result**", "", f"$$ {self.latex()} $$", ""]
        if self.conditions:
            lines += ["Conditions: " + "; ".join(self.conditions), ""]
        return "\n".join(lines)

    def __str__(self) -> str:
        return f"{self.name} = {self.expr}"


def ordered_roots(roots):
    """Sort the roots of a quadratic whose branches never cross for positive parameters,
    by their value at a positive probe point of their free symbols (smallest first)."""
    from .validation import as_sympy

    free = sorted(set().union(*(as_sympy(r).free_symbols for r in roots)), key=str)
    probe = {s: sp.Rational(3 + 2 * i, 2) for i, s in enumerate(free)}
    return sorted(roots, key=lambda r: float(as_sympy(r).subs(probe)))


def derived(func):
    """Cache a derivation per model (models are immutable values, hashable by their
    parameters, and derivations are immutable), so that a closed form or a model's sum form
    is derived once per process; the cache is bounded."""
    return lru_cache(maxsize=256)(func)
