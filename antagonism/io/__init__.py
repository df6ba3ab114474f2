"""Readers of model files: Antimony, SBML and Python descriptions of reaction networks.

Like PySB's ``pysb.importers``, this layer turns files into the package's model protocol
(:class:`antagonism.derivations.network_model.NetworkModel`).  It sits above ``derivations``
and below ``theory``: it imports ``antagonism._core`` and ``antagonism.derivations`` only.
Model files are untrusted input (see docs/reliability.md): a file's size is checked before
any parser sees it, the C++ parsers run in a child process with a memory cap and a kill
timer, and what they build is counted (:mod:`.file_limits`); expressions are read by the
package's own whitelisting reader, never evaluated.

- :mod:`.reaction_files` -- ``load_model_file``, ``antimony_to_sbml``,
  ``network_from_sbml``, the shipped literature models (``literature_models``);
- :mod:`.shipped` -- their files by name (``literature_files``, in ``models/*.ant``), listed
  without a parser;
- :mod:`.sbml` -- an SBML document read into plain data (species, parameters, reactions,
  rules, notes);
- :mod:`.designations` -- ligand, output, binding time... from directives and arguments;
- :mod:`.assembly` -- plain data and designations into a ``ReactionNetwork``;
- :mod:`.file_limits` -- the file's size; the parsers in a capped child process, and the
  module instances, species and reactions they build;
- :mod:`.guards` -- refused before a parser sees the text: Antimony imports, SBML external
  model definitions, deep XML nesting;
- :mod:`.expansion` -- each expression's size once functions and rules are expanded.
"""
