"""Model files as users have them: BioModels-style SBML written here (assignment rules for
readouts, function definitions, zero rates, names that are sympy functions, receptor totals
stored in a bound state), each steady state checked against an ODE integrated here with
scipy from the same reactions; hostile text in every field never runs; clear refusals that
name the element at fault; the command line's designation flags."""
import json

import libsbml
import numpy as np
import pytest
import sympy as sp
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.network_model import NetworkModel
from antagonism.derivations.reactions import ReactionNetwork
from antagonism.io.reaction_files import (
    antimony_to_sbml,
    load_model_file,
    network_from_antimony,
)
from antagonism.theory import classify, model_evaluator

# -- a BioModels-style KPR file -------------------------------------------------------------
# Names chosen to collide with sympy: E1 (kon), Si (phosphorylation), ln (dephosphorylation),
# re (a rate that is zero), Ci (a species), beta (unused by rates, a readout's scale).
VALUES = {"E1": 1e-4, "Si": 0.09, "ln": 0.02, "re": 0.0, "scale": 1.0, "tau": 10.0,
          "beta": 2.0}
R_T = 3e4
SPECIES = ["L", "R", "C0", "Ci", "C2"]
REACTIONS = [  # id, reactants, products, kinetic law (SBML infix)
    ("bind", {"L": 1, "R": 1}, {"C0": 1}, "binding(kon_eff, L, R)"),
    ("off0", {"C0": 1}, {"L": 1, "R": 1}, "C0/tau"),
    ("off1", {"Ci": 1}, {"L": 1, "R": 1}, "Ci/tau"),
    ("off2", {"C2": 1}, {"L": 1, "R": 1}, "C2/tau"),
    ("p1", {"C0": 1}, {"Ci": 1}, "Si*C0"),
    ("p2", {"Ci": 1}, {"C2": 1}, "Si*Ci"),
    ("back", {"Ci": 1}, {"C0": 1}, "ln*Ci"),
    ("zero", {"C2": 1}, {"Ci": 1}, "re*C2"),
]
RULES = {"kon_eff": "E1*scale",  # used by a rate law: substituted
         "signal": "C2",  # used by the output directive: substituted
         "bound_total": "beta*(C0 + Ci + C2)"}  # a readout only: ignored and reported


