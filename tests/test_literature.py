"""The literature table's rows against independent numerics: ODE integration of each network
(numerics/cells/ode.py) at the strongest antagonist and at the derived threshold, and a
scan of the fold change that no grid point may beat."""
import json

import numpy as np
import pytest
from helpers import run_cli

from antagonism.io.reaction_files import literature_files, load_model_file
from antagonism.numerics.cells.ode import integrate_network
from antagonism.numerics.experiments.literature import literature_row, literature_table
from antagonism.theory import model_evaluator

FILES = literature_files()


def check_row(stem, row, scan=(12, 5)):
    model = load_model_file(FILES[stem])
    (t1,), (L1,) = row.reference_agonist["tau"], row.reference_agonist["L"]
    alone = integrate_network(model, [t1], [L1]).output
    mix = integrate_network(model, [t1, row.strength_tau], [L1, row.strength_dose]).output
    assert mix / alone == pytest.approx(row.antagonism_strength, rel=1e-6)
    assert row.antagonism is (row.antagonism_strength < 0.9)
    assert row.verdict.startswith("no") is (not row.antagonism)
    # no point of an independent scan of the budget reaches a smaller fold change
    ev = model_evaluator(model)
    lo, hi = row.budget["tau_range"]
    fcs = [ev.output([t1, t], [L1, q]) / ev.output([t1], [L1])
           for t in np.geomspace(lo, hi, scan[0])
           for q in np.geomspace(1.0, row.budget["max_dose"], scan[1])]
    assert min(fcs) >= row.antagonism_strength - 1e-9
    # the threshold: the default level is the reference dose's response at tau_c (ODE),
    # crossed there at tau_c; the crossings at the other doses of a coarse sub-grid (ODE)
    thr = row.threshold
    assert thr["level"] == pytest.approx(
        integrate_network(model, [row.tau_c], [L1]).output, rel=1e-6)
    assert row.threshold_binding_time == thr["tau"] == pytest.approx(row.tau_c, rel=1e-9)
    for q, t in list(zip(thr["dose_grid"], thr["tau_cross"]))[::5]:
        if t is not None:
            assert integrate_network(model, [t], [q]).output == pytest.approx(
                thr["level"], rel=1e-6)


def test_mckeithan_row_and_cli():
    row = literature_row("mckeithan_kpr", FILES["mckeithan_kpr"])
    check_row("mckeithan_kpr", row)
    assert row.verdict == "no antagonism" and row.antagonism_strength >= 0.99
    out = json.loads(run_cli("classify", "--model-file", str(FILES["mckeithan_kpr"]),
                             "--json").stdout)
    assert out["strength"]["antagonism"] is False and out["strength"]["strength"] >= 0.9
    assert out["strength"]["budget"]["max_dose"] == 1e4 and out["regime"] == "broad"
    assert out["threshold"]["absolute_discrimination_levels"] is None
    assert "receptor competition" in out["cause"]
    assert out["structure"].startswith("pure kinetic proofreading")


@pytest.mark.slow
def test_every_literature_row_against_ode_and_a_scan():
    rows = {r.file[:-4]: r for r in literature_table()}
    assert set(rows) == set(FILES)
    for stem, row in rows.items():
        check_row(stem, row)
    assert rows["shp1"].verdict == "specialized antagonism"
    assert rows["kpr_negative_feedback"].verdict == "no antagonism"
    assert rows["kpr_negative_feedback_c1"].verdict == "specialized antagonism"
    assert rows["adaptive_sorting"].antagonism is True
    pub = rows["adaptive_sorting_published"]
    assert pub.absolute_discrimination["holds"] and pub.absolute_discrimination["decades"] >= 2
    assert pub.antagonism_strength < 0.1 and pub.absolute_discrimination_levels is not None
    assert not rows["adaptive_sorting"].reference_agonists["inside_absolute_discrimination"]
    for stem in ("mckeithan_kpr", "kpr_limited_signalling", "kpr_sustained_signalling",
                 "induced_rebinding"):
        assert rows[stem].verdict == "no antagonism"
