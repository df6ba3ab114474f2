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
        parameter may be named like a field), tau_c included
    method : {"symbolic", "numeric"} -- how the critical points were found
    steady_state_method : {"symbolic", "numeric"} -- how the steady states were computed:
        from derived expressions, or by the numeric engine of a large reaction network
        (:func:`antagonism.theory.evaluation.evaluator_method`)
    regime : {"broad", "specialized"} -- the shape of the per-ligand gradient gamma(tau),
        for every model, whatever the verdict: specialized iff it has a critical point
        (tau_infl) below tau*
    verdict : {"no antagonism", "broad antagonism", "specialized antagonism"} --
        "<regime> antagonism" when the strength is below the tolerance, "no antagonism"
        otherwise
    strength : StrengthResult -- the antagonism strength (``strength.strength``: the
        smallest fold change of the reference agonists' response that antagonists of one
        binding time reach within the dose budget), ``antagonism`` (strength < tolerance),
        ``tolerance``, its tau, dose, budget (with its ``label``), reference agonists
        (:mod:`antagonism.theory.strength`)
    strength_curve : list of dict -- the strength at the budgets 1x, 10x, 100x, 1000x and
        the receptor number: budget, max_dose, strength, tau, dose (absent with
        ``dose_response=False``)
    potency : dict -- ic50_dose_at_strongest (the antagonist dose that halves the response
        at the headline budget's best tau_2, ``tau_at_strongest``), min_ic50_dose (the
        smallest over tau_2, at ``tau_at_min_ic50``), definition (absent with
        ``dose_response=False``)
    threshold : ThresholdResult -- the level (default F(tau_c, L_ref)) and its definition,
        tau (the threshold binding time: tau_cross at the reference dose), tau_cross over a
        log grid of doses, tau_min, tau_max, spread_ratio, absolute_discrimination (holds,
        dose_range, tolerance) and absolute_discrimination_levels (the band of levels at
        which it holds) (:mod:`antagonism.theory.threshold`)
    reference_agonists : dict -- their output against the level (position: above, at or
        below; above_level) and their dose against the absolute-discrimination range
        (inside_absolute_discrimination: None when there is none at the level), with a note
    strongest_antagonist : dict -- tau_star and argmin_within_budget, each with its
        definition
    gradient_antagonistic : bool -- whether some probe has a negative tau-gradient (its sign
        only: not a verdict)
    tau_star_over_tau_threshold, tau_inflection_over_tau_threshold : float or None -- at the
        reference dose; ``..._range`` : [lo, hi] over the threshold's doses
        (tau*/tau_max, tau*/tau_min)
    cause : str -- what makes the verdict, with its numbers
    gradient_critical_point : bool -- interior extremum of the antagonistic gradient
    tau_star : float or None -- zero of the per-ligand tau-gradient (s), computed at
        ``tau_star_at``
    tau_star_at : str -- the background tau* and tau_infl were computed at: the decision
        boundary (closed forms) or a dilute probe next to the reference agonists
    tau_star_over_tau_c : float or None -- tau* / tau_c (the parameter)
    tau_inflection : float or None -- gradient extremum
    small_tau_exponent : float -- p in gamma(tau) ~ tau^p as tau -> 0
    effective_m : float or None -- p + 1 when the leading term is antagonistic
    effective_m_note : str -- present when a model predicts another effective m (SHP-1)
    escape : {"finite-time", "exponential", "frozen", "pushed-to-zero"}
    reasons : list of str
    derivations : dict of name -> Derivation (not serialised by ``to_dict``)

    Renamed keys (``DEPRECATED_KEYS``): the old top-level names that repeated another key
    are still readable for one release, with a DeprecationWarning, and are not in the JSON.
    """

    DEPRECATED_KEYS = {
        "tau_c": ("parameters", "tau_c"),
        "gradient_shape": ("regime",),
        "antagonism_strength": ("strength", "strength"),
        "antagonism": ("strength", "antagonism"),
        "tolerance": ("strength", "tolerance"),
        "verdict_budget": ("strength", "budget", "label"),
        "ic50_dose": ("potency", "ic50_dose_at_strongest"),
        "threshold_binding_time": ("threshold", "tau"),
        "receptors_in_excess": ("parameters", "receptors_in_excess"),
    }

    def _serialised_keys(self):
        return [k for k in self.keys() if k != "derivations"]

    def to_text(self, units=None):
        """The verdict with its size, the threshold, the cause, the regime and its reasons;
        conserved totals for a reaction network."""
        params = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        thr = self.threshold
        s = self.strength
        lines = [f"model: {self.model} ({params})",
                 f"verdict: {self.verdict} (at {s.budget['label']})",
                 f"regime: {self.regime}",
                 f"antagonism strength: {s.strength:.4g} "
                 f"(tolerance {s.tolerance:g}); strongest antagonist: the argmin within "
                 f"the {s.budget['dose_factor']:g}x budget, tau_2 = {s.tau:.4g} s at "
                 f"L_2 = {s.dose:.4g}"]
        curve = self.get("strength_curve")
        if curve:
            from .strength import potency_text

            lines.append("strength by budget: " + ", ".join(
                f"{p['budget']} {p['strength']:.3g} (tau_2 = {p['tau']:.3g} s)"
                for p in curve) + "; the dose that halves the response: "
                + potency_text(self.potency))
        lines += ["threshold binding time: " + ("none (the level is not crossed at the "
                                                "reference dose)" if thr.tau is None
                                                else f"{thr.tau:.4g} s at L = "
                                                f"{thr.reference_dose:g}"),
                  f"threshold over doses: {thr.reason}",
                  f"reference agonists: {self.reference_agonists['note']}"]
        if self.tau_star is not None:
            lines.append(f"strongest antagonist: tau* of a dilute probe (the zero of its "
                         f"gradient, at {self.tau_star_at}), {self.tau_star:.4g} s")
        lines += [f"cause: {self.cause}", f"tau* at {self.tau_star_at}"]
        lines += [f"  - {r}" for r in self.get("reasons", ())]
        totals = self.get("conserved_totals")
        if totals is not None:
            lines.append("conserved totals: " + (", ".join(f"{k} = {v:g}" for k, v in
                                                           totals.items()) or "none"))
        return "\n".join(lines)
