"""The per-molecule gradient gamma(tau) of a model: how much one more molecule of a dilute
probe ligand at binding time tau changes the output, next to a background of ligands.

    gamma(tau) = lim_{L_p -> 0} (dF/dtau_p) / L_p        (output units per s per molecule)

Its sign says whether the probe raises (gamma > 0) or lowers the output as its binding time
grows; its critical points are the strongest antagonist tau* (where the linear weight
w(tau) is extremal) and the inflection tau_infl that separates broad from specialized
antagonism (Rademaker, Bengio & Francois, PRX 9, 031012, 2019).  For T_{N,m} next to
agonists, gamma(tau) = tau^(m-1) (N tau^(N-m) - m T tau_c^(N-m)) / (tau_c^(N-m) S_m).
"""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result

from .validation import check_array, check_ligands


class GammaResult(Result):
    """gamma(tau) of a model on a grid.

    Keys
    ----
    tau : ndarray -- probe binding times (s)
    gamma : ndarray -- dF/dtau_p per probe molecule (output units per s per molecule)
    background_tau, background_L : ndarray -- the ligands the probe is added to
    expression : str or None -- gamma as a sympy expression in tau, when one is derived
    model : str; parameters : dict
    """


def gamma(model, taus, background=None):
    """The per-molecule gradient gamma(tau) of ``model`` at the binding times ``taus``.

    Parameters
    ----------
    model : CellModel with numeric parameters
    taus : array_like -- probe binding times (s, > 0)
    background : (taus, Ls), optional -- the ligands the probe joins; default the model's
        reference agonists (``model.reference_background()``; for T_{N,m}: tau_c, L = 1)

    Returns
    -------
    GammaResult

    Examples
    --------
    T_{5,3} next to one agonist at tau_c = 3 s: gamma(tau) = tau^2 (5 tau^2 - 27) / 243 is
    negative (antagonism) below tau* = 3 (3/5)^{1/2} = 2.32 s:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> r = gamma(AdaptiveProofreading(5, 3, tau_c=3), [0.5, 1.0, 3.0])
    >>> r.gamma.round(4)
    array([-0.0265, -0.0905,  0.6667])
    >>> r.background_tau, r.background_L
    (array([3.]), array([1.]))
    """
    from .evaluation import model_evaluator

    taus = check_array(taus, "taus", positive=True)
    if background is None:
        background = model.reference_background()
    tb, Lb = check_ligands([float(t) for t in background[0]],
                           [float(x) for x in background[1]])
    fn, expr = model_evaluator(model).probe_gradient(tb, Lb)
    values = np.asarray(fn(taus), dtype=float) * np.ones_like(taus)
    params = model.plain_parameters()
    return GammaResult(tau=taus, gamma=values, background_tau=tb, background_L=Lb,
                       expression=None if expr is None else str(expr), model=model.name,
                       parameters=params)
