"""Untrusted inputs beyond the red-team routes: model-file guards, expanded sizes, the
scheduler address check, TLS of the local cluster, escaped output and the time budget."""
import pytest

from antagonism._core.errors import InputError, LimitError, NetworkFileError


# -- model files ------------------------------------------------------------------------------
def test_the_word_import_is_refused_anywhere_in_antimony_text():
    from antagonism.io.guards import refuse_antimony_imports

    for text in ('import "x.ant"', 'model m\n  // see import "x"\nend', 'a := 1; import"x"'):
        with pytest.raises(NetworkFileError, match="import"):
            refuse_antimony_imports(text)
    for text in ("important = 1", "reimport = 2", "_import = 3", "model m\nend"):
        assert refuse_antimony_imports(text) == text


def test_sbml_external_models_entities_and_broken_xml_are_refused():
    from antagonism.io.guards import check_xml, refuse_external_models

    with pytest.raises(NetworkFileError, match="external model"):
        refuse_external_models('<comp:listOfExternalModelDefinitions><comp:externalModel'
                               'Definition comp:id="e" comp:source="/etc/passwd"/>')
    with pytest.raises(NetworkFileError, match="external XML entities"):
        check_xml('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">'
                  ']><a>&x;</a>')
    laughs = ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a0 "lol">'
              + "".join(f'<!ENTITY a{k} "{f"&a{k - 1};" * 10}">' for k in range(1, 10))
              + "]><a>&a9;</a>")
    with pytest.raises(NetworkFileError, match="not well-formed|amplification"):
        check_xml(laughs)
    with pytest.raises(NetworkFileError, match="not well-formed"):
        check_xml("<a><b></a>")
    deep = "<x>" * 300 + "</x>" * 300
    with pytest.raises(NetworkFileError, match="deeper than 256"):
        check_xml(deep)
    assert check_xml("<x>" * 200 + "</x>" * 200)


def _sbml(functions="", rules="", rate="k*L"):
    libsbml = pytest.importorskip("libsbml", reason="the sbml extra is optional")
    doc = libsbml.SBMLDocument(3, 1)
    model = doc.createModel()
    model.setId("m")
    c = model.createCompartment()
    c.setId("c"), c.setSize(1), c.setConstant(True)
    for s in ("L", "C"):
        sp = model.createSpecies()
        sp.setId(s), sp.setCompartment("c"), sp.setInitialConcentration(1)
        sp.setHasOnlySubstanceUnits(False), sp.setBoundaryCondition(False)
        sp.setConstant(False)
    p = model.createParameter()
    p.setId("k"), p.setValue(1), p.setConstant(True)
    for fid, formula in functions:
        f = model.createFunctionDefinition()
        f.setId(fid)
        f.setMath(libsbml.parseL3Formula(formula))
    for var, formula in rules:
        p = model.createParameter()
        p.setId(var), p.setConstant(False)
        r = model.createAssignmentRule()
        r.setVariable(var)
        r.setMath(libsbml.parseL3Formula(formula))
    r = model.createReaction()
    r.setId("J0"), r.setReversible(False), r.setFast(False)
    ref = r.createReactant()
    ref.setSpecies("L"), ref.setStoichiometry(1), ref.setConstant(True)
    ref = r.createProduct()
    ref.setSpecies("C"), ref.setStoichiometry(1), ref.setConstant(True)
    r.createKineticLaw().setMath(libsbml.parseL3Formula(rate))
    return libsbml.writeSBMLToString(doc)


def test_the_expanded_size_counts_functions_and_rules_without_expanding():
    pytest.importorskip("libsbml", reason="the sbml extra is optional")
    from antagonism.io.expansion import MAX_EXPANDED_NODES
    from antagonism.io.reaction_files import network_from_sbml

    # assignment rules that double at each step, r_k = r_{k-1} + r_{k-1}: r_13 has 2^14 - 1
    # nodes once expanded, r_14 more than the limit
    rules = [("r0", "L")] + [(f"r{k}", f"r{k - 1} + r{k - 1}") for k in range(1, 15)]
    with pytest.raises(LimitError, match=f"assignment rule for r14.*limit {MAX_EXPANDED_NODES}"):
        network_from_sbml(_sbml(rules=rules), ligand="L", output="C")
    rules = rules[:14]
    with pytest.raises(LimitError, match="kinetic law of reaction J0"):
        network_from_sbml(_sbml(rules=rules, rate="k*r13*r13"), ligand="L", output="C")
    # the output designation counts the rules it names
    with pytest.raises(LimitError, match="output designation"):
        network_from_sbml(_sbml(rules=rules), ligand="L", output="C + r13 + L*r13")
    # functions calling each other in a cycle are refused by name
    with pytest.raises(NetworkFileError, match="cycle"):
        network_from_sbml(_sbml(functions=[("f", "lambda(x, g(x))"), ("g", "lambda(x, f(x))")],
                                rate="k*f(L)"), ligand="L", output="C")
    # a small model passes
    net = network_from_sbml(_sbml(functions=[("f", "lambda(x, x*x)")], rate="k*f(L)"),
                            ligand="L", output="C", binding_time="k")
    assert str(net.reactions[0].rate) == "L**2*k"


