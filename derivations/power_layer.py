"""Networks whose regime is known by construction: a fixed elementwise first layer
h(x) = (x + s)^p - s^p in front of any readout g, the network analogue of T_{N,m}'s
small-tau exponent (Rademaker, Bengio & Francois, PRX 9, 031012, 2019).

**The argument.**  The decision variable of the network is the logit margin
M(x) = g(h(x_1), ..., h(x_n)).  Sweeping one input x_i = v at fixed context,

    gamma(v) = dM/dx_i = g_i'(h) * p (v + s)^(p - 1),

where g_i' = dg/dh_i is the readout's sensitivity to the transformed input (a constant for
a linear readout, bounded and generically nonzero for a small MLP).  The share of the
strongest sensitivity that the weakest input v_lo = 0 keeps against an input v > 0 is

    gamma(0) / gamma(v) = (s / (v + s))^(p - 1)     (g' equal at both points),

whose limit s -> 0 is 0 for p > 1 (the gradient vanishes on weak inputs like v^(p - 1):
**specialized**, like T_{N,m} with m > 1, whose gamma ~ tau^(m - 1)), 1 for p = 1 (the
identity: a logistic regression's constant gradient, **broad**) and infinite for p < 1
(the weakest input is the most sensitive: **broad**).  The offset s > 0 (1/256 in the
numerics, a sixteenth of the pixel grid's step) keeps the gradient finite at v = 0 for
p < 1; it changes none of the three limits.

So the exponent of a weak input's gradient is p - 1 whatever the readout, trained or not,
and the regime is fixed by p: p <= 1 broad, p > 1 specialized.  :func:`derive_power_layer`
derives it; ``tests/test_controls.py`` checks the exponent against finite differences.
"""
from __future__ import annotations

import sympy as sp

from .derivation import Derivation, Step

x, s, p, v = sp.symbols("x s p v", positive=True)


def derive_power_layer():
    """The weak-input gradient of the fixed first layer h(x) = (x + s)^p - s^p.

    Parts
    -----
    layer : h(x)
    gradient : dh/dx = p (x + s)^(p - 1)
    exponent : the exponent of the weak-input gradient as s -> 0, p - 1
        (d log(dh/dx) / d log x at s = 0)
    weak_share : (dh/dx at 0) / (dh/dx at v) = (s / (v + s))^(p - 1)
    limits : {"p > 1": 0, "p = 1": 1, "p < 1": oo}, the weak share as s -> 0+
    regime : {"p > 1": "specialized", "p <= 1": "broad"}

    >>> d = derive_power_layer()
    >>> d.exponent
    p - 1
    """
    layer = (x + s)**p - s**p
    grad = sp.simplify(sp.diff(layer, x))
    exponent = sp.simplify(x * sp.diff(sp.log(grad.subs(s, 0)), x))
    share = sp.powsimp(sp.simplify(grad.subs(x, 0) / grad.subs(x, v)), force=True)
    limits = {}
    for label, value in (("p > 1", sp.Rational(3, 2)), ("p = 1", sp.S.One),
                         ("p < 1", sp.S.Half)):
        limits[label] = sp.limit(share.subs(p, value), s, 0, "+")
    steps = (Step("the fixed first layer", layer),
             Step("its derivative, the gradient of one input through the layer", grad),
             Step("the exponent d log(dh/dx) / d log x at s = 0", exponent),
             Step("the share the weakest input (x = 0) keeps against x = v", share))
    return Derivation(
        "dh/dx of the power layer", grad, steps,
        conditions=("s > 0, x >= 0, p > 0; gamma = g'(h) dh/dx with the readout's g' "
                    "bounded and nonzero at the compared inputs",),
        parts={"layer": layer, "gradient": grad, "exponent": exponent,
               "weak_share": share, "limits": limits,
               "regime": {"p > 1": "specialized", "p <= 1": "broad"}})


def power_layer_regime(power):
    """The regime a first layer x -> x^power gives any readout: "specialized" iff the
    weak-input exponent p - 1 of :func:`derive_power_layer` is positive.

    >>> power_layer_regime(2), power_layer_regime(1), power_layer_regime(0.5)
    ('specialized', 'broad', 'broad')
    """
    from .validation import exact_number

    value = derive_power_layer().exponent.subs(p, exact_number(power))
    return "specialized" if value > 0 else "broad"
