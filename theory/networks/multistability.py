"""Verdicts on networks with several steady states.

A classification is built on the states cells reach from rest (:mod:`.attractor`).  Two
checks make sure of it:

- :func:`closed_form_is_from_rest`: a network small enough for the closed-form path
  (``NetworkModel.derivation_method() == "symbolic"``) solves its shared species by root
  finding, which may land on another branch than the one a resting cell reaches (or on a
  saddle).  At the model's reference agonists the closed form's output is compared with the
  state reached from rest; where they differ by more than 1e-6, or the closed-form path
  fails there, the model is switched to the numeric engine
  (``NetworkModel.use_numeric_engine``), with the reason.
- :func:`multistability`: at the reference agonists and at every tested mixture (the
  strongest antagonist of the verdict), every steady state found
  (:func:`.branches.all_steady_states`) with its stability.  The network is bistable where
  one of them has several stable states; the fold change on the other stable branch
  (agonists and mixture each on their other stable state, paired by order of output; the
  mixture's other states against the agonists' one state where the agonists have one) is
  reported next to the one from rest.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import ConvergenceError, ModelError

#: relative difference of the closed-form and the from-rest outputs at the reference
#: agonists beyond which the closed-form path is not the state reached from rest
AGREE = 1e-6


def closed_form_is_from_rest(model):
    """(True, None) when the closed-form path's output at the model's reference agonists is
    the state reached from rest (within :data:`AGREE`), else (False, reason)."""
    from ..sum_form_evaluator import SumFormEvaluator
    from .engine import NetworkEvaluator

    taus, Ls = model.reference_background()
    taus, Ls = [float(t) for t in taus], [float(x) for x in Ls]
    try:
        rest = NetworkEvaluator(model).steady_state(taus, Ls).output
    except (ConvergenceError, ModelError, ArithmeticError):
        return True, None  # nothing to compare with: the closed form stands (and reports)
    try:
        closed = SumFormEvaluator(model).steady_state(taus, Ls).output
    except Exception as e:  # noqa: BLE001 (any failure of the closed-form path)
        return False, (f"the closed-form path fails at the reference agonists tau = {taus} "
                       f"s, L = {Ls} ({type(e).__name__}: {e}); the numeric engine solves "
                       "them")
    if abs(closed - rest) <= AGREE * max(abs(closed), abs(rest)):
        return True, None
    return False, (f"at the reference agonists tau = {taus} s, L = {Ls} the closed-form "
                   f"path gives the output {closed:.8g}, the state reached from rest "
                   f"{rest:.8g}: several steady states, and the verdict is built on the one "
                   "reached from rest")


def _states_at(ev, taus, Ls):
    found = ev.steady_states(taus, Ls, starts=4)
    stable = sorted(s["output"] for s in found.states if s["stable"])
    return {"tau": list(map(float, taus)), "L": list(map(float, Ls)),
            "from_rest_output": found.states[0]["output"],
            "from_rest": found.states[0]["from_rest"],
            "stable_outputs": stable,
            "unstable_outputs": sorted(s["output"] for s in found.states
                                       if s["stable"] is False),
            "undetermined_outputs": sorted(s["output"] for s in found.states
                                           if s["stable"] is None)}


def multistability(model, strength):
    """The steady states at the reference agonists and at the strongest antagonist's
    mixture (``strength``: a :class:`~antagonism.theory.strength.StrengthResult`), as a
    dict: ``bistable``, ``points`` ({name: states}) and, when the mixture has two stable
    states or more, ``other_branch_fold_change`` (module docstring): the other branches'
    fold changes, against the agonists' other states where they have several, against
    their one state otherwise."""
    from .engine import NetworkEvaluator

    ref = strength.reference_agonist
    taus, Ls = list(ref["tau"]), list(ref["L"])
    ev = NetworkEvaluator(model)
    points = {"reference agonists": (taus, Ls)}
    if strength.get("tau") is not None and strength.get("dose") is not None:
        points["strongest antagonist mixture"] = (taus + [float(strength.tau)],
                                                  Ls + [float(strength.dose)])
    found = {}
    for name, (t, L) in points.items():
        try:
            found[name] = _states_at(ev, t, L)
        except (ConvergenceError, ModelError, ArithmeticError) as e:
            found[name] = {"tau": t, "L": L, "error": str(e)}
    counts = [len(v.get("stable_outputs", ())) for v in found.values()]
    out = {"bistable": any(c > 1 for c in counts), "points": found}
    a = found["reference agonists"]
    m = found.get("strongest antagonist mixture", {})
    if len(a.get("stable_outputs", ())) > 1 and len(m.get("stable_outputs", ())) > 1:
        pairs = []
        for x, y in zip(a["stable_outputs"], m["stable_outputs"]):
            if np.isclose(x, a["from_rest_output"], rtol=1e-9):
                continue  # the branch from rest: the headline fold change
            pairs.append({"agonists": x, "mixture": y, "fold_change": y / x if x else None})
        out["other_branch_fold_change"] = pairs
    elif len(m.get("stable_outputs", ())) > 1 and a.get("stable_outputs"):
        # one state at the agonists, several at the mixture: each other mixture state
        # against the agonists' state
        x = a["from_rest_output"]
        out["other_branch_fold_change"] = [
            {"agonists": x, "mixture": y, "fold_change": y / x if x else None}
            for y in m["stable_outputs"] if not np.isclose(y, m["from_rest_output"], rtol=1e-9)]
    unstable = [k for k, v in found.items() if v.get("from_rest") is False]
    if unstable:
        out["not_from_rest"] = unstable
    return out


__all__ = ["AGREE", "closed_form_is_from_rest", "multistability"]
