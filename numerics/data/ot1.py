"""The OT-1 / OVA peptide table shipped with the package, and model predictions against it."""
from __future__ import annotations

from importlib.resources import files

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

OT1_FILE = "ot1_peptides.csv"


def load_ot1():
    """The OT-1 / OVA peptide table (sources: ``ot1_sources()``) as a numpy structured array with
    fields peptide, ec50_rel, tau_s, tau_fitted (bool), antagonist_panel (bool).  Sources are
    in the CSV's comment header (``ot1_sources()``)."""
    text = files("antagonism.numerics.data").joinpath(OT1_FILE).read_text()
    rows = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    header, body = rows[0].split(","), [r.split(",") for r in rows[1:]]
    dtype = [("peptide", "U8"), ("ec50_rel", "f8"), ("tau_s", "f8"), ("tau_fitted", "?"),
             ("antagonist_panel", "?")]
    if header != [name for name, _ in dtype]:
        raise InputError(f"unexpected columns in {OT1_FILE}: {header}")
    return np.array([(p, float(e), float(t), f == "1", a == "1") for p, e, t, f, a in body],
                    dtype=dtype)


def ot1_sources():
    text = files("antagonism.numerics.data").joinpath(OT1_FILE).read_text()
    return "\n".join(ln[2:] for ln in text.splitlines() if ln.startswith("#"))


def check_kondo_binding_times(table, rtol=5e-3):
    """Whether tau = 10 s EC50_rel^(-1/6) holds for every non-fitted peptide."""
    fit = ~table["tau_fitted"]
    return bool(np.allclose(table["tau_s"][fit], 10.0 * table["ec50_rel"][fit] ** (-1 / 6),
                            rtol=rtol))


def compare_ot1(fold_change, tau_c=3.0, agonist="N4"):
    """Predicted antagonism of each panel peptide against N4, and where the strongest sits.

    Parameters
    ----------
    fold_change : callable(tau_agonist, tau_antagonist) -> FC
    tau_c : float -- activation threshold (s); "just below threshold" is [tau_c/2, tau_c)

    Returns a Result with per-peptide FC, the predicted strongest antagonist and whether it
    lies among the weak agonists just below threshold, as observed experimentally.
    """
    table = load_ot1()
    tau_ag = float(table["tau_s"][table["peptide"] == agonist][0])
    panel = table[table["antagonist_panel"]]
    fc = np.array([fold_change(tau_ag, t) for t in panel["tau_s"]])
    i = int(np.argmin(fc))
    strongest = panel["peptide"][i]
    t_star = float(panel["tau_s"][i])
    return Result(peptides=list(panel["peptide"]), tau_s=panel["tau_s"], fc=fc,
                  strongest=str(strongest), strongest_tau_s=t_star, tau_c=tau_c,
                  strongest_just_below_threshold=bool(tau_c / 2 <= t_star < tau_c))
