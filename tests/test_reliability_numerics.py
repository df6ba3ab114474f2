"""Results near the ends of the float range are right, or refused -- never silently wrong."""
import json

import mpmath as mp
import pytest
from helpers import run_cli


def _inflection_mpmath(N, m, tau_c, L1, L2, tau1):
    """Root of d^2F/dtau_2^2 below the minimum of F(tau_2) for T_{N,m} (agonists L1 at
    tau1, antagonists L2 at tau_2), at 50 digits with mpmath's own differentiation."""
    mp.mp.dps = 50
    N, m, tau_c, L1, L2, tau1 = map(mp.mpf, (N, m, tau_c, L1, L2, tau1))

    def F(t):
        return (L1 * tau1**N + L2 * t**N) / (tau_c ** (N - m) * (L1 * tau1**m + L2 * t**m))

    t_min = mp.findroot(lambda t: mp.diff(F, t), mp.mpf("1.8"))
    t_infl = mp.findroot(lambda t: mp.diff(F, t, 2), mp.mpf("0.9"))
    assert 0 < t_infl < t_min
    return float(t_infl), float(t_min)


@pytest.mark.parametrize("R", ["1e4", "1e300"])
def test_potential_keeps_its_inflection_up_to_the_float_limit(R):
    p = run_cli("potential", "--N", "4", "--m", "2", "--R", R, "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    t_infl, t_min = _inflection_mpmath(4, 2, 3, 0.4 * float(R), 0.6 * float(R), 3)
    assert out["tau_min"] == pytest.approx(t_min, rel=1e-8)
    assert out["tau_inflection"] == pytest.approx(t_infl, rel=1e-7)


def test_a_non_finite_steady_state_is_never_printed():
    p = run_cli("steady", "--model", "kpr", "--tau", "1e100", "--L", "1")
    # either the right value (C_N -> L kappa R phi^N ... finite) or a refusal; never NaN
    assert "nan" not in p.stdout.lower() and "inf" not in p.stdout.lower()
    if p.returncode != 0:
        # refused as a number that leaves double precision (PrecisionError: exit 2, one line)
        assert p.returncode == 2 and "double precision" in p.stderr and p.stdout == ""
        assert len(p.stderr.strip().splitlines()) == 1


def test_fold_change_at_a_huge_antagonist_dose_is_the_single_type_ratio():
    """At tau_2 = tau_1 the mixture is one ligand type of dose L1 + L2, so the fold change is
    F(tau_1, L1 + L2) / F(tau_1, L1), read here from two runs of `steady` (the old large-L
    bug gave FC = 0 there)."""
    p = run_cli("fold-change", "--model", "shp1", "--L2", "1e300", "--tau2-max", "10",
                "--points", "5", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["tau2"][-1] == pytest.approx(10.0)

    def output(L):
        q = run_cli("steady", "--model", "shp1", "--tau", "10", "--L", L, "--json")
        assert q.returncode == 0, q.stderr
        return json.loads(q.stdout)["output"]

    expected = output("1e300") / output("100")
    assert 0 < expected < 1
    assert out["fc"][-1] == pytest.approx(expected, rel=1e-8)
    assert all(0 <= f <= 1.5 for f in out["fc"])
