"""The forward model of a fit: the fold change of each measured mixture as a function of
the free parameters.

For an agonist (tau_1, L_1) mixed with an antagonist (tau_2, L_2) the model predicts

    FC(theta) = F(tau_1, L_1; tau_2, L_2 | theta) / F(tau_1, L_1 | theta),

the fold change that :func:`antagonism.theory.fold_change` and ``antagonism fold-change``
compute.  Two routes, both from the package's own model code (no model is written again):

- **derived** (models whose fold change has a closed form: T_{N,m}, kinetic
  proofreading): the model is built with its free parameters as sympy symbols, its fold
  change derived once (:func:`antagonism.derivations.derive_fold_change`) and lambdified
  in (tau_1, L_1, tau_2, L_2, theta), so that every walker and every row is one numpy
  call.  For T_{N,m} the derivation gives

      FC = 1 - [L_2 tau_2^m / (L_1 tau_1^m + L_2 tau_2^m)] [1 - (tau_2/tau_1)^(N-m)],

  in which tau_c cancels: the fold change of T_{N,m} does not depend on tau_c, so data
  of fold changes cannot inform it (``not_in_fold_change`` lists such parameters; they
  cannot be named in ``free``).
- **evaluator** (models with an implicit steady state: SHP-1, adaptive sorting, reaction
  networks with shared species): the numeric model at each theta, evaluated by
  :func:`antagonism.numerics.cells.cell_evaluator` (exact steady states; the compiled
  kernels for T_{N,m}).  Each new theta builds a new evaluator, so this route costs
  0.03-0.5 s per likelihood; ``route="evaluator"`` forces it for any model.

emcee uses no gradients, so none are computed here.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from antagonism import derivations as dv
from antagonism._core.errors import ConvergenceError, InputError, LimitError
from antagonism.derivations import symbols as sy
from antagonism.derivations.network_model import NetworkModel

ROUTES = ("auto", "derived", "evaluator")
#: significant digits of the free parameters of a numeric model (model_at)
MODEL_DIGITS = 6
#: decimals of the free parameters of a numeric model that limits their precision
MODEL_DECIMALS = 3
_FAILURES = (InputError, ConvergenceError, ValueError, ArithmeticError, TypeError)


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


class ForwardModel:
    """The fold change of a model as a function of its free parameters.

    Parameters
    ----------
    model : str or NetworkModel -- a registered model's name (``"adaptive"``, ``"kpr"``,
        ``"shp1"``, ``"adaptive-sorting"``...) or a model read from a file
        (:func:`antagonism.io.load_model_file`)
    free : sequence of str, optional -- the parameters to fit; default the model's
        default free parameters (:data:`~.priors.DEFAULT_PRIORS`) minus those in ``fixed``;
        required for a model file
    fixed : {name: number}, optional -- parameter values that replace the defaults
    route : {"auto", "derived", "evaluator"} -- see the module docstring

    Attributes
    ----------
    name : str -- the registered name, or the model file's network name
    registered : bool
    free : tuple of str
    values : {name: value} -- every parameter's value (the free ones at their defaults)
    route : "derived" or "evaluator"
    expression : sympy.Expr or None -- the derived fold change (derived route)
    not_in_fold_change : list of str -- parameters the derived fold change does not
        contain (None on the evaluator route, where nothing is derived)

    Examples
    --------
    >>> f = ForwardModel("adaptive")
    >>> f.free, f.route, f.not_in_fold_change
    (('N', 'm'), 'derived', ['tau_c'])
    >>> f.fold_change(np.array([[5.0, 3.0]]), [3.0], [1.0], [1.0], [10.0]).round(4)
    array([[0.7598]])
    """

    def __init__(self, model="adaptive", free=None, fixed=None, route="auto"):
        from .priors import DEFAULT_PRIORS

        if route not in ROUTES:
            raise InputError(f"route must be one of {', '.join(ROUTES)}, got {route!r}")
        fixed = dict(fixed or {})
        if isinstance(model, str):
            spec = dv.model_spec(model)
            self.name, self.registered, self._factory = spec.name, True, spec.factory
            known = {k: p.value for k, p in spec.parameters.items()}
        elif isinstance(model, NetworkModel):
            network = model.network
            self.name, self.registered = model.name, False
            self._factory = lambda **v: NetworkModel(network, **v)
            known = {k: _float(v) for k, v in model.parameters().items()}
        else:
            raise InputError(f"model must be a registered model's name or a model read from "
                             f"a file (antagonism.io.load_model_file), got {model!r}")
        unknown = sorted(set(fixed) - set(known))
        if unknown:
            raise InputError(f"unknown parameter(s) {unknown} for model {self.name!r}; known: "
                             f"{', '.join(known)}")
        self.values = {**known, **fixed}
        if free is None:
            if not self.registered or self.name not in DEFAULT_PRIORS:
                raise InputError(f"model {self.name!r}: name the parameters to fit (--free)")
            free = [k for k in DEFAULT_PRIORS[self.name] if k not in fixed]
        self.free = tuple(free)
        self._check_free(fixed)
        self.expression, self._fc, self.not_in_fold_change = None, None, None
        self._domain = []
        self.route = "evaluator"
        if route != "evaluator" and self.registered:
            self._derive()
        if route == "derived" and self.route != "derived":
            raise InputError(f"model {self.name!r}: its fold change has no closed form (an "
                             "implicit steady state); use route='evaluator'")

    @property
    def label(self):
        """The model's display name (T_{N,m} with symbolic free exponents)."""
        if self.route == "derived":
            return self.template.label()
        return self.name

    def __repr__(self):
        return f"ForwardModel({self.name!r}, free={self.free}, route={self.route!r})"

    def _check_free(self, fixed):
        if not self.free:
            raise InputError(f"model {self.name!r}: no parameter left to fit")
        for name in self.free:
            if name not in self.values:
                raise InputError(f"--free {name}: model {self.name!r} has no parameter {name}; "
                                 f"its parameters: {', '.join(self.values)}")
            if name in fixed:
                raise InputError(f"{name} is both fitted (--free) and fixed")
            if not isinstance(_float(self.values[name]), float) or isinstance(
                    self.values[name], bool):
                raise InputError(f"--free {name}: not a numeric parameter")
        if len(set(self.free)) != len(self.free):
            raise InputError(f"--free names a parameter twice: {', '.join(self.free)}")

    # -- the derived route -------------------------------------------------------------------
    def _symbols(self):
        """The free parameters' symbols: the model's own where its symbolic form has them."""
        try:
            own = self._factory().symbolic().parameters()
        except _FAILURES:
            own = {}
        return [own[k] if isinstance(own.get(k), sp.Symbol) else sp.Symbol(k, positive=True)
                for k in self.free]

    def _derive(self):
        symbols = self._symbols()
        try:
            template = self._factory(**{**self.values, **dict(zip(self.free, symbols))})
        except _FAILURES:
            return  # the model needs numbers for these parameters: evaluator route
        form = template.sum_form()
        if form is not None and form.implicit:
            return
        d = dv.derive_fold_change(template)
        (t1, t2), (L1, L2) = sy.ligand_symbols(2)
        if d.expr is None or not d.expr.free_symbols <= {t1, t2, L1, L2, *symbols}:
            return
        absent = [k for k, s in zip(self.free, symbols) if s not in d.expr.free_symbols]
        if absent:
            raise InputError(f"{', '.join(absent)} does not enter the fold change of "
                             f"{template.label()} (derived), so fold-change data cannot "
                             "inform it; fix it instead of fitting it")
        full = dv.derive_fold_change(template.symbolic()).expr
        names = {str(v): k for k, v in template.symbolic().parameters().items()
                 if isinstance(v, sp.Symbol)}
        present = {names.get(str(s)) for s in full.free_symbols}
        self.not_in_fold_change = [k for k in self.values if k in names.values()
                                   and k not in present]
        self.template, self.symbols, self.expression = template, symbols, d.expr
        self._fc = sp.lambdify((t1, L1, t2, L2, *symbols), d.expr, "numpy")
        symbolic = template.symbolic()  # its domain, with the fixed values put in
        own = {v for v in symbolic.parameters().values() if isinstance(v, sp.Basic)}
        for s, e in symbolic.domain().items():  # e.g. N = m + g with g > 0
            new = e.free_symbols - own - {s}
            if len(new) == 1:
                gap = sp.solve(sp.Eq(s, e), *new)
                if len(gap) == 1:
                    self._domain.append(sp.lambdify(symbols, gap[0].subs(template.values),
                                                    "numpy"))
        self.route = "derived"

    # -- public --------------------------------------------------------------------------------
    def parameter_values(self, theta):
        """{name: value} of every parameter at the free parameters ``theta`` (1-D)."""
        return {**self.values, **{k: float(v) for k, v in zip(self.free, theta)}}

    def model_at(self, theta):
        """The numeric model at ``theta`` (a CellModel; InputError outside its domain).

        A registered model is built at the free parameters written with
        :data:`MODEL_DIGITS` significant digits (exact decimals: no float is turned into a
        rational by search); one that limits the precision of its parameters (T_{N,m}:
        N and m to :data:`MODEL_DECIMALS` decimal places, for exact symbolic work) at
        the free parameters rounded to that many decimals."""
        if not self.registered:
            return self._factory(**self.parameter_values(theta))
        theta = np.asarray(theta, float)
        try:
            return self._factory(**self._exact(theta, f".{MODEL_DIGITS}g"))
        except LimitError:
            return self._factory(**self._exact(np.round(theta, MODEL_DECIMALS), ".12g"))

    def _exact(self, theta, spec):
        return {**self.values, **{k: sp.Rational(format(float(v), spec))
                                  for k, v in zip(self.free, theta)}}

    def in_domain(self, theta):
        """Whether each row of ``theta`` lies inside the model's domain as derived from its
        symbolic form (T_{N,m}: N - m > 0; True where nothing is derived)."""
        theta = np.atleast_2d(theta)
        ok = np.ones(len(theta), bool)
        with np.errstate(all="ignore"):
            for gap in self._domain:
                ok &= np.asarray(gap(*theta.T), float) > 0
        return ok

    def check_domain(self, theta):
        """Build the numeric model at each row of ``theta`` that :meth:`in_domain` accepts;
        an InputError naming the first the model itself refuses (the check of a prior's
        support; a limit on the precision of its parameters does not count)."""
        for row in np.atleast_2d(theta)[self.in_domain(theta)]:
            try:
                if self.registered:  # its own checks, at the draw's digits
                    self._factory(**self._exact(row, f".{MODEL_DIGITS}g"))
                else:
                    self.model_at(row)
            except LimitError:
                continue  # a precision limit (T_{N,m}: three decimals), not the domain
            except _FAILURES as exc:
                values = ", ".join(f"{k} = {v:g}" for k, v in zip(self.free, row))
                raise InputError(f"the prior reaches outside the domain of model "
                                 f"{self.name!r} ({values}: {exc})") from None

    def fold_change(self, theta, tau_1, L_1, tau_2, L_2):
        """FC of each row (tau_1, L_1, tau_2, L_2) at each parameter vector: an array
        (len(theta), rows); NaN where the model has no steady state or theta is outside
        its domain."""
        theta = np.atleast_2d(np.asarray(theta, float))
        rows = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, float)).ravel()
                                     for x in (tau_1, L_1, tau_2, L_2)))
        if self.route == "derived":
            with np.errstate(all="ignore"):
                out = self._fc(*(x[None, :] for x in rows), *(theta[:, [j]] for j in
                                                                range(theta.shape[1])))
            out = np.broadcast_to(np.asarray(out, float), (len(theta), rows[0].size)).copy()
            out[~self.in_domain(theta)] = np.nan
            return out
        return np.array([self._evaluate(t, *rows) for t in theta])

    def _evaluate(self, theta, tau_1, L_1, tau_2, L_2):
        from antagonism.numerics.cells import cell_evaluator

        out = np.full(tau_1.size, np.nan)
        try:
            ev = cell_evaluator(self.model_at(theta))
            alone = {}
            for i in range(tau_1.size):
                key = (tau_1[i], L_1[i])
                if key not in alone:
                    alone[key] = ev.output([tau_1[i]], [L_1[i]])
                out[i] = 1.0 if L_2[i] == 0 else (
                    ev.output([tau_1[i], tau_2[i]], [L_1[i], L_2[i]]) / alone[key])
        except _FAILURES:
            return np.full(tau_1.size, np.nan)
        return out
