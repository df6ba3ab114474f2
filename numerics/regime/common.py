"""The one measure of a regime, shared by cells and networks: where the strongest
antagonistic sensitivity of a sweep curve gamma(v) sits and how much of it the weakest input
keeps (see :mod:`antagonism.numerics.regime` for the criterion, after Rademaker, Bengio &
Francois, PRX 9, 031012, 2019)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

WEAK_SHARE_MAX = 0.5  # a curve is specialized when its weakest input keeps less than this


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
    return Strongest(position=values[k], weak_share=share, antagonistic=antagonistic,
                     interior=interior, at_top=k == values.size - 1,
                     specialized=antagonistic & (k > 0) & (share < weak_share_max))
