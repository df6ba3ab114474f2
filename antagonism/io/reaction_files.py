"""Reaction networks from files: Antimony text and SBML, through the maintained libraries
``antimony`` and ``python-libsbml`` (the optional ``sbml`` extra).

A file says which species is the free ligand, which species (or expression) is the output
and which parameter is the binding time with *directives*: lines ``antagonism: key = value``
in Antimony comments (``// antagonism: ligand = L``) or in the SBML model's notes.  Keyword
arguments override them (the keys are listed in :mod:`.designations`).

An SBML text becomes a network in three steps: :func:`~.sbml.read_sbml` reads the document
into plain data, :func:`~.designations.file_designations` reads the designations and
:func:`~.assembly.assemble_network` puts the network together; Antimony is converted to
SBML first.  :func:`load_model_file` returns a
:class:`~antagonism.derivations.network_model.NetworkModel`; :func:`literature_models` the
models shipped in ``models/``.
"""
from __future__ import annotations

from pathlib import Path

from antagonism._core.budget import DEFAULT_TIME_BUDGET, time_budget
from antagonism._core.errors import NetworkFileError
from antagonism._core.text import printable
from antagonism.derivations.network_model import NetworkModel

from .assembly import assemble_network
from .designations import directives, file_designations, merge_designations
from .file_limits import MAX_MODEL_TEXT, antimony_to_sbml_capped
from .guards import refuse_antimony_imports, refuse_out_of_range_numbers
from .sbml import read_sbml
from .shipped import literature_files


def antimony_to_sbml(text):
    """Convert Antimony text to an SBML string with the antimony library, run in a child
    process with a memory cap and a kill timer, its module instances counted there
    (:mod:`.file_limits`).  Text holding an ``import`` is refused before libantimony sees it
    (:mod:`.guards`): an import reads another file."""
    try:
        import antimony  # noqa: F401
    except ImportError:
        raise NetworkFileError('reading Antimony needs the antimony package: pip install '
                               '"antagonism[sbml]"') from None
    if len(text) > MAX_MODEL_TEXT:
        raise NetworkFileError(f"the Antimony text is longer than {MAX_MODEL_TEXT} characters")
    refuse_out_of_range_numbers(refuse_antimony_imports(text))
    return antimony_to_sbml_capped(text)  # in a child process with a memory and time cap


def network_from_sbml(sbml, overrides=None, **designations):
    """A ReactionNetwork from an SBML string: read (:func:`~.sbml.read_sbml`), designated
    (:func:`~.designations.file_designations`, the model's notes overridden by
    ``designations``: ``ligand=``, ``output=``...) and assembled
    (:func:`~.assembly.assemble_network`).

    Supported: compartments of constant sizes and species in concentrations or, with
    ``hasOnlySubstanceUnits``, amounts (each species' value as its symbol means it in the
    file; see :mod:`.assembly`), global and local parameters, species (boundary or
    constant ones become parameters), function definitions (expanded), initial
    assignments that evaluate to numbers, and assignment rules (substituted where a rate
    law or the output uses them; rules that only define readouts are ignored and listed
    in ``extra["ignored_rules"]``).  Refused, naming the element: rate rules, algebraic
    rules, events, delays, time-dependent math, conversion factors, compartments without a
    positive constant size, ligand states in different units.

    ``overrides`` ({name: number}) replace parameter values or species' initial amounts
    before anything is checked (the command line's ``--param``).
    """
    contents = read_sbml(sbml)
    spec = file_designations(contents.notes, designations)
    return assemble_network(contents, spec, overrides)


def network_from_antimony(text, overrides=None, **designations):
    """A ReactionNetwork from Antimony text (directives in ``// antagonism:`` comments),
    converted to SBML by the antimony library and read like any SBML file."""
    found = merge_designations(directives(text), designations)
    return network_from_sbml(antimony_to_sbml(text), overrides, **found)


def load_model_file(path, overrides=None, *, time_budget_s=DEFAULT_TIME_BUDGET,
                    **designations):
    """A NetworkModel from an Antimony (.ant, .txt) or SBML (.xml, .sbml) file.

    ``overrides`` ({name: number}): parameter values or species' initial amounts, applied
    before anything is checked; names the file does not have are passed on to
    :class:`NetworkModel`.  ``designations``: ``ligand``, ``output``, ``binding_time``,
    ``off_rate``, ``bound_states``, ``tau_c``... override the file's directives.

    A model file is untrusted input: reading it stops with a
    :class:`~antagonism._core.errors.LimitError` after ``time_budget_s`` seconds (wall
    clock; the command line's default, :data:`~antagonism._core.budget.DEFAULT_TIME_BUDGET`;
    None: no budget), inside any shorter budget already running."""
    with time_budget(time_budget_s, f"reading the model file {printable(path)}"):
        return _load_model_file(Path(path), overrides, designations)


def _load_model_file(path, overrides, designations):
    if not path.is_file():
        raise NetworkFileError(f"no model file {path}")
    from .file_limits import check_model_file_limits

    check_model_file_limits(path)  # its size, before any parser (what it builds: after)
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise NetworkFileError(f"model file {path} is not text (UTF-8)") from None
    overrides = dict(overrides or {})
    if path.suffix.lower() in (".xml", ".sbml") or text.lstrip().startswith("<?xml"):
        network = network_from_sbml(text, overrides, **designations)
    else:
        network = network_from_antimony(text, overrides, **designations)
    rest = {k: v for k, v in overrides.items()
            if k not in network.parameters and k not in network.species}
    return NetworkModel(network, **rest)


def literature_models():
    """{name: NetworkModel} of the shipped literature models."""
    return {name: load_model_file(path) for name, path in literature_files().items()}
