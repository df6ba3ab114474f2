"""Reaction networks as cell models: Antimony, SBML and Python descriptions; steady states
against ODE integration and independent closed forms; the shipped literature models against
the built-in ones; the literature table; clear errors for bad networks."""
import json

import mpmath as mp
import numpy as np
import pytest
from helpers import assert_gradient_matches_finite_differences, partial_derivative, run_cli
from scipy.optimize import brentq

from antagonism._core.errors import ConvergenceError
from antagonism.derivations import SHP1, AdaptiveSorting
from antagonism.derivations.escape import ESCAPE_CLASSES
from antagonism.derivations.network_model import NetworkModel
from antagonism.derivations.reactions import NetworkError, ReactionNetwork
from antagonism.io.reaction_files import (
    antimony_to_sbml,
    literature_files,
    load_model_file,
    network_from_antimony,
)
from antagonism.numerics.cells.ode import integrate_network
from antagonism.numerics.experiments.literature import literature_table
from antagonism.theory import classify, model_evaluator

FILES = literature_files()
MIXTURES = [([10.0, 2.0, 0.5], [100.0, 1000.0, 3000.0]), ([3.0], [1000.0]),
            ([10.0, 4.0], [50.0, 300.0])]
KON, PHI, R_T, N = 1e-4, 0.09, 3e4, 5


def kpr_reactions(n=N):
    rx = ["J0: L + R -> C0; kon*L*R"]
    rx += [f"off{k}: C{k} -> L + R; C{k}/tau" for k in range(n + 1)]
    rx += [f"p{k}: C{k - 1} -> C{k}; phi*C{k - 1}" for k in range(1, n + 1)]
    return rx


def kpr_network(**changes):
    spec = dict(reactions=kpr_reactions(), parameters=dict(kon=KON, tau=3.0, phi=PHI),
                initial=dict(L=1000.0, R=R_T), ligand="L", output="C5", name="kpr")
    spec.update(changes)
    return ReactionNetwork.from_reactions(**spec)


def kpr_mixture_numpy(taus, Ls):
    """Independent: McKeithan's chain for a mixture with shared receptors, in numpy --
    C_N,i = (phi tau_i/(1 + phi tau_i))^N C_T,i, C_T,i = kon tau_i L_i R_f/(1 + kon tau_i R_f),
    R_f from R_T = R_f + sum_i C_T,i."""
    taus, Ls = np.asarray(taus, float), np.asarray(Ls, float)
    bound = lambda Rf: KON * taus * Ls * Rf / (1 + KON * taus * Rf)  # noqa: E731
    Rf = brentq(lambda x: x + bound(x).sum() - R_T, 0, R_T, xtol=1e-12)
    return float(np.sum((PHI * taus / (1 + PHI * taus)) ** N * bound(Rf)))


def test_python_description_matches_the_independent_closed_form():
    model = NetworkModel(kpr_network())
    ev = model_evaluator(model)
    for taus, Ls in MIXTURES:
        assert ev.output(taus, Ls) == pytest.approx(kpr_mixture_numpy(taus, Ls), rel=1e-12)


def kpr_mixture_mpmath(taus, Ls, dps=50):
    """kpr_mixture_numpy at 50 digits (mpmath), for derivatives of a vanishing probe."""
    with mp.workdps(dps):
        taus, Ls = [mp.mpf(t) for t in taus], [mp.mpf(x) for x in Ls]
        kon, phi, RT = mp.mpf(KON), mp.mpf(PHI), mp.mpf(R_T)

        def bound(Rf):
            return [kon * t * L * Rf / (1 + kon * t * Rf) for t, L in zip(taus, Ls)]

        Rf = mp.findroot(lambda x: x + mp.fsum(bound(x)) - RT, (mp.mpf(0), RT),
                         solver="anderson")
        return mp.fsum((phi * t / (1 + phi * t)) ** N * b for t, b in zip(taus, bound(Rf)))


def test_receptor_competition_makes_kpr_antagonistic_where_the_numpy_model_says():
    """tau* of the network's classification is the root of the dilute probe's gradient,
    computed here from the independent closed form at 50 digits (probe L = 1e-20)."""
    model = NetworkModel(kpr_network())
    r = classify(model)

    def gamma(t):
        with mp.workdps(50):
            Lp, h = mp.mpf("1e-20"), mp.mpf("1e-12")
            f = lambda x: kpr_mixture_mpmath([10, x], [100, Lp])  # noqa: E731
            t = mp.mpf(t)
            return float((f(t * (1 + h)) - f(t * (1 - h))) / (2 * h * t) / Lp)

    assert r.tau_star == pytest.approx(brentq(gamma, 0.05, 9.0, xtol=1e-12), rel=1e-8)
    assert r.regime == "broad" and r.small_tau_exponent == 0  # competition: tau^0


