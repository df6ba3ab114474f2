"""Model comparison by WAIC, with its standard error, from pointwise log-likelihoods.

For S posterior draws and n data rows with log-likelihoods l_si (Watanabe 2010; Vehtari,
Gelman & Gabry, *Statistics and Computing* 27, 1413, 2017):

    lppd_i = log (1/S) sum_s exp(l_si),      p_i = Var_s(l_si),
    elpd_i = lppd_i - p_i,                   elpd_waic = sum_i elpd_i,
    SE(elpd_waic) = sqrt(n Var_i(elpd_i)),   WAIC = -2 elpd_waic,

and between two models A and B, on the same rows, the difference and its standard error
come from the pointwise differences: d_i = elpd_A,i - elpd_B,i, SE = sqrt(n Var_i(d_i)).
Higher elpd (lower WAIC) predicts new data better.  A row with p_i > 0.4 makes WAIC
unreliable (Vehtari et al. 2017); such rows are counted and warned about.

>>> rng = np.random.default_rng(0)
>>> w = waic(rng.normal(-1.0, 0.1, size=(4000, 30)))
>>> round(w["elpd_waic"], 1), w["n"], w["p_waic_over_0.4"]
(-30.2, 30, 0)
"""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from antagonism._core.result import Result

P_WAIC_LIMIT = 0.4


def waic_pointwise(loglik):
    """(elpd_i, p_i) of each row of a (draws, rows) log-likelihood array."""
    loglik = np.asarray(loglik, float)
    S = loglik.shape[0]
    lppd = logsumexp(loglik, axis=0) - np.log(S)
    p = loglik.var(axis=0, ddof=1)
    return lppd - p, p


def waic(loglik):
    """WAIC of a (draws, rows) log-likelihood array: a dict with ``elpd_waic``, ``se``,
    ``waic`` (= -2 elpd), ``waic_se``, ``p_waic``, ``n``, ``p_waic_over_0.4`` and the
    pointwise ``elpd_i`` (list)."""
    elpd_i, p_i = waic_pointwise(loglik)
    n = elpd_i.size
    elpd = float(elpd_i.sum())
    se = float(np.sqrt(n * elpd_i.var(ddof=1))) if n > 1 else float("nan")
    return {"elpd_waic": elpd, "se": se, "waic": -2 * elpd, "waic_se": 2 * se,
            "p_waic": float(p_i.sum()), "n": n,
            "p_waic_over_0.4": int(np.sum(p_i > P_WAIC_LIMIT)), "elpd_i": elpd_i.tolist()}


class ComparisonResult(Result):
    """Models compared by WAIC.

    Keys
    ----
    criterion : str -- what was computed and how
    table : list of dict, best first -- model, elpd_waic, se, p_waic, waic, waic_se,
        delta_elpd (this model minus the best, <= 0), delta_se (SE of that difference from
        the pointwise differences), p_waic_over_0.4
    best : str
    fits : {model: FitResult}
    warnings : list of str
    """

    def to_text(self, units=None):
        head = (f"{'model':<18} {'elpd_waic':>10} {'SE':>7} {'p_waic':>7} {'d_elpd':>8} "
                f"{'SE(d)':>7}")
        rows = [f"{r['model']:<18} {r['elpd_waic']:>10.2f} {r['se']:>7.2f} "
                f"{r['p_waic']:>7.2f} {r['delta_elpd']:>8.2f} {r['delta_se']:>7.2f}"
                for r in self.table]
        parts = [self.criterion, head, *rows, f"best: {self.best}"]
        parts += [f"warning: {w}" for w in self.warnings]
        for name, fit in self.fits.items():
            parts += ["", f"== {name} ==", fit.to_text()]
        return "\n".join(parts)


CRITERION = ("WAIC (Watanabe 2010) from the pointwise log-likelihoods of the posterior "
             "draws: elpd_waic = sum_i [lppd_i - Var_s log p(y_i|theta_s)], higher is better; "
             "SE from the rows; d_elpd = this model minus the best, with the SE of the "
             "pointwise differences (Vehtari, Gelman & Gabry 2017)")


def compare_fits(fits):
    """Compare fitted models on the same data (a {name: FitResult} in order); each fit
    carries its ``waic`` and its pointwise elpd_i (``fit["_elpd_i"]``).  Returns
    :class:`ComparisonResult`."""
    order = sorted(fits, key=lambda k: -fits[k].waic["elpd_waic"])
    best = order[0]
    ref = np.asarray(fits[best]["_elpd_i"])
    table, warnings = [], []
    for name in order:
        w = fits[name].waic
        diff = np.asarray(fits[name]["_elpd_i"]) - ref
        se = float(np.sqrt(diff.size * diff.var(ddof=1))) if diff.size > 1 else 0.0
        table.append({"model": name, "elpd_waic": w["elpd_waic"], "se": w["se"],
                      "p_waic": w["p_waic"], "waic": w["waic"], "waic_se": w["waic_se"],
                      "delta_elpd": float(diff.sum()), "delta_se": se,
                      "p_waic_over_0.4": w["p_waic_over_0.4"]})
        if w["p_waic_over_0.4"]:
            warnings.append(f"{name}: {w['p_waic_over_0.4']} row(s) with p_waic > "
                            f"{P_WAIC_LIMIT}: WAIC is unreliable for them")
        if not fits[name].diagnostics["converged"]:
            warnings.append(f"{name}: the chains have not converged (see its warnings)")
    return ComparisonResult(criterion=CRITERION, table=table, best=best, fits=dict(fits),
                            warnings=warnings)
