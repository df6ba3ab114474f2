"""``python -m antagonism``: the command line (same as the ``antagonism`` command).

``antagonism`` is a namespace package (this folder has no ``__init__.py``).  The folder holds
this file, ``errors.py`` and the sub-packages ``_core`` (errors, results, strict parsers),
``io`` (model-file readers) and ``cli`` (the command line); ``pyproject.toml`` maps the
top-level folders ``derivations/``, ``theory/`` and ``numerics/`` onto
``antagonism.derivations``, ``antagonism.theory`` and ``antagonism.numerics``.
"""
import sys

from antagonism.cli import main

if __name__ == "__main__":
    sys.exit(main())