@pytest.mark.parametrize("name", sorted(FILES))
def test_literature_steady_states_match_ode_integration(name):
    model = load_model_file(FILES[name])
    taus, Ls = MIXTURES[0]
    ode = integrate_network(model, taus, Ls)
    assert ode.residual < 1e-8
    assert model_evaluator(model).output(taus, Ls) == pytest.approx(ode.output, rel=1e-8)


def test_network_gradients_match_finite_differences():
    """Shared receptors and a shared phosphatase: implicit gradients of every tau and L."""
    ev = model_evaluator(load_model_file(FILES["kpr_negative_feedback"]))
    assert_gradient_matches_finite_differences(ev, [10.0, 2.0, 0.7], [100.0, 1000.0, 400.0],
                                               rel=1e-6)


@pytest.mark.parametrize("file,built_in", [("shp1", SHP1()),
                                           ("adaptive_sorting",
                                            AdaptiveSorting(1e-4, 1.0, 1e-3, 1e4, 3.0))])
def test_shipped_files_reproduce_the_built_in_models(file, built_in):
    network = load_model_file(FILES[file])
    a, b = model_evaluator(network), model_evaluator(built_in)
    for taus, Ls in MIXTURES:
        assert a.output(taus, Ls) == pytest.approx(b.output(taus, Ls), rel=1e-8)
    ra, rb = classify(network), classify(built_in)
    assert ra.regime == rb.regime and ra.escape == rb.escape
    for key in ("tau_star", "tau_inflection"):
        assert (ra[key] is None) == (rb[key] is None)
        if rb[key] is not None:
            assert ra[key] == pytest.approx(rb[key], rel=1e-6)


@pytest.mark.slow  # every model; by default test_literature's McKeithan row and CLI
def test_literature_table():
    rows = literature_table()
    assert {r.file for r in rows} == {f"{n}.ant" for n in FILES}
    by_file = {r.file: r for r in rows}
    for r in rows:
        assert r.regime in ("broad", "specialized") and r.escape in ESCAPE_CLASSES
        assert r.cross_check_passed in (True, None)
    for f in ("shp1.ant", "adaptive_sorting.ant", "mckeithan_kpr.ant"):
        assert by_file[f].cross_check_passed is True
    assert by_file["shp1.ant"].regime == "specialized"
    shp1 = classify(load_model_file(FILES["shp1"]))
    assert by_file["shp1.ant"].tau_star_over_tau_c == pytest.approx(shp1.tau_star / 3.0)
    assert by_file["shp1.ant"].tau_inflection_over_tau_c == pytest.approx(
        shp1.tau_inflection / 3.0)
    assert by_file["adaptive_sorting.ant"].escape == "pushed-to-zero"
    out = json.loads(run_cli("literature", "--json").stdout)
    assert [r["file"] for r in out] == [r.file for r in rows]


def test_sbml_files_load_like_antimony(tmp_path):
    text = FILES["kpr_sustained_signalling"].read_text()
    sbml = tmp_path / "model.xml"
    sbml.write_text(antimony_to_sbml(text))
    with pytest.raises(NetworkError, match="say which species is the ligand"):
        load_model_file(sbml)
    a = load_model_file(sbml, ligand="L", output="C5 + Rs")
    b = load_model_file(FILES["kpr_sustained_signalling"])
    taus, Ls = MIXTURES[0]
    assert model_evaluator(a).output(taus, Ls) == pytest.approx(
        model_evaluator(b).output(taus, Ls), rel=1e-12)


def test_sbml_notes_carry_the_directives(tmp_path):
    import libsbml

    doc = libsbml.readSBMLFromString(antimony_to_sbml(FILES["mckeithan_kpr"].read_text()))
    doc.getModel().setNotes('<body xmlns="http://www.w3.org/1999/xhtml"><p>antagonism: '
                            'ligand = L</p><p>antagonism: output = C5</p></body>')
    path = tmp_path / "kpr.sbml"
    path.write_text(libsbml.writeSBMLToString(doc))
    model = load_model_file(path)
    assert model.network.output == "C5"
    assert model_evaluator(model).output([3.0], [1000.0]) == pytest.approx(
        kpr_mixture_numpy([3.0], [1000.0]), rel=1e-12)


