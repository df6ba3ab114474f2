"""Ligand gradients and Hessians of any model's output, for any number of ligands.

Three routes, chosen by what the model provides (see :mod:`.model`):

- **sum form** F(A), A_k = sum_i f_k(tau_i, L_i): single ligand j (and l) out of the sums,
  A_k = R_k + f_k(tau_j, L_j), differentiate with the rest R_k fixed, substitute R_k back.
  This is exact for any number of ligands and keeps symbolic exponents tractable;
- **sum form with shared variables** y fixed by G(A, y) = 0: the implicit-function theorem
  gives dF/dtau_j = sum_k c_k df_k(tau_j, L_j)/dtau_j with c = F_A - Phi H_y^{-1} G_A,
  Phi = F_A D + F_y, H_y = G_A D + G_y and D_kl = sum_i df_k/dy_l (new aggregates);
- **explicit output** only: differentiate the output of a probe type j and one background
  type b (exact for that two-type mixture).
"""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step, derived

tau_j, L_j = sp.symbols("tau_j L_j", positive=True)
tau_l, L_l = sp.symbols("tau_l L_l", positive=True)
tau_b, L_b = sp.symbols("tau_b L_b", positive=True)  # the background type (explicit route)


def _simplify(expr):
    return sp.simplify(sp.powsimp(sp.expand(sp.simplify(expr)), force=True))


def rest_symbol(A):
    """R_k: the aggregate A_k without the singled-out ligands."""
    name = A.name[2:] if A.name.startswith("S_") else A.name
    return sp.Symbol(f"R_{name}", positive=True)


def closure(form):
    """{A: expression through the output T} eliminating ``form.closed_by``, derived by
    solving F = T for it; empty when the form names none."""
    if form.closed_by is None:
        return {}
    sol = sp.solve(sp.Eq(form.output, sy.T), form.closed_by)
    if len(sol) != 1:
        raise ArithmeticError(f"F = T does not fix {form.closed_by} uniquely: {sol}")
    return {form.closed_by: sol[0]}


def singled_out(model, ligands):
    """Write the output with some ligands singled out of the sums.

    Returns ``(expr, back, close)``: ``expr`` is F with A_k = R_k + sum_j f_k(tau_j, L_j);
    ``back`` maps R_k to A_k - sum_j f_k(tau_j, L_j); ``close`` writes results through T.
    """
    form = model.sum_form()
    added = {A: sum(f.subs({sy.tau: t, sy.L: L}, simultaneous=True) for t, L in ligands)
             for A, f in form.terms.items()}
    expr = form.output.subs({A: rest_symbol(A) + a for A, a in added.items()},
                            simultaneous=True)
    back = {rest_symbol(A): A - a for A, a in added.items()}
    return expr, back, closure(form)


def _by_singling_out(model, variables, ligands):
    expr, back, close = singled_out(model, ligands)
    steps = [Step("single out the ligands from the aggregate sums", expr)]
    d = sp.diff(expr, *variables)
    steps.append(Step(f"differentiate with respect to {', '.join(map(str, variables))}", d))
    d = d.subs(back)
    steps.append(Step("substitute the rest sums back", d))
    if close:
        d = d.subs(close)
        steps.append(Step("write the aggregate numerator through the output T", d))
    d = _simplify(d)
    steps.append(Step("simplify", d))
    return d, steps


