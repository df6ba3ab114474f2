"""SBML units as SBML defines them, against libroadrunner (CVODE, long integration from the
file's initial state): a species' value is what its symbol means in the math (its
concentration, or its amount with ``hasOnlySubstanceUnits``), every species' rate of
change divides the kinetic laws by its own compartment's size (or not, for amounts), and
what the package cannot do (ligand states in different units, a compartment without a
positive constant size) is refused, naming the species and the compartment.

The reference values are libroadrunner's, integrated here from the same SBML text; the
package never sees them."""
import math

import pytest

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.network_model import NetworkModel
from antagonism.io.reaction_files import antimony_to_sbml, network_from_sbml
from antagonism.theory.networks.engine import NetworkEvaluator

roadrunner = pytest.importorskip("roadrunner")

#: a KPR receptor with a substance-only kinase K in a compartment of volume 0.5: the
#: kinase's symbol is an amount (100 molecules), its concentration 200
SUBSTANCE_ONLY = """
model units
  compartment cell = 0.5
  species L in cell, R in cell, C0 in cell, C1 in cell
  substanceOnly species K in cell
  bind: L + R -> C0; cell*kon*L*R
  off0: C0 -> L + R; cell*C0/tau
  off1: C1 -> L + R; cell*C1/tau
  p1: C0 -> C1; cell*phi*C0*K/(K + 50)
  dp: C1 -> C0; cell*kdp*C1
  kin: K -> ; kd*K
  kout: -> K; ks*(1 + C1/1000)
  kon = 1e-4; phi = 0.09; tau = 10; kd = 0.1; ks = 10; kdp = 0.05
  L = 1000; R = 3e4; C0 = 0; C1 = 0; K = 100
end
"""

#: two compartments of sizes 1 and 0.2: the ligand binds in the cytosol; a kinase is
#: carried to the membrane (transport, a law in amounts per time), where it is active and
#: consumed back
TWO_COMPARTMENTS = """
model transport
  compartment cyt = 1, mem = 0.2
  species L in cyt, R in cyt, C0 in cyt, C1 in cyt, K in cyt, Km in mem
  bind: L + R -> C0; cyt*kon*L*R
  off0: C0 -> L + R; cyt*C0/tau
  off1: C1 -> L + R; cyt*C1/tau
  p1: C0 -> C1; cyt*phi*C0*Km/(Km + 20)
  dp: C1 -> C0; cyt*kdp*C1
  to_mem: K -> Km; cyt*kt*K*(1 + C1/500)
  back: Km -> K; mem*kb*Km
  kon = 1e-4; phi = 0.09; tau = 10; kt = 0.02; kb = 0.5; kdp = 0.05
  L = 1000; R = 3e4; C0 = 0; C1 = 0; K = 300; Km = 0
end
"""


def roadrunner_state(sbml, ligand_value=None, ligand="L"):
    """libroadrunner from rest: resetAll, the ligand set, CVODE to t = 1e6 s; {species:
    value in the file's units} ([S] for a concentration, S for a substance-only one)."""
    rr = roadrunner.RoadRunner(sbml)
    rr.resetAll()
    if ligand_value is not None:
        rr[f"init([{ligand}])"] = ligand_value
    rr.integrator.relative_tolerance = 1e-12
    rr.integrator.absolute_tolerance = 1e-12
    rr.simulate(0, 1e6, 2)
    out = {}
    for s in rr.model.getFloatingSpeciesIds():
        out[s] = rr[s] if _substance_only(sbml, s) else rr[f"[{s}]"]
    return out


def _substance_only(sbml, species):
    import libsbml

    return libsbml.readSBMLFromString(sbml).getModel().getSpecies(species) \
        .getHasOnlySubstanceUnits()


def package_state(sbml, tau, L, **designations):
    net = network_from_sbml(sbml, **designations)
    model = NetworkModel(net)
    st = NetworkEvaluator(model).steady_state([tau], [L])  # every species
    values = {s: (st.shared[s] if s in st.shared else float(st.terms[s].sum()))
              for s in net.species}
    return net, st, values


