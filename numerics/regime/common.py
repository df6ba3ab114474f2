"""The one measure of a regime, shared by cells and networks: where the strongest
antagonistic sensitivity of a sweep curve gamma(v) sits and how much of it the weakest input
keeps (see :mod:`antagonism.numerics.regime` for the criterion, after Rademaker, Bengio &
Francois, PRX 9, 031012, 2019)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

WEAK_SHARE_MAX = 0.5  # the earlier rule's cut (``specialized``): kept for the record
#: the validated rule's cut on the weak share, the one ``antagonism regime controls`` chose on
#: its choosing split (``tests/test_controls.py`` checks the stored run against it)
MEASURE_CUT = 0.8


class Strongest(Result):
    """Where the strongest antagonistic sensitivity of each curve sits.

    Keys (arrays over the curves, or scalars for one curve)
    ----
    position : value v_ext (tau/tau_c for cells, intensity for pixels) where gamma is lowest
    weak_share : rho = max(0, -gamma(v_lo)) / |gamma(v_ext)| in [0, 1]; 1 when gamma never
        turns negative
    antagonistic : gamma(v_ext) < 0 (raising the input somewhere lowers the decision variable)
    interior : v_ext is neither the first nor the last value swept
    at_top : v_ext is the last value swept
    specialized : antagonistic, v_ext above the weakest value and rho < ``weak_share_max``
        (the earlier rule, kept for the record)
    rising : walking up from the weakest value, the first change of gamma lowers it: the
        antagonistic sensitivity grows away from the weakest input (a positive weak-input
        exponent, or a gradient that is zero up to a threshold), see :func:`weak_end_rising`
    validated : the validated rule of ``antagonism regime controls``: antagonistic, v_ext
        above the weakest value, rho < ``MEASURE_CUT`` and rising
    """


def strongest_sensitivity(values, gamma, weak_share_max=WEAK_SHARE_MAX):
    """The regime of sweep curves ``gamma[..., k] = dD/dx at x = values[k]`` (see
    :mod:`antagonism.numerics.regime`): where the strongest antagonistic sensitivity sits
    and how much of it the weakest input keeps.

    Examples
    --------
    >>> import numpy as np
    >>> bool(strongest_sensitivity(np.linspace(0, 1, 5), [0.0, -2, -4, -2, 0]).specialized)
    True
    """
    values = np.asarray(values, float)
    g = np.asarray(gamma, float)
    if g.shape[-1] != values.size or values.size < 3:
        raise InputError(f"need >= 3 swept values and gamma[..., {values.size}], got "
                         f"{g.shape}")
    if not np.all(np.diff(values) > 0):
        raise InputError("swept values must increase")
    k = np.argmin(g, axis=-1)
    g_ext = np.take_along_axis(g, k[..., None], -1)[..., 0]
    antagonistic = g_ext < 0
    interior = (k > 0) & (k < values.size - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(antagonistic, np.maximum(-g[..., 0], 0.0) / np.abs(g_ext), 1.0)
    rising = weak_end_rising(g)
    return Strongest(position=values[k], weak_share=share, antagonistic=antagonistic,
                     interior=interior, at_top=k == values.size - 1,
                     specialized=antagonistic & (k > 0) & (share < weak_share_max),
                     rising=rising,
                     validated=antagonistic & (k > 0) & (share < MEASURE_CUT) & rising)


def weak_end_rising(gamma, tol=1e-9):
    """Whether each curve's antagonistic sensitivity grows away from its weakest input: at
    the first swept value where gamma differs from gamma(v_lo) by more than ``tol`` times
    max |gamma|, gamma is lower (more antagonistic).  A gradient ~ v^(p - 1) rises for
    p > 1 (``antagonism.derivations.power_layer``); a constant one (p = 1), or one that is
    largest on the weakest input (p < 1), does not; a ReLU network's piecewise-constant
    gamma rises only where its first kink makes it more antagonistic.

    >>> weak_end_rising([[0.0, 0.0, -1.0], [-2.0, -2.0, -1.0], [-1.0, -1.0, -1.0]]).tolist()
    [True, False, False]
    """
    g = np.asarray(gamma, float)
    diff = g - g[..., :1]
    scale = np.abs(g).max(axis=-1, keepdims=True)
    changed = np.abs(diff) > tol * scale
    first = np.argmax(changed, axis=-1)
    step = np.take_along_axis(diff, first[..., None], -1)[..., 0]
    return changed.any(axis=-1) & (step < 0)