BAD = [
    (dict(reactions=kpr_reactions() + ["x: C0 -> C1; k*X*C0"]), "unknown symbol"),
    (dict(output="C9"), "output species"),
    (dict(ligand="Q"), "ligand species 'Q'"),
    (dict(parameters=dict(kon=-1.0, tau=3.0, phi=PHI)), "kon = -1 is negative"),
    (dict(reactions=kpr_reactions() + ["d: C0 -> ; kd*C0"],
          parameters=dict(kon=KON, tau=3.0, phi=PHI, kd=0.1)),
     r"reaction d \(C0 -> \(nothing\)\) destroys the ligand"),
    (dict(binding_time="koff"), "binding-time parameter 'koff'"),
    (dict(binding_time=None, off_rate="NOPE"), "off-rate parameter 'NOPE'"),
]


@pytest.mark.parametrize("changes,message", BAD)
def test_bad_networks_are_rejected_with_a_clear_error(changes, message):
    with pytest.raises(NetworkError, match=message):
        NetworkModel(kpr_network(**changes)).sum_form()


def test_no_steady_state_is_reported():
    """A shared species produced by every complex and never removed has no steady state."""
    net = kpr_network(reactions=kpr_reactions() + ["s: -> S; ks*C0"],
                      parameters=dict(kon=KON, tau=3.0, phi=PHI, ks=0.1))
    with pytest.raises(ConvergenceError, match="no steady state found for S"):
        model_evaluator(NetworkModel(net)).output([3.0], [1000.0])


def test_antimony_errors_are_reported():
    with pytest.raises(NetworkError, match="Antimony"):
        network_from_antimony("model broken\n  J0: L + -> ; k\nend", ligand="L", output="L")
    with pytest.raises(NetworkError, match="unknown directive"):
        network_from_antimony("// antagonism: colour = blue\nmodel m\nend")


@pytest.mark.slow  # by default: test_literature's classify --model-file
def test_cli_classifies_a_model_file():
    path = FILES["kpr_limited_signalling"]
    p = run_cli("classify", "--model-file", path, "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    direct = classify(load_model_file(path))
    assert out["regime"] == direct.regime and out["reasons"]
    assert out["tau_star"] == pytest.approx(direct.tau_star)
    assert out["model"] == "KPR limited signalling"
    p = run_cli("classify", "--model-file", path, "--param", "phi_ls=1", "--json")
    assert json.loads(p.stdout)["parameters"]["phi_ls"] == 1.0


@pytest.mark.parametrize("args,needle", [
    (["classify", "--model-file", "missing.ant"], "missing.ant"),
    (["classify", "--model-file", str(FILES["shp1"]), "--N", "3"], "--N"),
    (["classify", "--model-file", str(FILES["shp1"]), "--param", "nope=1"], "nope"),
])
def test_cli_model_file_errors(args, needle):
    p = run_cli(*args)
    assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr


def clustered_network():
    """Phosphorylation of a complex accelerated by the type's own complexes (clustering):
    the ligand states' equations are not linear, so they have no closed form."""
    rx = ["bind: L + R -> C0; kon*L*R", "off0: C0 -> L + R; C0/tau",
          "p: C0 -> C1; phi*C0*C0/(K + C0)", "off1: C1 -> L + R; C1/tau"]
    return ReactionNetwork.from_reactions(rx, parameters=dict(kon=KON, tau=10.0, phi=PHI, K=50.0),
                                          initial=dict(L=1000.0, R=R_T), ligand="L",
                                          output="C1", name="clustered")


def test_nonlinear_ligand_states_are_solved_numerically():
    from antagonism.derivations import derive

    model = NetworkModel(clustered_network())
    form = model.sum_form()
    assert len(form.type_states) == 3 and derive(model, "gradient").expr is None
    ev = model_evaluator(model)
    taus, Ls = MIXTURES[0]
    ode = integrate_network(model, taus, Ls)
    assert ev.output(taus, Ls) == pytest.approx(ode.output, rel=1e-8)
    tau, L = np.array(taus), np.array(Ls)
    g = ev.gradient(tau, L)  # implicit-function theorem through the per-type Newton solve
    for j in range(3):
        fd = partial_derivative(lambda t: ev.output(t, L), tau, j, 1e-5 * tau[j])
        assert g.tau[j] == pytest.approx(fd, rel=1e-6)
    r = classify(model)  # numeric path: gamma from exact gradients of a dilute probe
    # clustering makes a probe's own signal quadratic in its quantity: in the dilute limit
    # only receptor competition is left, a negative gradient everywhere below the agonists
    probe = [ev.gradient([10.0, t], [100.0, 1e-7]).tau[1] for t in (0.01, 1.0, 5.0, 9.9)]
    assert all(p < 0 for p in probe)
    assert r.tau_star is None and r.gradient_antagonistic is True
    assert r.regime == "broad"