def implicit_coefficients(form):
    """c_k = dF/dA_k in total, through the shared variables (implicit-function theorem).

    Returns ``(c, D)``: c maps each aggregate to its coefficient, an expression in the
    aggregates, the shared variables and the new aggregates D[k, l] = sum_i df_k/dy_l.
    Without shared variables c_k = dF/dA_k.
    """
    A = sp.Matrix(form.aggregates)
    F_A = sp.Matrix([[sp.diff(form.output, a) for a in A]])
    if not form.shared:
        return dict(zip(form.aggregates, F_A)), sp.zeros(len(A), 0)
    y = form.shared_symbols
    D = sp.Matrix(len(A), len(y), lambda k, l_: sp.Symbol(f"D_{{{A[k]},{y[l_]}}}"))
    G = sp.Matrix([v.constraint for v in form.shared])
    G_A, G_y = G.jacobian(A), G.jacobian(y)
    F_y = sp.Matrix([[sp.diff(form.output, s) for s in y]])
    Phi = F_A * D + F_y
    H_y = G_A * D + G_y
    c = F_A - Phi * H_y.inv() * G_A
    return {a: sp.cancel(ck) for a, ck in zip(form.aggregates, c)}, D


def _by_implicit_function(form, variable):
    c, D = implicit_coefficients(form)
    per_ligand = {A: sp.diff(f, variable).subs({sy.tau: tau_j, sy.L: L_j})
                  for A, f in form.terms.items()}
    expr = sum(c[A] * per_ligand[A] for A in form.aggregates)
    steps = [Step("shared variables y solve G(A, y) = 0", sp.Tuple(*[v.constraint for v in
                                                                     form.shared])),
             Step("total coefficients c = F_A - Phi H_y^{-1} G_A (D_kl = sum_i df_k/dy_l)",
                  sp.Tuple(*c.values())),
             Step(f"dF/d{variable} = sum_k c_k df_k/d{variable} of ligand j", expr)]
    return expr, steps, c


def split_positive(expr, var, domain=None):
    """Write expr = prefactor * bracket with a positive prefactor holding every factor sympy
    can prove positive and the lowest power of ``var`` common to the bracket's terms (decided
    with the model's ``domain`` substitutions)."""
    num, den = sp.fraction(sp.factor_terms(sp.together(expr)))
    pre, rest = [], []
    for f in sp.Mul.make_args(num):
        (pre if f.is_positive else rest).append(f)
    if not den.is_positive:
        rest.append(1 / den)
        den = sp.S.One
    bracket = sp.expand(sp.Mul(*rest))
    low = lowest_power(bracket, var, domain)
    if low is not None and low != 0:
        bracket = sp.expand(sp.powsimp(bracket / var**low, force=True))
        pre.append(var**low)
    bracket = sp.powsimp(bracket, force=True, combine="exp")
    # a positive parameter with a negative power inside the bracket (tau_c^{m-N}) moves out
    for _ in range(3):
        negative = [f for term in sp.Add.make_args(bracket) for f in sp.Mul.make_args(term)
                    if f.is_Pow and f.base != var and f.base.is_positive
                    and f.exp.could_extract_minus_sign()]
        if not negative:
            break
        base, exp = negative[0].base, -negative[0].exp
        bracket = sp.powsimp(sp.expand(bracket * base**exp), force=True, combine="exp")
        pre.append(base ** (-exp))
    return sp.powsimp(sp.Mul(*pre) / den, force=True), bracket


def power_terms(expr, var):
    """Group ``expr`` into {exponent: coefficient} as a sum of powers of ``var``; None when
    some term is not of the form c var^p."""
    grouped = {}
    for term in sp.Add.make_args(sp.expand(sp.powsimp(expr, force=True))):
        power = sp.Add(*[e for base, e in term.as_powers_dict().items() if base == var])
        coeff = sp.powsimp(term / var**power, force=True)
        if coeff.has(var):
            return None
        power = sp.simplify(power)
        grouped[power] = grouped.get(power, 0) + coeff
    return {p: c for p, c in grouped.items() if sp.simplify(c) != 0}


def lowest_power(expr, var, domain=None):
    """The smallest exponent of ``var`` among the terms of ``expr`` when sympy can decide it
    (with the ``domain`` substitutions), else None."""
    terms = power_terms(expr, var)
    if not terms:
        return None
    best = None
    for p in terms:
        if best is None:
            best = p
            continue
        diff = sp.simplify((p - best).subs(domain or {}))
        if diff.is_negative:
            best = p
        elif not diff.is_nonnegative:
            return None
    return best


