"""The model protocol: what a proofreading model provides, and the form derivations use.

A cell model maps a mixture of ligand types i (binding time tau_i in s, quantity L_i in
molecules) to an output F; the cell responds when F exceeds the model's ``threshold``.
A model subclasses :class:`CellModel` and provides

- its parameters by name (``set_parameters(...)`` in ``__init__``, or ``parameters()``),
  and either
- ``output(taus, Ls)`` -- F for explicit ligand symbols or numbers, or
- ``sum_form()`` -- F written through sums over ligand types (a :class:`SumForm`), from
  which ``output`` follows.  Giving the sum form is optional but makes everything faster and
  lets derivations hold for any number of ligands.

Everything else (gradients, Hessians, tau*, tau_infl, the small-tau exponent, the escape
class, the regime, numerics and figures) is derived generically from these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import ClassVar

import sympy as sp

from antagonism._core.catalog import Parameter  # noqa: F401  (the protocol's name for it)
from antagonism._core.errors import InputError, ModelError

from . import symbols as sy


@dataclass(frozen=True)
class SharedVariable:
    """A variable shared by all ligand types (free receptors, active SHP-1, a kinase...).

    At steady state it solves ``constraint = 0`` (an expression in the aggregates, the shared
    variables and the parameters) with a single root in [lower, upper].  Shared variables are
    solved in the order the sum form lists them, each with the earlier ones fixed.
    """

    symbol: sp.Symbol
    constraint: sp.Expr
    lower: sp.Expr
    upper: sp.Expr
    description: str = ""


@dataclass(frozen=True)
class SumForm:
    """The output written through sums over ligand types:

        F = output(A_1, ..., A_r, y),      A_k = sum_i f_k(tau_i, L_i, y)

    Attributes
    ----------
    terms : mapping
        Aggregate symbol A_k -> per-ligand term f_k, an expression in ``symbols.tau``,
        ``symbols.L``, the parameters and the shared variables.
    output : sympy.Expr
        F in the aggregates (and shared variables).
    shared : tuple of SharedVariable
        Variables every ligand type shares, fixed by steady-state constraints.
    closed_by : sympy.Symbol, optional
        An aggregate that results may eliminate in favour of the output symbol ``T``
        (``S_N`` for T_{N,m}, so that gradients read in terms of T itself).
    aliases : mapping, optional
        Other names (str) for some aggregates or shared variables, under which results also
        report them (SHP-1: "C_N" for the aggregate C_5 when N = 5).
    type_states, type_equations, type_guess : tuples, optional
        When one type's steady state has no closed form: unknowns X of each ligand type
        (the terms may use them), the equations E(X; tau, L, y) = 0 that fix them, solved
        numerically per type, and a starting guess for each (expressions in tau and L).
    amounts : tuple, optional
        Aggregates that are amounts of species (molecules): their per-ligand terms must be
        non-negative at a steady state, and the numerics refuse one where they are not.
    """

    terms: dict
    output: sp.Expr
    shared: tuple = ()
    closed_by: sp.Symbol | None = None
    aliases: dict = field(default_factory=dict)
    type_states: tuple = ()
    type_equations: tuple = ()
    type_guess: tuple = ()
    amounts: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "terms", MappingProxyType(dict(self.terms)))
        object.__setattr__(self, "aliases", MappingProxyType(dict(self.aliases)))
        for name in ("type_states", "type_equations", "type_guess", "amounts"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not (len(self.type_states) == len(self.type_equations) == len(self.type_guess)):
            raise ModelError("type_states, type_equations and type_guess must match in length")
        object.__setattr__(self, "shared", tuple(self.shared))
        if not self.terms:
            raise ModelError("a sum form needs at least one aggregate term")
        if self.closed_by is not None and self.closed_by not in self.terms:
            raise ModelError(f"closed_by={self.closed_by} is not one of the aggregates")

    @property
    def aggregates(self):
        """The aggregate symbols A_k, in order."""
        return tuple(self.terms)

    @property
    def implicit(self):
        """Whether the steady state is implicit (shared variables or per-type unknowns)."""
        return bool(self.shared) or bool(self.type_states)

    @property
    def shared_symbols(self):
        return tuple(v.symbol for v in self.shared)

    def per_molecule(self):
        """A_k -> phi_k(tau) = lim_{L -> 0} f_k / L: the contribution of one molecule of a
        dilute ligand type (the terms are linear in L for most models)."""
        if self.type_states:
            raise InputError("per-type steady states without a closed form: no symbolic "
                             "per-molecule terms (the numerics compute them)")
        return dict(self._per_molecule)

    @cached_property
    def _per_molecule(self):
        out = {}
        for A, f in self.terms.items():
            slope = sp.diff(f, sy.L)
            slope = slope.subs(sy.L, 0) if slope.has(sy.L) else slope
            # rational terms (networks) only need cancelling; powers (T_{N,m}) simplify fast
            out[A] = sp.cancel(slope) if slope.is_rational_function() else sp.simplify(slope)
        return out

    def power_exponents(self):
        """A_k -> k if every term is a power sum term L tau^k, else None."""
        exps = {}
        for A, f in self.terms.items():
            k = sp.simplify(sp.powsimp(f / sy.L, force=True))
            base, e = k.as_base_exp()
            if k == 1:
                exps[A] = sp.S.Zero
            elif base == sy.tau and not e.has(sy.tau, sy.L):
                exps[A] = e
            else:
                return None
        return exps

    def explicit(self, taus, Ls):
        """F with the sums written out over the given ligand symbols or numbers (no shared
        variables: their steady state has no closed form in general)."""
        if self.implicit:
            raise InputError("the output depends on variables fixed by implicit "
                             "steady-state equations; it has no explicit closed form")
        sums = {A: sum(f.subs({sy.tau: t, sy.L: L}, simultaneous=True)
                       for t, L in zip(taus, Ls)) for A, f in self.terms.items()}
        return self.output.subs(sums, simultaneous=True)


def plain_value(value):
    """A parameter's value as plain Python: ``bool`` stays, an integer (Python or sympy)
    is ``int``, another number ``float``, anything else (a symbol) its text.

    >>> import sympy as sp
    >>> [plain_value(v) for v in (sp.Integer(5), sp.Rational(1, 2), 3, 0.5, True, sp.Symbol("N"))]
    [5, 0.5, 3, 0.5, True, 'N']
    """
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if value.is_number and value.is_real:
            return float(value)
    return str(value)


class CellModel:
    """Base class of every cell model (see the module docstring for the protocol).

    Class attributes
    ----------------
    name : str -- registry name ("adaptive", "kpr", ...)
    title : str -- one line saying what the model is

    Attributes every instance has
    -----------------------------
    tau_c : sympy.Expr -- threshold binding time (s): ligands below it should not activate
    threshold : sympy.Expr or None -- the cell responds iff the output exceeds it; None when
        the model has no absolute threshold (attacks then use a relative one)
    """

    name: ClassVar[str] = "model"
    title: ClassVar[str] = "a cell model"
    tau_c: sp.Expr = sy.tau_c
    threshold: sp.Expr | None = None
    _parameter_names: tuple = ()

    # -- what a model provides -------------------------------------------------------------
    def parameters(self) -> dict:
        """Parameter name -> value (sympy number or symbol), tau_c included.  Models that
        store their parameters with :meth:`set_parameters` get this for free."""
        return {k: getattr(self, k) for k in self._parameter_names}

    def plain_parameters(self) -> dict:
        """Parameter name -> its value for results and JSON (:func:`plain_value`): an
        integer stays an ``int`` (N, m), other numbers become ``float``, a symbol its name.
        A parameter a built-in model declares with a float default (tau_c, in
        :mod:`antagonism._core.catalog`) is a ``float`` even where its value is a whole
        number.

        >>> from antagonism.derivations import create_model
        >>> create_model("adaptive", N=5, m=3, tau_c=3).plain_parameters()
        {'N': 5, 'm': 3, 'tau_c': 3.0}
        >>> create_model("adaptive", N=4.5, m=2.5).plain_parameters()
        {'N': 4.5, 'm': 2.5, 'tau_c': 3.0}
        """
        from antagonism._core.catalog import BUILTIN_MODELS

        declared = BUILTIN_MODELS.get(self.name, {})
        out = {}
        for k, v in self.parameters().items():
            value = plain_value(v)
            if (type(value) is int and k in declared
                    and isinstance(declared[k].value, float)):
                value = float(value)
            out[k] = value
        return out

    def set_parameters(self, **values):
        """Store each parameter as an attribute, converted to an exact sympy number or kept
        symbolic (:func:`~.validation.as_parameter`), in the order given."""
        from .validation import as_parameter

        self._parameter_names = tuple(values)
        for k, v in values.items():
            setattr(self, k, as_parameter(v, k))

    def sum_form(self) -> SumForm | None:
        """The output through sums over ligand types, or None (the default)."""
        return None

    def output(self, taus, Ls) -> sp.Expr:
        """The output F of a mixture of ligand types with the given binding times and
        quantities (sympy symbols or numbers).  Models without a sum form override this."""
        form = self.sum_form()
        if form is None:
            raise NotImplementedError(f"{type(self).__name__} must define output() or "
                                      "sum_form()")
        return form.explicit(taus, Ls)

    # -- defaults a model may override ---------------------------------------------------------
    def symbolic(self) -> CellModel:
        """The same model with symbolic parameters, on which derivations are performed and
        read; ``values`` turns it back into this model.  Default: the model itself."""
        return self

    @property
    def values(self) -> dict:
        """Substitutions {symbol: value} from ``symbolic()`` to this model."""
        return {}

    def domain(self) -> dict:
        """Substitutions that write the model's domain through positive symbols, so that
        sympy can decide signs (T_{N,m}: N = m + g with g > 0).  Default: none."""
        return {}

    #: (tau, L) of the agonists a dilute probe is added to when the regime is classified
    #: numerically; None means one agonist type at threshold, L = 1
    reference_agonist = None

    def reference_background(self):
        """The ligands a probe is added to for the numeric classification: the model's
        ``reference_agonist``.  Returns ``(taus, Ls)`` as tuples of sympy numbers."""
        from .validation import exact_number

        tau, L = self.reference_agonist or (self.tau_c, 1)
        return (exact_number(tau),), (exact_number(L),)

    def probe_range(self):
        """Binding times (lower, upper) in s over which tau* and tau_infl are sought: up to
        the reference agonists (tau_c by default)."""
        return sp.S.Zero, self.reference_background()[0][0]

    def regime_predictions(self) -> dict:
        """Analytic predictions reported next to the regime classification (SHP-1: the
        effective m of its S pathway).  Default: none."""
        return {}

    def metadata(self) -> dict:
        """What a model says about itself, reported by ``classify`` next to the verdict:
        ``structure`` (the mechanism in words), ``source`` (the publication), ``paper`` (its
        statement on antagonism), conserved totals...  Default: none."""
        return {}

    def label(self) -> str:
        """A short display name for figures and tables (default: the registry name)."""
        return self.name

    def describe(self) -> str:
        """The label with whatever else tells this instance apart in a table (parameters
        away from the model's own defaults, the regime it runs in), as the model states it:
        tables ask the model, never its parameter names.  Default: :meth:`label`."""
        return self.label()

    # -- generic conveniences ----------------------------------------------------------------
    def mixture_output(self, K):
        """The output of K explicit ligand types: ``(expr, taus, Ls)``."""
        taus, Ls = sy.ligand_symbols(K)
        return self.output(taus, Ls), taus, Ls

    def single_ligand_output(self):
        """The output for one ligand type (tau, L): absolute discrimination when it does not
        depend on L."""
        return sp.powsimp(sp.simplify(self.output((sy.tau,), (sy.L,))), force=True)

    def is_numeric(self):
        """Whether every parameter is a number (required by the numerics)."""
        from .validation import as_sympy

        return all(as_sympy(v).is_number for v in self.parameters().values())

    def _key(self):
        from .validation import as_sympy

        return type(self), tuple(sorted((k, as_sympy(v)) for k, v in
                                        self.parameters().items()))

    def __eq__(self, other):
        return isinstance(other, CellModel) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        args = ", ".join(f"{k}={v}" for k, v in self.parameters().items())
        return f"{type(self).__name__}({args})"