def close(a, b, rel=1e-8, floor=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + floor


def test_substance_only_species_in_half_a_litre_equals_roadrunner():
    sbml = antimony_to_sbml(SUBSTANCE_ONLY)
    net, st, got = package_state(sbml, 10.0, 1000.0, ligand="L", output="C1")
    ref = roadrunner_state(sbml)
    assert "K: amount (compartment cell)" in net.extra["species_units"]
    assert "C1: concentration in compartment cell of size 0.5" in net.extra["species_units"]
    assert not {s for s in ref if not close(got[s], ref[s])}, (got, ref)
    assert st.output == pytest.approx(ref["C1"], rel=1e-8)
    # the kinase's value is its amount: its concentration would be twice as large
    assert got["K"] == pytest.approx(ref["K"], rel=1e-10)
    assert not math.isclose(got["K"], 2 * ref["K"], rel_tol=1e-3)


def test_substance_only_output_is_an_amount():
    """The output stated in the file's own units: a substance-only readout is an amount."""
    sbml = antimony_to_sbml(SUBSTANCE_ONLY)
    _, st, _ = package_state(sbml, 10.0, 1000.0, ligand="L", output="K")
    ref = roadrunner_state(sbml)
    assert st.output == pytest.approx(ref["K"], rel=1e-8)


def test_two_compartments_of_sizes_one_and_a_fifth_equal_roadrunner():
    sbml = antimony_to_sbml(TWO_COMPARTMENTS)
    for L in (100.0, 3000.0):
        net, st, got = package_state(sbml, 10.0, L, ligand="L", output="C1")
        ref = roadrunner_state(sbml, L)
        assert not {s for s in ref if not close(got[s], ref[s])}, (L, got, ref)
    # the kinase's moiety is conserved in amounts: K + 0.2 Km (integers: 5 K + Km)
    law = {m.species: dict(m.coefficients) for m in NetworkModel(net).moieties()}["K"]
    assert law == {"K": 5, "Km": 1}


def test_the_size_matters():
    """A sign/size slip must fail: the same file with a membrane of size 1 gives another
    steady state (so the two-compartment test above checks the conversion)."""
    one = antimony_to_sbml(TWO_COMPARTMENTS.replace("mem = 0.2", "mem = 1"))
    fifth = antimony_to_sbml(TWO_COMPARTMENTS)
    _, a, _ = package_state(one, 10.0, 1000.0, ligand="L", output="C1")
    _, b, _ = package_state(fifth, 10.0, 1000.0, ligand="L", output="C1")
    assert abs(a.output - b.output) > 1e-3 * b.output


def test_ligand_states_in_two_compartments_are_refused_naming_them():
    text = TWO_COMPARTMENTS.replace("species L in cyt, R in cyt, C0 in cyt",
                                    "species L in cyt, R in mem, C0 in mem")
    with pytest.raises(NetworkFileError, match=r"C0 \(concentration in compartment mem"):
        network_from_sbml(antimony_to_sbml(text), ligand="L", output="C1")


def test_a_compartment_of_size_zero_is_refused_naming_species_and_compartment():
    text = SUBSTANCE_ONLY.replace("compartment cell = 0.5", "compartment cell = 0.5\n"
                                  "  compartment empty = 0\n  species X in empty\n"
                                  "  mk: C1 -> C1 + X; C1\n  deg: X -> ; X\n  X = 0")
    with pytest.raises(NetworkFileError, match="species X is in compartment empty of size 0"):
        network_from_sbml(antimony_to_sbml(text), ligand="L", output="C1")
    # given a size, it reads
    net = network_from_sbml(antimony_to_sbml(text), overrides={"empty": 2.0},
                            ligand="L", output="C1")
    assert "X" in net.species


def test_units_are_reported_and_survive_the_network_store():
    """classify's metadata says which species are amounts; the stored network (the model
    cache) keeps the rational stoichiometries and the units."""
    from antagonism.theory.networks.store import network_from_record, network_record

    net = network_from_sbml(antimony_to_sbml(TWO_COMPARTMENTS), ligand="L", output="C1")
    meta = NetworkModel(net).metadata()
    assert "Km: concentration in compartment mem of size 0.2" in meta["species_units"]
    record = network_record(net)
    assert record is not None
    again = network_from_record(record)
    assert again.reactions == net.reactions
    assert again.extra["species_units"] == net.extra["species_units"]


def test_command_line_exits_2_naming_the_species_and_the_compartment(tmp_path):
    from helpers import run_cli

    text = TWO_COMPARTMENTS.replace("species L in cyt, R in cyt, C0 in cyt",
                                    "species L in cyt, R in mem, C0 in mem")
    path = tmp_path / "mixed.xml"
    path.write_text(antimony_to_sbml(text))
    r = run_cli("steady", "--model-file", path, "--ligand", "L", "--output", "C1",
                "--tau", "10", "--L", "100")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("antagonism: error:")
    assert "C0 (concentration in compartment mem of size 0.2)" in r.stderr
