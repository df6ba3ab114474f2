"""Priors of the fitted parameters: stated, and overridable one by one.

A prior is ``uniform:lo:hi`` (density 1/(hi - lo) on [lo, hi]) or ``loguniform:lo:hi``
(uniform in log x on [lo, hi], 0 < lo; density 1/(x log(hi/lo))), written on the command
line as ``--prior m=uniform:0:6``.  The parameters fitted by default and their priors:

=====================  ==========  ========================  ==================================
model                  parameter   prior                     why
=====================  ==========  ========================  ==================================
``adaptive`` T_{N,m}   N           uniform:1:10              proofreading steps
                       m           uniform:0:8               feedback step; also m < N
``kpr``                N           uniform:1:10              proofreading steps
                       phi         loguniform:0.001:10       phosphorylation rate (1/s)
``shp1``               S_T         loguniform:6000:6e7       total SHP-1 (molecules)
                       C_star      loguniform:5:50000        half-activation of SHP-1
``adaptive-sorting``   epsilon     loguniform:1e-5:0.1       kinase inactivation by C_0
                       K_T         loguniform:100:1e6        total kinase (molecules)
=====================  ==========  ========================  ==================================

Any other parameter named with ``--free`` (a registered model's, or a model file's) gets
``loguniform:v/100:100v`` around its value v (two decades either side), unless its prior is
given.  The model's own domain (0 <= m < N for T_{N,m}) is part of the support: a draw
outside it has zero prior density.

>>> p = parse_prior("m=uniform:0:6")
>>> p.name, p.describe(), float(p.log_pdf(np.array([3.0, 7.0]))[1])
('m', 'uniform:0:6', -inf)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.parsing import IDENTIFIER, parse_float

KINDS = ("uniform", "loguniform")

#: the parameters fitted by default, with their priors (see the module docstring)
DEFAULT_PRIORS = {
    "adaptive": {"N": "uniform:1:10", "m": "uniform:0:8"},
    "kpr": {"N": "uniform:1:10", "phi": "loguniform:0.001:10"},
    "shp1": {"S_T": "loguniform:6000:6e7", "C_star": "loguniform:5:50000"},
    "adaptive-sorting": {"epsilon": "loguniform:1e-5:0.1", "K_T": "loguniform:100:1e6"},
}
#: decades either side of a parameter's value in its default prior
DEFAULT_DECADES = 2.0


@dataclass(frozen=True)
class Prior:
    """One parameter's prior: ``kind`` uniform or loguniform on [lo, hi]."""

    name: str
    kind: str
    lo: float
    hi: float

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InputError(f"prior of {self.name}: unknown kind {self.kind!r}; use "
                             f"{' or '.join(KINDS)}")
        if not (math.isfinite(self.lo) and math.isfinite(self.hi) and self.lo < self.hi):
            raise InputError(f"prior of {self.name}: need lo < hi, got {self.lo:g}, "
                             f"{self.hi:g}")
        if self.kind == "loguniform" and self.lo <= 0:
            raise InputError(f"prior of {self.name}: a loguniform prior needs lo > 0, got "
                             f"{self.lo:g}")

    def describe(self):
        return f"{self.kind}:{self.lo:g}:{self.hi:g}"

    def log_pdf(self, x):
        """log density at each x (-inf outside [lo, hi])."""
        x = np.asarray(x, float)
        inside = (x >= self.lo) & (x <= self.hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "uniform":
                value = np.full_like(x, -math.log(self.hi - self.lo))
            else:
                value = -np.log(x) - math.log(math.log(self.hi / self.lo))
        return np.where(inside, value, -np.inf)

    def sample(self, rng, size):
        u = rng.uniform(size=size)
        if self.kind == "uniform":
            return self.lo + (self.hi - self.lo) * u
        return self.lo * (self.hi / self.lo) ** u


def parse_prior(text):
    """``name=kind:lo:hi`` -> :class:`Prior` (numbers read strictly)."""
    match = re.fullmatch(r"\s*([^=\s]+)\s*=\s*([a-z]+):([^:]+):([^:]+)\s*", str(text))
    if not match:
        raise InputError(f"--prior must look like name=uniform:lo:hi or "
                         f"name=loguniform:lo:hi, got {text!r}")
    name, kind, lo, hi = match.groups()
    if not IDENTIFIER.fullmatch(name):
        raise InputError(f"--prior: the parameter name must be a plain identifier, got "
                         f"{name!r}")
    return Prior(name, kind, parse_float(lo, f"prior of {name}: lo"),
                 parse_float(hi, f"prior of {name}: hi"))


def default_prior(name, value):
    """``loguniform`` over :data:`DEFAULT_DECADES` decades either side of ``value``."""
    value = float(value)
    if not value > 0:
        raise InputError(f"--free {name}: its value {value:g} is not positive, so it has no "
                         f"default prior; give one with --prior {name}=uniform:lo:hi")
    f = 10.0 ** DEFAULT_DECADES
    return Prior(name, "loguniform", value / f, value * f)


class Priors:
    """The joint prior: independent :class:`Prior` per free parameter, restricted to the
    model's domain (``domain(theta) -> bool array``, optional).

    Parameters
    ----------
    priors : sequence of Prior, in the order of the parameter vector
    domain : callable (k, d) array -> (k,) bool, optional
    """

    def __init__(self, priors, domain=None):
        self.priors = tuple(priors)
        self.names = tuple(p.name for p in self.priors)
        self.domain = domain

    def __len__(self):
        return len(self.priors)

    def log_prob(self, theta):
        """Log prior density (up to the domain's normalisation) of each row of ``theta``."""
        theta = np.atleast_2d(theta)
        out = np.zeros(len(theta))
        for j, p in enumerate(self.priors):
            out += p.log_pdf(theta[:, j])
        if self.domain is not None:
            ok = np.isfinite(out)
            if ok.any():
                inside = np.zeros(len(theta), bool)
                inside[ok] = self.domain(theta[ok])
                out = np.where(inside, out, -np.inf)
        return out

    def sample(self, rng, n, max_tries=1000):
        """``n`` draws from the joint prior (rejection outside the domain)."""
        kept = []
        for _ in range(max_tries):
            draw = np.column_stack([p.sample(rng, 4 * n) for p in self.priors])
            kept.extend(draw[np.isfinite(self.log_prob(draw))])
            if len(kept) >= n:
                return np.array(kept[:n])
        raise InputError("the priors put (almost) no mass inside the model's domain "
                         f"({', '.join(p.describe() for p in self.priors)})")

    def describe(self):
        """{name: "kind:lo:hi"}."""
        return {p.name: p.describe() for p in self.priors}


def build_priors(model_name, free, values, overrides=(), domain=None):
    """The :class:`Priors` of the free parameters ``free`` (names, in order).

    Parameters
    ----------
    model_name : str or None -- a registered model's name (its default priors apply)
    free : sequence of str
    values : {name: float} -- the model's parameter values (for default priors)
    overrides : sequence of Prior -- from ``--prior``; each must name a free parameter
    domain : callable, optional -- see :class:`Priors`
    """
    given = {}
    for p in overrides:
        if p.name not in free:
            raise InputError(f"--prior {p.name}: {p.name} is not fitted (free: "
                             f"{', '.join(free)})")
        if p.name in given:
            raise InputError(f"--prior {p.name} is given twice")
        given[p.name] = p
    table = DEFAULT_PRIORS.get(model_name, {})
    priors = []
    for name in free:
        if name in given:
            priors.append(given[name])
        elif name in table:
            priors.append(parse_prior(f"{name}={table[name]}"))
        else:
            priors.append(default_prior(name, values[name]))
    return Priors(priors, domain)
