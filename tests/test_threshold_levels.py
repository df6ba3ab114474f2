"""The level of a threshold (issue 35): one default rule for every model, the band of levels
at which a model discriminates absolutely, the two potencies, and the renamed keys.

The SHP-1 references are this file's own: ``helpers.shp1_output`` (a numpy linear solve of
the chain and scipy roots of the binding and SHP-1 balances, not the package's code path),
and root finding of tau_cross on a fine grid of doses.  An independent solver, run for the
review that asked for this, found at level 0.2: tau_cross 4.39-4.80 s over L = 316-13,335
(1.62 decades, within 9.2 %); at 0.158: 1.38 decades; at 0.126: 1.12 decades.
"""
import functools
import json
import math
import warnings

import numpy as np
import pytest
from helpers import run_cli, shp1_output
from scipy.optimize import brentq, minimize_scalar

from antagonism.derivations import SHP1, AdaptiveProofreading, create_model
from antagonism.theory import classify
from antagonism.theory.result import RegimeResult
from antagonism.theory.strength import strength_curve
from antagonism.theory.threshold import threshold_binding_time
from antagonism.theory.threshold_levels import level_scan


@functools.cache
def shp1_alone(tau, L):
    return shp1_output([tau], [L])


def crossing(level, L, start):
    """tau_cross(L) of the independent SHP-1 solver: the root of C_N(tau, L) = level next to
    ``start`` (C_N grows with tau at every dose: one root)."""
    a, b = start / 1.5, start * 1.5
    while shp1_alone(a, L) > level:
        a /= 1.5
    while shp1_alone(b, L) < level:
        b *= 1.5
    return brentq(lambda t: shp1_alone(t, L) - level, a, b, xtol=1e-12, rtol=1e-13)


def crossings(level, doses):
    out, start = [], 10.0
    for q in doses:
        start = crossing(level, q, start)
        out.append(start)
    return out


def widest_window(doses, taus, tolerance=0.1):
    """(decades, L_lo, L_hi, tau_lo, tau_hi) of the widest run of ``doses`` over which
    max/min - 1 of ``taus`` stays below ``tolerance`` (a plain double loop)."""
    best = (0.0, None, None, None, None)
    for i in range(len(doses)):
        lo = hi = taus[i]
        for j in range(i + 1, len(doses)):
            lo, hi = min(lo, taus[j]), max(hi, taus[j])
            if hi / lo - 1 >= tolerance:
                break
            span = math.log10(doses[j] / doses[i])
            if span > best[0]:
                best = (span, doses[i], doses[j], lo, hi)
    return best


FINE_DOSES = np.geomspace(100.0, 3e4, 100)  # 40 per decade up to the receptor number


@pytest.mark.parametrize("level,decades", [(0.2, 1.62), (0.158, 1.38), (0.126, 1.12)])
def test_shp1_windows_of_the_independent_solver(level, decades):
    """The quoted widest windows, recomputed here on 40 doses per decade: at least as wide,
    and wider by less than 0.1 decade (a finer dose grid finds a slightly wider window: 1.70,
    1.45 and 1.21 decades at 200 doses per decade)."""
    span = widest_window(FINE_DOSES, crossings(level, FINE_DOSES))[0]
    assert decades <= span <= decades + 0.1, span


def test_shp1_quoted_window_at_level_0_2():
    """tau_cross 4.39-4.80 s over L = 316-13,335, within 9.2 %."""
    taus = crossings(0.2, np.geomspace(316, 13335, 80))
    assert min(taus) == pytest.approx(4.39, abs=0.005)
    assert max(taus) == pytest.approx(4.80, abs=0.005)
    assert max(taus) / min(taus) - 1 == pytest.approx(0.092, abs=0.001)


@functools.lru_cache(maxsize=1)
def shp1_threshold_at(level):
    return threshold_binding_time(SHP1(m=1), level=level, levels=False)


def test_shp1_at_level_0_2_against_the_independent_solver():
    r = shp1_threshold_at(0.2)
    assert r.level_kind == "stated" and r.level == 0.2
    for q, t in zip(r.dose_grid, r.tau_cross):  # every crossing of the package's dose grid
        assert t == pytest.approx(crossing(0.2, q, 5.0), rel=1e-7)
    ad = r.absolute_discrimination  # on the package's grid (4 doses per decade): 1.5 decades
    assert ad["holds"] and ad["dose_range"] == pytest.approx([316.227766017, 1e4])
    between = crossings(0.2, np.geomspace(*ad["dose_range"], 60))  # also between grid doses
    assert max(between) / min(between) - 1 < 0.1


