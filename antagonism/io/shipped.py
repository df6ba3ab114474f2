"""The literature models shipped with the package (``antagonism/io/models/*.ant``), by name.

Listing them reads no file and imports no parser (nor sympy): the command line resolves
``--model-file NAME`` with it before deciding whether the model must be read at all.

>>> "mckeithan_kpr" in literature_files()
True
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def literature_files():
    """{name: path} of the Antimony models shipped with the package."""
    folder = files("antagonism.io").joinpath("models")
    return {Path(str(p)).stem: Path(str(p)) for p in sorted(folder.iterdir(),
                                                            key=lambda p: p.name)
            if str(p).endswith(".ant")}
