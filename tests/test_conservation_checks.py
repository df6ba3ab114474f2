"""Checks that respect conservation.

- The rate-law sign check samples only states that satisfy the network's conservation
  laws: a rate negative only where no reachable state is passes, one negative at a
  reachable state is refused (the witness satisfies the laws).
- Moiety totals may be negative when the row-echelon basis makes a law a difference of
  conserved quantities (IL7Ra_T = IL7Ra + IL7Ru - IL7 in the IL-7R model with IL-15 as the
  ligand); the steady state then keeps that total, checked against libroadrunner.
"""
from pathlib import Path

import pytest

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.network_model import NetworkModel, network_sum_form
from antagonism.derivations.reactions import ReactionNetwork
from antagonism.io.reaction_files import antimony_to_sbml, load_model_file
from antagonism.theory.networks.engine import NetworkEvaluator

CORPUS = Path(__file__).parent / "data" / "corpus"


def capped_network(k):
    """A receptor activates P0 -> P1 with the PD-1 model's capped law
    kp C P0 (1 - (P1 + P2)/(k (K1 + K2))): negative only where P1 + P2 > k (K1 + K2).
    P0 + P1 + P2 = 500 and K1 + K2 = 100 are conserved, so for k = 41 no reachable state
    makes it negative, for k = 1 some do (P2 = 500 > 100)."""
    reactions = ["bind: L + R -> C; kon*L*R", "off: C -> L + R; C/tau",
                 "act: P0 -> P1; kp*C*P0*(1 - (P1 + P2)/(k*(K1 + K2)))",
                 "p2: P1 -> P2; kp2*P1", "back: P2 -> P0; kb*P2",
                 "ka: K1 -> K2; ka*K1", "kd: K2 -> K1; kd*K2"]
    return ReactionNetwork.from_reactions(
        reactions, parameters={"kon": 1e-4, "tau": 10.0, "kp": 1e-3, "k": k, "kp2": 0.1,
                               "kb": 0.05, "ka": 0.2, "kd": 0.1},
        initial={"L": 1000.0, "R": 3e4, "P0": 500.0, "K1": 50.0, "K2": 50.0},
        ligand="L", output="P2", name=f"capped k={k}")


def test_a_rate_negative_only_off_the_conservation_laws_passes():
    model = NetworkModel(capped_network(41.0))
    st = NetworkEvaluator(model).steady_state([10.0], [1000.0])
    assert 0 < st.output < 500


def test_a_rate_negative_at_a_reachable_state_is_refused_with_a_reachable_witness():
    with pytest.raises(NetworkFileError, match="rate law of reaction act") as err:
        NetworkModel(capped_network(1.0))
    # the witness satisfies the laws (printed to 3 digits): P2 at most 500, K1 + K2 = 100
    text = str(err.value)
    values = dict(part.split("=") for part in
                  text[text.index("(", text.index("anything")) + 1:text.index(")", text.index(
                      "anything"))].split(", "))
    assert float(values["K1"]) + float(values["K2"]) == pytest.approx(100, rel=2e-3)
    assert 100 < float(values["P2"]) <= 500 * (1 + 2e-3)


def test_independent_sampling_would_refuse_the_capped_law():
    """The control: without the laws (the former check), the k = 41 law is refused, so the
    test above checks that the laws are used."""
    import sympy as sp

    from antagonism.derivations.network_model import _check_rate

    net = capped_network(41.0)
    act = next(r for r in net.reactions if r.name == "act")
    rate = act.rate.xreplace({sp.Symbol(k): sp.Float(v) for k, v in net.parameters.items()
                              if k != "tau"})
    with pytest.raises(NetworkFileError, match="negative"):
        _check_rate(act, rate, net, "tau")


def test_a_negative_total_that_is_a_difference_of_conserved_quantities_is_kept():
    """IL-15 as the ligand of the IL-7R model: the basis gives IL7Ra_T = IL7Ra + IL7Ru - IL7
    = 1000 - 6022.14 < 0, a valid total; the symbolic sum form accepts it and the steady
    state (numeric engine) keeps it and equals libroadrunner's from rest."""
    roadrunner = pytest.importorskip("roadrunner")
    path = CORPUS / "park2019_il7r.ant"
    model = load_model_file(path, ligand="IL15", output="IL15Rb", off_rate="k_r_4")
    law = {m.name: m for m in model.moieties()}["IL7Ra_T"]
    assert dict(law.coefficients) == {"IL7Ra": 1, "IL7Ru": 1, "IL7": -1}
    assert law.total == pytest.approx(1000 - 6022.14)
    network_sum_form(model)  # no "negative total" refusal
    st = NetworkEvaluator(model).steady_state([10.0], [602.214])
    rr = roadrunner.RoadRunner(antimony_to_sbml(path.read_text()))
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-10
    rr.simulate(0, 1e5, 2)
    assert st.output == pytest.approx(rr["[IL15Rb]"], rel=1e-8)
    got = st.shared  # IL7 is shared when IL-15 is the ligand
    assert got["IL7Ra"] + got["IL7Ru"] - got["IL7"] == pytest.approx(law.total, rel=1e-9)