# -- clusters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("address,insecure,ok", [
    ("tcp://127.0.0.1:8786", False, True), ("tcp://localhost:8786", False, True),
    ("tcp://[::1]:8786", False, True), ("127.0.0.1:8786", False, True),
    ("tcp://10.0.0.5:8786", False, False), ("10.0.0.5:8786", False, False),
    ("tcp://scheduler.example.org:8786", False, False), ("ws://10.0.0.5:8786", False, False),
    ("tcp://10.0.0.5:8786", True, True), ("tls://10.0.0.5:8786", False, True)])
def test_a_plain_scheduler_off_this_machine_needs_the_insecure_flag(address, insecure, ok):
    from antagonism.numerics.executor import Scheduler, check_executor

    scheduler = Scheduler(address, insecure=insecure)
    if ok:
        check_executor("dask", scheduler)
    else:
        with pytest.raises(InputError, match="--insecure-scheduler"):
            check_executor("dask", scheduler)


def test_tls_files_need_a_tls_address_and_all_three(tmp_path):
    from antagonism.numerics.executor import Scheduler

    pem = tmp_path / "x.pem"
    pem.write_text("-----")
    with pytest.raises(InputError, match="tls://"):
        Scheduler("tcp://127.0.0.1:1", ca_file=str(pem), cert=str(pem), key=str(pem)).check()
    with pytest.raises(InputError, match="all three"):
        Scheduler("tls://10.0.0.5:1", ca_file=str(pem)).check()
    with pytest.raises(InputError, match="no TLS file"):
        Scheduler("tls://10.0.0.5:1", ca_file=str(pem), cert=str(pem),
                  key=str(tmp_path / "missing")).check()
    from helpers import run_cli

    p = run_cli("sweep", "--N", "3", "--tls-ca-file", pem)
    assert p.returncode == 2 and "apply to a --scheduler" in p.stderr


@pytest.mark.slow  # starts a local dask cluster (about 10 s)
def test_the_local_cluster_speaks_tls_with_temporary_credentials():
    pytest.importorskip("distributed", reason="dask is optional (pip install '.[dask]')")
    pytest.importorskip("cryptography", reason="TLS needs the cryptography package")
    from antagonism.numerics.executor import _connect

    client, cluster = _connect(None, 1)
    try:
        assert client.scheduler.address.startswith("tls://127.0.0.1")
        assert all(w.startswith("tls://") for w in client.scheduler_info()["workers"])
        assert client.submit(sum, [1, 2]).result() == 3
    finally:
        client.close()
        cluster.close()


# -- output and time ----------------------------------------------------------------------------
def test_printable_escapes_control_and_reordering_characters():
    from antagonism._core.text import printable

    assert printable("plain text, ünïcode, tabs\tand\nlines") == \
        "plain text, ünïcode, tabs\tand\nlines"
    assert printable("a\x1b[31mred\x07\x9b\x7f") == "a\\x1b[31mred\\x07\\x9b\\x7f"
    assert printable("abc\u202edcba") == "abc\\u202edcba"
    assert printable("one\ntwo\r", newlines=False) == "one\\ntwo\\r"


def test_a_library_catching_value_errors_cannot_swallow_the_time_budget():
    import time

    from antagonism._core.budget import time_budget

    def library_call():  # what sympy does in places: any error means "unknown"
        try:
            while True:
                time.sleep(0.01)
        except Exception:
            return None

    start = time.monotonic()
    with pytest.raises(LimitError, match="time budget of 0.2 s"), time_budget(0.2, "a loop"):
        while library_call() is None:
            pass
    assert time.monotonic() - start < 1.0  # the first alarm stopped it
    with pytest.raises(LimitError, match="at most"):
        with time_budget(1e308):
            pass


def test_time_budgets_nest():
    import time

    from antagonism._core.budget import time_budget

    with pytest.raises(LimitError, match="inner"):
        with time_budget(5, "outer"), time_budget(0.1, "inner"):
            time.sleep(1)
    start = time.monotonic()
    with pytest.raises(LimitError, match="outer"):
        with time_budget(0.3, "outer"):
            with time_budget(100, "inner"):  # the outer one ends first: it applies
                pass
            time.sleep(2)
    assert time.monotonic() - start < 1.5
