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
    steady_state_method : {"symbolic", "numeric"} -- how the steady states were computed:
        from derived expressions, or by the numeric engine of a large reaction network
        (:func:`antagonism.theory.evaluation.evaluator_method`)
    regime : {"broad", "specialized"} or None -- the regime of the antagonism: the
        gradient's shape when antagonism is true, None ("no antagonism") otherwise
    gradient_shape : {"broad", "specialized"} -- the shape of the per-ligand gradient
        gamma(tau), whatever the verdict: specialized iff it has a critical point (tau_infl)
        below tau*
    verdict : {"no antagonism", "broad antagonism", "specialized antagonism"} -- the regime
        when antagonism is true, "no antagonism" otherwise
    antagonism : bool -- antagonism_strength < tolerance
    antagonism_strength : float -- the smallest fold change of the reference agonists'
        response that antagonists of one binding time reach within the dose budget
    strength : StrengthResult -- its tau, dose, budget, reference agonists
        (:mod:`antagonism.theory.strength`)
    verdict_budget : str -- the budget the verdict and the strength are at (default 100x the
        reference agonists' dose, capped by the receptor number)
    strength_curve : list of dict -- the strength at the budgets 1x, 10x, 100x, 1000x and
        the receptor number: budget, max_dose, strength, tau, dose (absent with
        ``dose_response=False``)
    ic50_dose : float or None; potency : dict -- the antagonist dose that halves the
        response at the headline budget's best tau_2, with that tau and its definition
    reference_agonists : dict -- their output against the threshold's level (above_level)
        and their dose against the absolute-discrimination range
        (inside_absolute_discrimination: None when the model has none), with a note
    strongest_antagonist : dict -- tau_star and argmin_within_budget, each with its
        definition
    tolerance : float
    gradient_antagonistic : bool -- whether some probe has a negative tau-gradient (its sign
        only: not a verdict)
    threshold_binding_time : float or None -- tau_cross at the reference dose: the binding
        time at which the reference dose crosses the threshold's level (the model's
        declared threshold, or the level two doses L and 10 L cross at the same tau); None
        when the model has no level of its own and does not discriminate absolutely at the
        reference dose
    threshold : ThresholdResult -- the level and its definition, tau_cross over a log grid
        of doses, tau_min, tau_max, spread_ratio and absolute_discrimination (holds,
        dose_range, tolerance) (:mod:`antagonism.theory.threshold`)
    tau_star_over_tau_threshold, tau_inflection_over_tau_threshold : float or None -- at the
        reference dose; ``..._range`` : [lo, hi] over the threshold's doses
        (tau*/tau_max, tau*/tau_min)
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
        s = self.strength
        lines = [f"model: {self.model} ({params})",
                 f"verdict: {self.verdict} (at {self.get('verdict_budget', 'the budget')})",
                 f"antagonism strength: {self.antagonism_strength:.4g} "
                 f"(tolerance {self.tolerance:g}); strongest antagonist: the argmin within "
                 f"the {s.budget['dose_factor']:g}x budget, tau_2 = {s.tau:.4g} s at "
                 f"L_2 = {s.dose:.4g}"]
        curve = self.get("strength_curve")
        if curve:
            lines.append("strength by budget: " + ", ".join(
                f"{p['budget']} {p['strength']:.3g} (tau_2 = {p['tau']:.3g} s)"
                for p in curve) + "; ic50_dose " + (
                "none" if self.ic50_dose is None else f"{self.ic50_dose:.4g}"))
        lines += ["threshold binding time: " + ("none (no level of its own, no absolute "
                                                "discrimination at the reference dose)"
                                                if thr is None else f"{thr:.4g} s"),
                  f"threshold over doses: {self.threshold.reason}",
                  f"reference agonists: {self.reference_agonists['note']}"]
        if self.tau_star is not None:
            lines.append(f"strongest antagonist: tau* of a dilute probe (the zero of its "
                         f"gradient, at {self.tau_star_at}), {self.tau_star:.4g} s")
        lines += [f"cause: {self.cause}",
                  f"gradient shape: {self.get('gradient_shape', self.regime)}; tau* at "
                  f"{self.tau_star_at}"]
        lines += [f"  - {r}" for r in self.get("reasons", ())]
        totals = self.get("conserved_totals")
        if totals is not None:
            lines.append("conserved totals: " + (", ".join(f"{k} = {v:g}" for k, v in
                                                           totals.items()) or "none"))
        return "\n".join(lines)
