"""Readers of model files: Antimony, SBML and Python descriptions of reaction networks.

Like PySB's ``pysb.importers``, this layer turns files into the package's model protocol
(:class:`antagonism.derivations.network_model.NetworkModel`).  It sits above ``derivations``
and below ``theory``: it imports ``antagonism._core`` and ``antagonism.derivations`` only.
Model files are untrusted input (see docs/reliability.md): sizes are checked before any
parser sees a file (:mod:`.file_limits`) and expressions are read by the package's own
whitelisting reader, never evaluated.

- :mod:`.reaction_files` -- ``load_model_file``, ``antimony_to_sbml``,
  ``network_from_sbml``, the shipped literature models (``literature_models``);
- :mod:`.shipped` -- their files by name (``literature_files``, in ``models/*.ant``), listed
  without a parser;
- :mod:`.sbml` -- an SBML document read into plain data (species, parameters, reactions,
  rules, notes);
- :mod:`.designations` -- ligand, output, binding time... from directives and arguments;
- :mod:`.assembly` -- plain data and designations into a ``ReactionNetwork``;
- :mod:`.file_limits` -- size and species limits checked before parsing;
- :mod:`.guards` -- refused before a parser sees the text: Antimony imports, SBML external
  model definitions, deep XML nesting;
- :mod:`.expansion` -- each expression's size once functions and rules are expanded.
"""
