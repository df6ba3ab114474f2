"""The theory layer's result objects; the base :class:`Result` and strict JSON live in
:mod:`antagonism._core.result`."""
from __future__ import annotations

from antagonism._core.result import Result


class RegimeResult(Result):
    """Regime of a model.

    Keys
    ----
    model : str -- the model's registry name
    parameters : dict -- its parameters, under this key only (never flattened: a model
        parameter may be named like a field); tau_c : float -- its threshold binding time
    method : {"symbolic", "numeric"} -- how the critical points were found
    regime : {"broad", "specialized"} -- the shape of the per-ligand gradient gamma(tau):
        specialized iff it has a critical point (tau_infl) below tau*
    verdict : {"no antagonism", "broad antagonism", "specialized antagonism"} -- the regime
        when antagonism is true, "no antagonism" otherwise
    antagonism : bool -- antagonism_strength < tolerance
    antagonism_strength : float -- the smallest fold change of the reference agonists'
        response that antagonists of one binding time reach within the dose budget
    strength : StrengthResult -- its tau, dose, budget, reference agonists
        (:mod:`antagonism.theory.strength`)
    tolerance : float
    gradient_antagonistic : bool -- whether some probe has a negative tau-gradient (its sign
        only: not a verdict)
    threshold_binding_time : float or None -- tau at which the reference dose crosses the
        model's response threshold, from its steady state; None when the model has no
        dose-independent threshold
    threshold : ThresholdResult -- the level, its definition and the crossings at two doses
        (:mod:`antagonism.theory.threshold`)
    tau_star_over_tau_threshold, tau_inflection_over_tau_threshold : float or None
    cause : str -- what makes the verdict, with its numbers
    gradient_critical_point : bool -- interior extremum of the antagonistic gradient
    tau_star : float or None -- zero of the per-ligand tau-gradient (s), computed at
        ``tau_star_at``
    tau_star_at : str -- the background tau* and tau_infl were computed at: the decision
        boundary (closed forms) or a dilute probe next to the reference agonists
    tau_star_over_tau_c : float or None -- tau* / tau_c, tau_c the model's nominal
        (declared) threshold binding time
    tau_inflection : float or None -- gradient extremum
    small_tau_exponent : float -- p in gamma(tau) ~ tau^p as tau -> 0
    effective_m : float or None -- p + 1 when the leading term is antagonistic
    effective_m_note : str -- present when a model predicts another effective m (SHP-1)
    escape : {"finite-time", "exponential", "frozen", "pushed-to-zero"}
    reasons : list of str
    derivations : dict of name -> Derivation (not serialised by ``to_dict``)
    """

    def _serialised_keys(self):
        return [k for k in self.keys() if k != "derivations"]

    def to_text(self, units=None):
        """The verdict with its size, the threshold, the cause, the gradient's shape and
        its reasons; conserved totals for a reaction network."""
        params = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        thr = self.get("threshold_binding_time")
        lines = [f"model: {self.model} ({params})", f"verdict: {self.verdict}",
                 f"antagonism strength: {self.antagonism_strength:.4g} "
                 f"(tolerance {self.tolerance:g})",
                 "threshold binding time: " + ("none (no dose-independent threshold)"
                                               if thr is None else f"{thr:.4g} s"),
                 f"cause: {self.cause}",
                 f"regime (gradient shape): {self.regime}; tau* at {self.tau_star_at}"]
        lines += [f"  - {r}" for r in self.get("reasons", ())]
        totals = self.get("conserved_totals")
        if totals is not None:
            lines.append("conserved totals: " + (", ".join(f"{k} = {v:g}" for k, v in
                                                           totals.items()) or "none"))
        return "\n".join(lines)