def write_sbml(path, *, initial=None, values=None, reactions=REACTIONS, rules=RULES,
               notes=("ligand = L", "output = signal"), functions=None, events=False,
               rate_rule=None):
    """An SBML Level 3 file built with libsbml's API (math from libsbml's own parser)."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("biomodels_style_kpr")
    c = m.createCompartment()
    c.setId("cell"), c.setSize(1.0), c.setConstant(True)
    initial = {"L": 1000.0, "R": R_T, "C0": 0.0, "Ci": 0.0, "C2": 0.0, **(initial or {})}
    for s in SPECIES:
        sp_ = m.createSpecies()
        sp_.setId(s), sp_.setCompartment("cell"), sp_.setInitialConcentration(initial[s])
        sp_.setHasOnlySubstanceUnits(False), sp_.setBoundaryCondition(False)
        sp_.setConstant(False)
    values = {**VALUES, **(values or {})}
    for k, v in values.items():
        p = m.createParameter()
        p.setId(k), p.setValue(v), p.setConstant(True)
    for var in rules:
        p = m.createParameter()
        p.setId(var), p.setConstant(False)
    for fid, formula in (functions or {"binding": "lambda(k, a, b, k*a*b)"}).items():
        f = m.createFunctionDefinition()
        f.setId(fid)
        f.setMath(libsbml.parseL3Formula(formula))
    for rid, lhs, rhs, law in reactions:
        r = m.createReaction()
        r.setId(rid), r.setReversible(False)
        for s, n in lhs.items():
            x = r.createReactant()
            x.setSpecies(s), x.setStoichiometry(n), x.setConstant(True)
        for s, n in rhs.items():
            x = r.createProduct()
            x.setSpecies(s), x.setStoichiometry(n), x.setConstant(True)
        k = r.createKineticLaw()
        math = libsbml.parseL3Formula(law)
        assert math is not None, law
        k.setMath(math)
    for var, formula in rules.items():
        rule = m.createAssignmentRule()
        rule.setVariable(var), rule.setMath(libsbml.parseL3Formula(formula))
    if rate_rule:
        rule = m.createRateRule()
        rule.setVariable(rate_rule), rule.setMath(libsbml.parseL3Formula("0.1"))
    if events:
        e = m.createEvent()
        e.setId("stimulus"), e.setUseValuesFromTriggerTime(True)
        t = e.createTrigger()
        t.setInitialValue(False), t.setPersistent(True)
        t.setMath(libsbml.parseL3Formula("time > 10"))
    if notes:
        m.setNotes('<body xmlns="http://www.w3.org/1999/xhtml">'
                   + "".join(f"<p>antagonism: {n}</p>" for n in notes) + "</body>")
    path.write_text(libsbml.writeSBMLToString(doc))
    return path


def ode_steady_state(tau, y0, values=VALUES):
    """Independent: the ODE of REACTIONS written out in numpy (rules substituted by hand),
    integrated with scipy's LSODA and its exact Jacobian to t = 1e6 s."""
    p = {**values, "tau": tau}
    kon = p["E1"] * p["scale"]

    def rates(y):
        L, R, C0, Ci, C2 = y
        return np.array([kon * L * R, C0 / tau, Ci / tau, C2 / tau,
                         p["Si"] * C0, p["Si"] * Ci, p["ln"] * Ci, p["re"] * C2])

    def d_rates(y):  # d rate_j / d y_k
        L, R = y[0], y[1]
        D = np.zeros((len(REACTIONS), len(SPECIES)))
        D[0, 0], D[0, 1] = kon * R, kon * L
        D[1, 2] = D[2, 3] = D[3, 4] = 1 / tau
        D[4, 2], D[5, 3], D[6, 3], D[7, 4] = p["Si"], p["Si"], p["ln"], p["re"]
        return D

    S = np.zeros((len(SPECIES), len(REACTIONS)))
    for j, (_, lhs, rhs, _) in enumerate(REACTIONS):
        for s, n in lhs.items():
            S[SPECIES.index(s), j] -= n
        for s, n in rhs.items():
            S[SPECIES.index(s), j] += n
    sol = solve_ivp(lambda t, y: S @ rates(y), (0, 1e6), y0, method="LSODA",
                    jac=lambda t, y: S @ d_rates(y), rtol=1e-11, atol=1e-9)
    y = sol.y[:, -1]
    assert sol.success and np.max(np.abs(S @ rates(y))) < 1e-7
    return dict(zip(SPECIES, y))


@pytest.mark.parametrize("tau,L", [(10.0, 1000.0), (2.0, 5e4)])
def test_biomodels_style_file_matches_its_ode(tmp_path, tau, L):
    model = load_model_file(write_sbml(tmp_path / "kpr.xml"))
    ss = ode_steady_state(tau, [L, R_T, 0, 0, 0])
    assert model_evaluator(model).output([tau], [L]) == pytest.approx(ss["C2"], rel=1e-8)
    assert model.dropped_reactions == ("zero",)
    assert model.network.extra["ignored_rules"] == ("bound_total",)
    assert {"E1", "Si", "ln", "scale"} <= set(model.parameters())


def test_classification_reports_dropped_reactions_and_ignored_rules(tmp_path):
    r = classify(load_model_file(write_sbml(tmp_path / "kpr.xml")))
    assert r.regime in ("broad", "specialized")
    assert r.dropped_reactions == ["zero"] and r.ignored_rules == ["bound_total"]
    assert r.parameters["re"] == 0.0


