"""A derived closed form together with the steps that produced it and its named parts."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import sympy as sp

from antagonism._core.result import Result, _jsonable


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what was done, and the expression it gave."""

    description: str
    expr: sp.Basic

    def latex(self) -> str:
        return r"\text{none}" if self.expr is None else sp.latex(self.expr)


class Derivation(Result):
    """A closed form derived by sympy, as a :class:`~antagonism._core.result.Result`.

    Keys
    ----
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
    quantity, model, parameters : optional
        What was asked, when the derivation comes from
        :func:`antagonism.derivations.derive` (the quantity's name, the model's name and
        its parameters, integers kept integers).

    ``to_dict()`` (and the command line's ``derive --json``) gives the expression and each
    step as sympy text and LaTeX; ``to_text()`` the expression (or ``none:`` and the
    conditions).  A derivation is compared and hashed by identity, as the cached value it
    is.

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> d = Derivation("x^2", x**2, (Step("square", x**2),), ("x real",), {"degree": 2})
    >>> d.degree, d.to_text(), d.to_dict()["latex"]
    (2, 'x**2', 'x^{2}')
    """

    __hash__ = object.__hash__
    __eq__ = object.__eq__
    __ne__ = object.__ne__

    def __init__(self, name, expr=None, steps=(), conditions=(), parts=None, **context):
        super().__init__(name=name, expr=expr, steps=tuple(steps),
                         conditions=tuple(conditions),
                         parts=MappingProxyType(dict(parts or {})), **context)

    def __getattr__(self, name):
        if name in self:
            return dict.__getitem__(self, name)
        parts = self.get("parts") or {}
        if name in parts:
            return parts[name]
        raise AttributeError(f"{type(self).__name__} {self.get('name')!r} has no "
                             f"part {name!r}; parts: {', '.join(parts) or 'none'}")

    def __reduce__(self):  # pickled by value (parts is a read-only view)
        context = {k: v for k, v in self.items()
                   if k not in ("name", "expr", "steps", "conditions", "parts")}
        return (_rebuild, (self.name, self.expr, self.steps, self.conditions,
                           dict(self.parts), context))

    def with_context(self, **context):
        """A copy with what was asked (``quantity``, ``model``, ``parameters``) added; the
        cached derivation itself is not changed."""
        return Derivation(self.name, self.expr, self.steps, self.conditions,
                          dict(self.parts), **{**self._context(), **context})

    def _context(self):
        return {k: v for k, v in self.items()
                if k not in ("name", "expr", "steps", "conditions", "parts")}

    def to_dict(self, keys=None):
        """Strict-JSON data: the context, the name, the expression (sympy text and LaTeX,
        or null), the conditions and each step (description, sympy text, LaTeX)."""
        context = self._context()
        out = {**{k: context.pop(k) for k in ("quantity",) if k in context},
               "name": self.name,
               **{k: context.pop(k) for k in ("model", "parameters") if k in context},
               "expr": None if self.expr is None else str(self.expr),
               "latex": None if self.expr is None else sp.latex(self.expr),
               "conditions": list(self.conditions),
               "steps": [{"description": st.description,
                          "expr": None if st.expr is None else str(st.expr),
                          "latex": st.latex()} for st in self.steps],
               **context}
        out = _jsonable(out)
        return out if keys is None else {k: out[k] for k in keys}

    def to_text(self, units=None):
        """The closed form as sympy prints it, or ``none:`` and the conditions."""
        if self.expr is None:
            return "none: " + "; ".join(self.conditions)
        return str(self.expr)

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

    def __repr__(self) -> str:
        return f"Derivation({self.name!r}, {self.expr!r})"


def _rebuild(name, expr, steps, conditions, parts, context):
    return Derivation(name, expr, steps, conditions, parts, **context)


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