@functools.lru_cache(maxsize=1)
def shp1_classified():
    return classify(SHP1(m=1))


def independent_holds(level, doses):
    """Whether the independent solver's tau_cross varies by less than 10 % over at least a
    decade of the package's dose grid at ``level``."""
    return widest_window(doses, crossings(level, doses))[0] >= 1 - 1e-9


def test_shp1_band_of_levels_against_the_independent_solver():
    """The band's edges: inside it (2 % in) the independent solver finds absolute
    discrimination on the same dose grid, outside it (2 % out) none; the default level
    F(tau_c, L_ref) lies below the band."""
    thr = shp1_classified().threshold
    lo, hi = thr.absolute_discrimination_levels
    doses = thr.dose_grid
    assert 0.09 < lo < 0.126 and 0.2 < hi < 0.3  # the quoted levels 0.126-0.2 lie inside
    assert independent_holds(lo * 1.02, doses) and independent_holds(hi / 1.02, doses)
    assert not independent_holds(lo / 1.02, doses) and not independent_holds(hi * 1.02, doses)
    assert thr.level == pytest.approx(shp1_alone(3.0, 100.0), rel=1e-10) and thr.level < lo
    assert thr.level_scan["band_open"] == {"low": False, "high": False}
    holds = [d >= 1 - 1e-9 for d in thr.level_scan["decades"]]
    inside = [lo <= v <= hi for v in thr.level_scan["levels"]]
    assert holds == inside  # one band: the scan holds exactly inside it


def test_level_scan_of_a_dose_independent_response_is_open_at_both_ends():
    """F = (tau/tau_c)^2 does not depend on L: every scanned level holds, the band is the
    scan's own range and says so."""
    s = level_scan(lambda t, q: (t / 3.0) ** 2, np.geomspace(1, 1e4, 9), 0,
                   tau_range=(0.3, 30.0), tolerance=0.1, min_decades=1.0)
    assert all(s.holds) and s.band_open == {"low": True, "high": True}
    assert s.band == pytest.approx([0.01, 100.0], rel=1e-4)
    for row, theta in zip(s.tau_cross, s.levels):
        assert row == pytest.approx([3.0 * math.sqrt(theta)] * 9, rel=1e-6)
    # a crossing that doubles per decade: no level holds
    s = level_scan(lambda t, q: t * q**0.3, np.geomspace(1, 1e4, 9), 0, tau_range=(1e-3, 1e3),
                   tolerance=0.1, min_decades=1.0)
    assert s.band is None and not any(s.holds)


def test_kpr_discriminates_at_no_level_and_T_Nm_at_every_level():
    kpr = threshold_binding_time(create_model("kpr", N=3, tau_c=3.0))
    assert kpr.absolute_discrimination_levels is None
    tnm = threshold_binding_time(AdaptiveProofreading(5, 3, tau_c=3))
    lo, hi = tnm.absolute_discrimination_levels
    assert tnm.level_scan["band_open"] == {"low": True, "high": True} and lo < 1 < hi


def test_a_stated_level_through_the_command_line():
    """T_{5,3} alone is T = (tau/tau_c)^2: level 2 is crossed at 3 sqrt(2) s at every dose."""
    p = run_cli("classify", "--model", "adaptive", "--N", "5", "--m", "3", "--level", "2",
                "--json")
    assert p.returncode == 0, p.stderr
    thr = json.loads(p.stdout)["threshold"]
    assert thr["level"] == 2.0 and thr["level_kind"] == "stated"
    assert thr["tau_cross"] == pytest.approx([3 * math.sqrt(2)] * len(thr["dose_grid"]))
    assert run_cli("classify", "--level", "-1").returncode == 2
    # the same option for every point of a sweep (T_{3,1}: T = (tau/tau_c)^2 as well)
    p = run_cli("sweep", "--model", "adaptive", "--N", "3", "--m", "1", "--level", "2",
                "--json", "--no-cache")
    assert p.returncode == 0, p.stderr
    (row,) = json.loads(p.stdout)["rows"]
    assert row["threshold"]["tau"] == pytest.approx(3 * math.sqrt(2), rel=1e-9)


