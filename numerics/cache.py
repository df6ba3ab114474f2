"""The package's one on-disk cache.

Everything the package writes for reuse lives under one root:

    $ANTAGONISM_CACHE_DIR            (default ~/.cache/antagonism)
        kernels/   generated kernel modules and numba's compiled code next to them
        models/    trained network weights (.npz)
        sweeps/    finished tasks of sweeps (one JSON file per task, named by its content hash)

Nothing is ever written outside the root, and nothing is downloaded.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from antagonism.derivations.errors import InputError

ENV = "ANTAGONISM_CACHE_DIR"
KINDS = ("kernels", "models", "sweeps")


def cache_root() -> Path:
    """The cache root: ``$ANTAGONISM_CACHE_DIR`` if set, else ``~/.cache/antagonism``."""
    base = os.environ.get(ENV)
    return Path(base).expanduser() if base else Path.home() / ".cache" / "antagonism"


def cache_dir(kind: str) -> Path:
    """The folder for one kind of cached object (created on first use)."""
    if kind not in KINDS:
        raise InputError(f"unknown cache kind {kind!r}; known: {', '.join(KINDS)}")
    path = cache_root() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(payload) -> str:
    """A short stable hash of a JSON-serialisable description of a cached object."""
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_atomic(path: Path, text: str):
    """Write ``text`` to ``path`` so that concurrent readers only ever see a whole file."""
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