def _numeric_only(form, name):
    """Per-type steady states solved numerically: no symbolic gradient."""
    reason = "the ligand states of a type have no closed-form steady state: numeric only"
    return Derivation(name, None, (), (reason,), {"route": "numeric per type",
                                                   "prefactor": None, "bracket": None,
                                                   "coefficients": None})


@derived
def gradient_tau(model):
    """Derive dF/dtau_j for ligand j of an arbitrary mixture.

    For T_{N,m}: L_j tau_j^{m-1} (N tau_j^{N-m} - m T tau_c^{N-m}) / (tau_c^{N-m} S_m),
    units of T per second.

    Parts: ``prefactor`` (positive), ``bracket`` (decides the sign), ``route``
    ("sum form", "implicit" or "explicit mixture") and, for sum forms, ``coefficients``
    (aggregate -> dF/dA_k in total).
    """
    form = model.sum_form()
    if form is not None and form.type_states:
        return _numeric_only(form, "dF/dtau_j")
    if form is not None and not form.shared:
        d, steps = _by_singling_out(model, (tau_j,), [(tau_j, L_j)])
        route, coeffs = "sum form", None
    elif form is not None:
        d, steps, coeffs = _by_implicit_function(form, sy.tau)
        route = "implicit"
    else:
        out = model.output((tau_j, tau_b), (L_j, L_b))
        steps = [Step("output of the probe type j and one background type b", out)]
        d = _simplify(sp.diff(out, tau_j))
        steps.append(Step("differentiate with respect to tau_j", d))
        route, coeffs = "explicit mixture", None
    if route == "implicit":
        pre, bracket = sp.S.One, d
    else:
        pre, bracket = split_positive(d, tau_j, model.domain())
        if bracket.is_rational_function(tau_j):
            bracket = sp.factor(bracket)
        steps.append(Step("factor out the positive prefactor; the bracket decides the sign",
                          bracket))
        d = sp.Mul(pre, bracket, evaluate=False)
    return Derivation("dF/dtau_j", d, tuple(steps), ("tau_j > 0", "L_j > 0"),
                      {"prefactor": pre, "bracket": bracket, "route": route,
                       "coefficients": coeffs})


@derived
def gradient_L(model):
    """Derive dF/dL_j: for T_{N,m}, tau_j^m (tau_j^{N-m} - T tau_c^{N-m}) / (tau_c^{N-m} S_m).

    Parts: ``route``."""
    form = model.sum_form()
    if form is not None and form.type_states:
        return _numeric_only(form, "dF/dL_j")
    if form is not None and not form.shared:
        d, steps = _by_singling_out(model, (L_j,), [(tau_j, L_j)])
        route = "sum form"
    elif form is not None:
        d, steps, _ = _by_implicit_function(form, sy.L)
        route = "implicit"
    else:
        out = model.output((tau_j, tau_b), (L_j, L_b))
        d = _simplify(sp.diff(out, L_j))
        steps = [Step("output of the probe type j and one background type b", out),
                 Step("differentiate with respect to L_j", d)]
        route = "explicit mixture"
    return Derivation("dF/dL_j", d, tuple(steps), ("tau_j > 0",), {"route": route})