# --------------------------------------------------------------- the two potencies


def fc_tnm(t2, L2, t1=3.0, L1=1.0, N=5, m=3):
    w = L2 * t2**m / (L1 * t1**m + L2 * t2**m)
    return 1 - w * (1 - (t2 / t1) ** (N - m))


def ic50_tnm(t2, t1=3.0, L1=1.0, N=5, m=3):
    """FC = 1/2: w (1 - r) = 1/2 with r = (t2/t1)^(N-m), w = L2 t2^m/(L1 t1^m + L2 t2^m):
    L2 = q L1 t1^m / ((1 - q) t2^m), q = 1/(2 (1 - r)) (inf when q >= 1)."""
    q = 0.5 / (1 - (t2 / t1) ** (N - m))
    return math.inf if q >= 1 else q * L1 * t1**m / ((1 - q) * t2**m)


def test_two_ic50s_of_T_5_3_in_closed_form():
    c = strength_curve(AdaptiveProofreading(5, 3, tau_c=3))
    assert c.ic50_dose_at_strongest == pytest.approx(ic50_tnm(c.tau_at_strongest), rel=1e-7)
    best = minimize_scalar(lambda a: ic50_tnm(math.exp(a)), bounds=(math.log(0.5), math.log(2.9)),
                           method="bounded", options={"xatol": 1e-10})
    assert c.min_ic50_dose == pytest.approx(best.fun, rel=1e-6)
    assert c.tau_at_min_ic50 == pytest.approx(math.exp(best.x), rel=1e-3)
    assert c.ic50_dose_at_strongest == pytest.approx(22.4, abs=0.05)
    assert c.min_ic50_dose == pytest.approx(15.2, abs=0.05)


def test_two_ic50s_of_shp1_against_the_independent_solver():
    pot = shp1_classified().potency
    alone = shp1_alone(10.0, 100.0)

    def ic50(t2):
        return math.exp(brentq(lambda x: shp1_output([10.0, t2], [100.0, math.exp(x)]) / alone
                               - 0.5, math.log(10.0), math.log(3e4), xtol=1e-10))

    assert pot["ic50_dose_at_strongest"] == pytest.approx(ic50(pot["tau_at_strongest"]),
                                                          rel=1e-6)
    best = minimize_scalar(lambda a: ic50(math.exp(a)), bounds=(math.log(1.5), math.log(5.0)),
                           method="bounded", options={"xatol": 1e-6})
    assert pot["min_ic50_dose"] == pytest.approx(best.fun, rel=1e-5)
    assert pot["tau_at_min_ic50"] == pytest.approx(math.exp(best.x), rel=1e-2)
    assert pot["ic50_dose_at_strongest"] == pytest.approx(719, abs=1)
    assert pot["min_ic50_dose"] == pytest.approx(359, abs=1)


# --------------------------------------------------------------- one regime word, no duplicates


def test_no_model_reports_a_null_regime():
    for model in (create_model("kpr", N=3), AdaptiveProofreading(5, 1, 3.0),
                  AdaptiveProofreading(5, 3, 3.0)):
        r = classify(model, dose_response=False)
        assert r.regime in ("broad", "specialized")
        assert r.verdict in ("no antagonism", f"{r.regime} antagonism")


def test_renamed_keys_are_read_with_a_warning_and_written_once():
    r = classify(AdaptiveProofreading(5, 3, 3.0))
    new = {"tau_c": r.parameters["tau_c"], "gradient_shape": r.regime,
           "antagonism_strength": r.strength.strength, "antagonism": r.strength.antagonism,
           "tolerance": r.strength.tolerance, "verdict_budget": r.strength.budget["label"],
           "ic50_dose": r.potency["ic50_dose_at_strongest"],
           "threshold_binding_time": r.threshold.tau}
    assert set(new) <= set(RegimeResult.DEPRECATED_KEYS)
    data = r.to_dict()
    again = RegimeResult(json.loads(json.dumps(data)))  # a result read back from its JSON
    for old, value in new.items():
        assert old not in data and old not in r
        for result in (r, again):
            with pytest.warns(DeprecationWarning, match=old):
                assert getattr(result, old) == value
            with pytest.warns(DeprecationWarning):
                assert result[old] == value == result.get(old)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert r.get("no such key") is None and r.regime == "specialized"
    with pytest.raises(AttributeError):
        r.no_such_key  # noqa: B018