def test_param_rescues_a_zero_rate_before_validation(tmp_path):
    path = write_sbml(tmp_path / "kpr.xml")
    model = load_model_file(path, overrides={"re": 0.05})
    assert model.dropped_reactions == ()
    values = {**VALUES, "re": 0.05}
    ss = ode_steady_state(3.0, [1000.0, R_T, 0, 0, 0], values)
    assert model_evaluator(model).output([3.0], [1000.0]) == pytest.approx(ss["C2"], rel=1e-8)
    # and on the command line
    p = run_cli("classify", "--model-file", path, "--param", "re=0.05", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["dropped_reactions"] == [] and out["parameters"]["re"] == 0.05


def test_a_zero_binding_rate_leaves_no_ligand_binding(tmp_path):
    path = write_sbml(tmp_path / "kpr.xml", values={"E1": 0.0})
    with pytest.raises(NetworkFileError, match="no reaction binds the ligand L"):
        load_model_file(path)
    assert load_model_file(path, overrides={"E1": 1e-4}).dropped_reactions == ("zero",)


def test_receptor_total_stored_in_a_bound_state(tmp_path):
    """All receptors start in C0, the free receptor at 0 (as in many BioModels files):
    the receptor total is R + C0 + Ci + C2 at the start, R_T."""
    tau, L = 4.0, 5e4
    path = write_sbml(tmp_path / "kpr.xml", initial={"R": 0.0, "C0": R_T})
    model = load_model_file(path)
    # the same conserved totals in the ODE: ligand L per type, receptors R_T
    ss = ode_steady_state(tau, [L - R_T, 0.0, R_T, 0.0, 0.0])
    assert model_evaluator(model).output([tau], [L]) == pytest.approx(ss["C2"], rel=1e-8)
    # and it classifies against a response that is there (the old reader took R_T = 0)
    assert {m.name: m.total for m in model.moieties()}["R_T"] == pytest.approx(R_T)
    r = classify(model)
    assert r.strength.reference_agonist["output"] > 0 and 0 < r.strength.strength <= 1


def test_names_that_are_sympy_functions_in_antimony(tmp_path):
    text = """
    // antagonism: ligand = I
    // antagonism: output = Shi + Chi
    // antagonism: binding_time = Li
    model names
      species I, N, S, E, Shi, Chi
      b: I + N -> S; li*I*N
      u0: S -> I + N; S/Li
      u1: Shi -> I + N; Shi/Li
      u2: Chi -> I + N; Chi/Li
      f: S -> Shi; ff*S*E/(rf + E)
      g: Shi -> Chi; beta*Shi
      I = 0; N = 2e4; E = 5; S = 0; Shi = 0; Chi = 0
      li = 1e-4; ff = 0.1; rf = 2; beta = 0.05; Li = 5
      E has substance_per_volume; E is constant? E
    end
    """.replace("      E has substance_per_volume; E is constant? E\n", "")
    model = NetworkModel(network_from_antimony(text))
    tau, L = 5.0, 800.0
    kon, ff, rf, beta, N_T, E = 1e-4, 0.1, 2.0, 0.05, 2e4, 5.0
    phi = ff * E / (rf + E)  # E is never consumed: a constant catalyst

    def rhs(t, y):
        I_, N_, S_, Shi, Chi = y
        v = [kon * I_ * N_, S_ / tau, Shi / tau, Chi / tau, phi * S_, beta * Shi]
        return [-v[0] + v[1] + v[2] + v[3], -v[0] + v[1] + v[2] + v[3],
                v[0] - v[1] - v[4], v[4] - v[2] - v[5], v[5] - v[3]]

    sol = solve_ivp(rhs, (0, 1e6), [L, N_T, 0, 0, 0], method="BDF", rtol=1e-11, atol=1e-9)
    expected = sol.y[3, -1] + sol.y[4, -1]
    assert model_evaluator(model).output([tau], [L]) == pytest.approx(expected, rel=1e-8)


# -- hostile text in every field --------------------------------------------------------------

PAYLOAD = "__import__('os').system('touch {f}')"


def _hostile_antimony(field, payload):
    rate = payload if field == "rate" else "kon*L*R"
    output = payload if field == "output" else "C0"
    ligand = payload if field == "ligand" else "L"
    return (f"// antagonism: ligand = {ligand}\n// antagonism: output = {output}\n"
            f"model m\n  J0: L + R -> C0; {rate}\n  J1: C0 -> L + R; C0/tau\n"
            "  kon = 1e-4; tau = 3; L = 0; R = 100; C0 = 0\nend\n")


VARIANTS = [PAYLOAD, "(lambda: " + PAYLOAD + ")()", "x.__class__.__bases__[0]",
            "eval(\"" + PAYLOAD.replace("'", "\\'") + "\")", "C0[0]", "min(C0, 1)",
            "-(" * 500 + "C0" + ")" * 500]


@pytest.mark.parametrize("field", ["rate", "output", "ligand"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_hostile_antimony_never_runs(tmp_path, field, variant):
    marker = tmp_path / "ran"
    path = tmp_path / "m.ant"
    path.write_text(_hostile_antimony(field, variant.format(f=marker)))
    if field == "rate" and variant.startswith("-("):
        # valid math: the antimony library reads it and its tree is C0 (even minus signs)
        assert load_model_file(path).network.reactions[0].rate == sp.Symbol("C0")
    else:
        with pytest.raises(NetworkFileError):
            load_model_file(path)
    assert not marker.exists()


@pytest.mark.parametrize("variant", VARIANTS)
def test_hostile_sbml_notes_never_run(tmp_path, variant):
    marker = tmp_path / "ran"
    text = variant.format(f=marker).replace("&", "&amp;").replace("<", "&lt;")
    path = write_sbml(tmp_path / "m.xml", notes=("ligand = L", f"output = {text}"))
    with pytest.raises(NetworkFileError, match="output"):
        load_model_file(path)
    assert not marker.exists()


@pytest.mark.parametrize("variant", VARIANTS)
def test_hostile_arguments_never_run(tmp_path, variant):
    marker = tmp_path / "ran"
    path = write_sbml(tmp_path / "m.xml")
    for key in ("output", "ligand", "binding_time", "bound_states"):
        with pytest.raises(NetworkFileError):
            load_model_file(path, **{key: variant.format(f=marker)})
    with pytest.raises(NetworkFileError):
        ReactionNetwork.from_reactions([f"J0: L + R -> C0; {variant.format(f=marker)}"],
                                       parameters={"tau": 1.0}, initial={"R": 1.0},
                                       ligand="L", output="C0")
    assert not marker.exists()


def _edit_sbml(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_hostile_sbml_math_and_function_definitions_never_run(tmp_path):
    marker = tmp_path / "ran"
    # a function definition named like Python's import, called by a rate law: its body is
    # expanded as math (a name), nothing is called, and the name is refused
    path = write_sbml(tmp_path / "f.xml", functions={
        "binding": "lambda(k, a, b, k*a*b)", "__import__": "lambda(x, x)"},
        reactions=[("bind", {"L": 1, "R": 1}, {"C0": 1}, "__import__(E1)*L*R")]
        + REACTIONS[1:])
    with pytest.raises(NetworkFileError, match="__import__"):
        load_model_file(path)
    # text in a MathML name (libsbml keeps whatever a <ci> holds): a name is checked, never
    # run -- in a function definition, an assignment rule, a kinetic law, a call
    for old in ("<ci> k </ci>", "<ci> C0 </ci>", "<ci> Si </ci>", "<ci> binding </ci>"):
        path = write_sbml(tmp_path / "h.xml")
        _edit_sbml(path, old, f"<ci> {PAYLOAD.format(f=marker)} </ci>")
        with pytest.raises(NetworkFileError):
            load_model_file(path)
    # a call of a function the model does not define (libsbml reads any name)
    path = write_sbml(tmp_path / "g.xml")
    _edit_sbml(path, "<ci> binding </ci>", "<ci> system </ci>")
    with pytest.raises(NetworkFileError, match="system"):
        load_model_file(path)
    # MathML that is not arithmetic: a piecewise, a trigonometric function, a delay
    for formula, name in (("piecewise(1, L > 2, 0)*C0", "piecewise"), ("sin(C0)", "sin"),
                          ("delay(C0, 1)", "delay")):
        path = write_sbml(tmp_path / f"{name}.xml",
                          reactions=[("p1", {"C0": 1}, {"Ci": 1}, formula)]
                          + [r for r in REACTIONS if r[0] != "p1"])
        with pytest.raises(NetworkFileError, match="reaction p1"):
            load_model_file(path)
    # a text payload in a function definition cannot even be written as SBML math
    assert libsbml.parseL3Formula(f"lambda(x, {PAYLOAD.format(f=marker)})") is None
    assert not marker.exists()


# -- clear refusals naming the element at fault ------------------------------------------------

def test_rules_and_events_are_refused_by_name(tmp_path):
    with pytest.raises(NetworkFileError, match="rate rule for Ci"):
        load_model_file(write_sbml(tmp_path / "a.xml", rate_rule="Ci"))
    with pytest.raises(NetworkFileError, match="event stimulus"):
        load_model_file(write_sbml(tmp_path / "b.xml", events=True))


KPR = ["bind: L + R -> C0; kon*L*R", "off0: C0 -> L + R; C0/tau",
       "off1: C1 -> L + R; C1/tau", "p: C0 -> C1; phi*C0"]


def kpr(reactions=KPR, **changes):
    spec = dict(parameters={"kon": 1e-4, "tau": 3.0, "phi": 0.1}, initial={"R": 1e4},
                ligand="L", output="C1", name="kpr")
    spec.update(changes)
    return ReactionNetwork.from_reactions(reactions, **spec)


@pytest.mark.parametrize("reactions,message", [
    # a dissociation that returns only the receptor: the ligand is lost there, not at binding
    (KPR + ["leak: C1 -> R; 0.01*C1"], r"reaction leak \(C1 -> R\) destroys the ligand"),
    (KPR[1:], "no reaction binds the ligand L"),
    (KPR + ["make: -> L; 0.1"], r"reaction make .* creates the ligand"),
    (KPR + ["dimer: C0 + C1 -> D; 1e-6*C0*C1", "undimer: D -> C0 + C1; D"],
     "joins 2 ligand-holding species"),
    (KPR + ["neg: C0 -> C1; -phi*C0"], r"reaction neg \(C0 -> C1\) is negative"),
    (KPR + ["inf: C0 -> C1; phi*C0/(kon - kon)"], "division by zero|not finite"),
])
def test_refusals_name_the_reaction(reactions, message):
    with pytest.raises(NetworkFileError, match=message):
        NetworkModel(kpr(reactions))


def test_output_not_reachable_from_the_ligand():
    rx = KPR + ["make_x: -> X; 1", "lose_x: X -> ; X"]
    with pytest.raises(NetworkFileError, match="output 'X' is not reachable from the ligand L"):
        kpr(rx, output="X")
    kpr(rx + ["act: -> X; 0.1*C1"], output="X")  # a rate law that reads C1 reaches it


def test_reversible_net_rates_and_saturating_rates_are_accepted():
    rx = KPR + ["rev: C0 -> C1; phi*C0 - 0.01*C1", "s: -> S; 1e-3*C1*(ST - S)",
                "sd: S -> ; 0.1*S"]
    NetworkModel(kpr(rx, parameters={"kon": 1e-4, "tau": 3.0, "phi": 0.1, "ST": 10.0}))


def test_declared_bound_states_are_checked():
    assert NetworkModel(kpr(bound_states="C0, C1")).network.bound_states == ("C0", "C1")
    with pytest.raises(NetworkFileError, match="declared bound states"):
        kpr(bound_states=("C0",))


def test_parameters_named_like_package_names_stay_parameters():
    """Parameters named eps, regime, threshold, label, network, model: never attributes,
    never over a result field; classify and descend run."""
    from antagonism.numerics.experiments.descent import descend_to_boundary

    rx = ["bind: L + R -> C0; regime*L*R", "off0: C0 -> L + R; C0/tau",
          "off1: C1 -> L + R; C1/tau", "p: C0 -> C1; eps*threshold*C0/label",
          "q: C1 -> C0; network*model*C1"]
    net = kpr(rx, parameters={"regime": 1e-4, "tau": 3.0, "eps": 0.1, "threshold": 2.0,
                              "label": 2.0, "network": 0.01, "model": 1.0})
    m = NetworkModel(net, eps=0.2)
    assert m.threshold is None and m.label() == "kpr" and m.network is not None
    assert float(m.parameters()["eps"]) == 0.2
    r = classify(m)
    assert r.regime in ("broad", "specialized") and r.model == "kpr"
    assert r.parameters["regime"] == 1e-4 and r.parameters["eps"] == 0.2
    d = descend_to_boundary(m, [10.0, 1.0], [100.0, 1000.0], eps=0.05, max_iter=3)
    assert d.eps == 0.05 and d.parameters["eps"] == 0.2 and d.model == "kpr"


def test_reserved_and_invalid_names_are_refused():
    with pytest.raises(NetworkFileError, match="tau_c"):
        kpr(parameters={"kon": 1e-4, "tau": 3.0, "phi": 0.1, "tau_c": 1.0})
    with pytest.raises(NetworkFileError, match="both as species and as parameters"):
        kpr(parameters={"kon": 1e-4, "tau": 3.0, "phi": 0.1, "R": 1.0})


# -- the command line's designation flags ------------------------------------------------------

def test_cli_designation_flags_override_the_file(tmp_path):
    path = write_sbml(tmp_path / "kpr.xml", notes=())
    p = run_cli("classify", "--model-file", path, "--json")
    assert p.returncode == 2 and "--ligand" in p.stderr
    p = run_cli("classify", "--model-file", path, "--ligand", "L", "--output", "C2",
                "--bound-states", "C0,Ci,C2", "--binding-time", "tau", "--json")
    assert p.returncode == 0, p.stderr
    direct = classify(load_model_file(path, ligand="L", output="C2"))
    assert json.loads(p.stdout)["regime"] == direct.regime
    p = run_cli("classify", "--model-file", path, "--ligand", "L", "--output",
                "__import__('os')", "--json")
    assert p.returncode == 2 and "output" in p.stderr and "Traceback" not in p.stderr
    p = run_cli("classify", "--ligand", "L")
    assert p.returncode == 2 and "--model-file" in p.stderr


def test_antimony_round_trip_keeps_directives_and_flags(tmp_path):
    path = write_sbml(tmp_path / "kpr.xml")
    model = load_model_file(path, output="C0 + Ci + C2")
    assert model.network.output == "C0 + Ci + C2"
    # Antimony text converted by the antimony library reads the same way
    sbml = antimony_to_sbml("model m\n J0: L + R -> C; k*L*R\n J1: C -> L + R; C/tau\n"
                            " k = 1e-3; tau = 2; R = 10; L = 0; C = 0\nend")
    path = tmp_path / "m.xml"
    path.write_text(sbml)
    ev = model_evaluator(load_model_file(path, ligand="L", output="C"))
    # one binding step, shared receptors: C = k tau L R/(1 + k tau R), R + C = 10
    tau, L = 2.0, 7.0
    from scipy.optimize import brentq
    R = brentq(lambda R: R + 1e-3 * tau * L * R / (1 + 1e-3 * tau * R) - 10, 0, 10,
               xtol=1e-14)
    assert ev.output([tau], [L]) == pytest.approx(1e-3 * tau * L * R / (1 + 1e-3 * tau * R),
                                                  rel=1e-10)


def test_deeply_nested_sbml_math_is_refused(tmp_path):
    path = write_sbml(tmp_path / "deep.xml")
    text = path.read_text()
    at = text.index("<ci> C0 </ci>", text.index('id="off0"'))
    n = 1000
    deep = "<apply><minus/>" * n + "<ci> C0 </ci>" + "</apply>" * n
    path.write_text(text[:at] + deep + text[at + len("<ci> C0 </ci>"):])
    with pytest.raises(NetworkFileError, match="reaction off0: math too large or nested"):
        load_model_file(path)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_random_rate_laws_and_outputs_parse_or_are_refused(text):
    """Random text as a rate law and as the output of a network description: it loads or
    is refused with a NetworkFileError, nothing else."""
    try:
        NetworkModel(kpr(KPR + [f"x: C0 -> C1; {text}"]))
    except NetworkFileError:
        pass
    try:
        kpr(output=text)
    except NetworkFileError:
        pass


def test_species_and_parameters_named_like_the_package_symbols():
    """A species called L (not the ligand) and parameters called T, m and tau (not the
    binding time): plain names of the network, kept apart from the package's tau, L, T."""
    from scipy.optimize import brentq

    rx = ["b: X + L -> C0; T*X*L", "u0: C0 -> X + L; C0/koff_t",
          "u1: C1 -> X + L; C1/koff_t", "p: C0 -> C1; m*C0", "q: C1 -> C0; tau*C1"]
    kon, phi, back, R_T = 1e-4, 0.1, 0.02, 2e4
    net = ReactionNetwork.from_reactions(
        rx, parameters=dict(T=kon, m=phi, tau=back, koff_t=3.0), initial=dict(L=R_T),
        ligand="X", output="C1", binding_time="koff_t", name="clash")
    taus, Ls = np.array([3.0, 1.0]), np.array([500.0, 2000.0])

    def bound(R):  # C_T,i = kon tau_i L_i R/(1 + kon tau_i R)
        return kon * taus * Ls * R / (1 + kon * taus * R)

    R = brentq(lambda R: R + bound(R).sum() - R_T, 0, R_T, xtol=1e-13)
    expected = np.sum(bound(R) * phi / (phi + back + 1 / taus))
    assert model_evaluator(NetworkModel(net)).output(taus, Ls) == pytest.approx(expected,
                                                                              rel=1e-10)