@derived
def hessian_structural(model):
    """Derive the Hessian in (tau_j, tau_l, L_j, L_l) for two distinct ligands j != l.

    Entries on the (tau_j, tau_j), (tau_j, L_j) and (L_j, L_j) positions are the diagonal
    blocks, the others the couplings between ligands; valid for any number of ligands.
    Needs a sum form without shared variables (``expr`` is None otherwise).
    """
    form = model.sum_form()
    variables = (tau_j, tau_l, L_j, L_l)
    if form is None or form.implicit:
        return Derivation("Hessian in (tau_j, tau_l, L_j, L_l)", None, (),
                          ("needs a sum form without shared variables; use numerics",))
    expr, back, close = singled_out(model, [(tau_j, L_j), (tau_l, L_l)])
    H = sp.hessian(expr, variables).subs(back)
    if close:
        H = H.subs(close)
    H = H.applyfunc(_simplify)
    steps = (Step("single out ligands j and l", expr),
             Step("Hessian, rest sums substituted back", H))
    return Derivation("Hessian in (tau_j, tau_l, L_j, L_l)", H, steps, ("j != l",))


def hessian_explicit(model, K):
    """The full 2K x 2K Hessian of the K-type mixture output in (tau_1..tau_K, L_1..L_K)."""
    expr, taus, Ls = model.mixture_output(K)
    H = sp.hessian(expr, taus + Ls)
    return Derivation(f"Hessian of the {K}-type mixture", H, (Step("output", expr),), ())


@derived
def intensive_gradient(model):
    """Derive gamma(tau) = lim_{L_j -> 0} (dF/dtau_j) / L_j at a fixed background: the
    gradient per molecule of a dilute ligand type, the same for every ligand at the same tau.

    For T_{N,m}: tau^{m-1} (N tau^{N-m} - m T tau_c^{N-m}) / (tau_c^{N-m} S_m).  Critical
    points of the output and of the gradient are roots of gamma and of d gamma / d tau.

    With a sum form, gamma = sum_k c_k d phi_k/dtau (phi_k the per-molecule term, c_k the
    total coefficient, written through T where the form allows).  Without one, the background
    is one ligand type (tau_b, L_b).

    Parts: ``prefactor`` (positive), ``bracket`` (decides the sign; for power sums a sum of
    powers of tau), ``coefficients`` (sum forms) and ``route``.
    """
    form = model.sum_form()
    if form is not None and form.type_states:
        return _numeric_only(form, "gamma(tau) = (dF/dtau_j)/L_j")
    if form is not None:
        coeffs, _ = implicit_coefficients(form)
        close = closure(form)
        coeffs = {A: _simplify(c.subs(close)) for A, c in coeffs.items()}
        phis = form.per_molecule()
        gamma = sum(coeffs[A] * sp.diff(phis[A], sy.tau) for A in form.aggregates)
        steps = [Step("per-molecule terms phi_k(tau) = lim f_k / L", sp.Tuple(*phis.values())),
                 Step("total coefficients c_k = dF/dA_k" + (" written through T" if close
                                                            else ""),
                      sp.Tuple(*coeffs.values())),
                 Step("gamma = sum_k c_k d phi_k / d tau", gamma)]
        route = "implicit" if form.shared else "sum form"
    else:
        out = model.output((tau_j, tau_b), (L_j, L_b))
        slope = sp.diff(out, tau_j)
        gamma = sp.limit(slope / L_j, L_j, 0, "+") if slope.has(L_j) else slope
        gamma = gamma.subs(tau_j, sy.tau)
        steps = [Step("probe j in a background type b: dF/dtau_j", slope),
                 Step("dilute limit L_j -> 0 of (dF/dtau_j)/L_j", gamma)]
        coeffs, route = None, "explicit mixture"
    if route == "implicit":
        pre, bracket = sp.S.One, gamma
    else:
        gamma = _simplify(gamma)
        pre, bracket = split_positive(gamma, sy.tau, model.domain())
        steps.append(Step("positive prefactor and sign-deciding bracket", sp.Tuple(pre,
                                                                                  bracket)))
        gamma = _simplify(pre * bracket)
    return Derivation("gamma(tau) = (dF/dtau_j)/L_j", gamma, tuple(steps),
                      ("aggregates fixed (dilute ligand)",),
                      {"prefactor": pre, "bracket": bracket, "coefficients": coeffs,
                       "route": route})
