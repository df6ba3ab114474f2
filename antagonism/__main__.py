"""``python -m antagonism``: the command line (same as the ``antagonism`` command).

``antagonism`` is a namespace package; this folder holds only this file, mapped onto the
``antagonism`` name by ``pyproject.toml`` next to the derivations, theory and numerics.
"""
import sys

from antagonism.cli import main

if __name__ == "__main__":
    sys.exit(main())
