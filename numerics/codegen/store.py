"""The kernel cache: generated modules on disk, verified before they are served.

A module is written once to ``<cache>/kernels/<prefix>_<hash>.py``, named by the hash of its
own source, and an index entry per (N, m), keyed by the template version, the package
version and the hash of the generator's code, names it; a later process reads the index and
imports the module without sympy (a warm start), and numba's ``cache=True`` reuses its
machine code.  Index entries, modules and numba's cache files are checked before use; a
refused one is moved aside with a warning and rebuilt.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path

from ..cache import cache_dir, locked, quarantine, write_atomic
from .printer import CODEGEN_VERSION, kernel_source

_MODULE_NAME = re.compile(r"[a-z]+_([0-9a-f]{16})\.py")


def _source_digest(source):
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def module_problem(path):
    """None if ``path`` is a kernel module the cache may serve, else why not: it must be a
    regular file (not a link) directly in the kernel cache folder, named
    ``<prefix>_<hash>.py`` where the hash is that of its own content."""
    path = Path(path)
    folder = cache_dir("kernels").resolve()
    match = _MODULE_NAME.fullmatch(path.name)
    if match is None:
        return f"{path.name!r} is not a kernel module name"
    if path.is_symlink() or path.parent.resolve() != folder:
        return f"{path} is outside the kernel cache {folder} (or a link)"
    if not path.is_file():
        return "missing"
    if _source_digest(path.read_bytes().decode("utf-8", "replace")) != match.group(1):
        return "its content does not match the hash in its name (truncated or edited)"
    return None


def write_module(source, prefix="adaptive"):
    """Write ``source`` to <kernel cache>/<prefix>_<hash>.py (once, atomically, under a lock)
    and return its path; a file of that name with other content is replaced."""
    path = cache_dir("kernels") / f"{prefix}_{_source_digest(source)}.py"
    with locked(path):
        problem = module_problem(path)
        if problem not in (None, "missing"):
            quarantine(path, problem)
        if problem is not None:
            write_atomic(path, source)
    return path


@lru_cache(maxsize=1)
def _generator_hash():
    """Hash of the code that generates kernels (this package and the derivations): any
    change to either invalidates the index, so a stale module is never reused."""
    import antagonism.derivations as dv

    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    for f in sorted(Path(dv.__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _index_path(N, m):
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("antagonism")
    except PackageNotFoundError:
        pkg = "dev"
    kind = "generic" if N is None else f"N{float(N)!r}_m{float(m)!r}"
    key = f"adaptive_{kind}_v{CODEGEN_VERSION}_{pkg}_{_generator_hash()}"
    return cache_dir("kernels") / "index" / f"{key}.txt"


def _indexed_module(index):
    """The module an index entry names, if the entry is valid and the module may be served
    (:func:`module_problem`); a refused entry or module is moved aside with a warning."""
    if not index.exists():
        return None
    try:
        name = index.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        quarantine(index, f"unreadable index entry ({type(exc).__name__})")
        return None
    if _MODULE_NAME.fullmatch(name) is None:
        quarantine(index, f"the index entry names {name[:80]!r}, not a module of the kernel "
                          "cache")
        return None
    path = cache_dir("kernels") / name
    problem = module_problem(path)
    if problem is None:
        return path
    if problem != "missing":
        quarantine(path, problem)
    quarantine(index, f"its module {name} was refused ({problem})")
    return None


def module_path(N=None, m=None):
    """The generated module for (N, m) (None: generic), from the index when an earlier
    process wrote it (warm start: no sympy at all), else derived, printed and recorded.
    Index entries and modules are verified first (:func:`module_problem`); a refused one is
    moved aside with a warning and rebuilt.

    Returns ``(path, warm)``."""
    index = _index_path(N, m)
    path = _indexed_module(index)
    if path is not None:
        return path, True
    path = write_module(kernel_source(N, m))
    index.parent.mkdir(exist_ok=True)
    with locked(index):
        write_atomic(index, path.name)
    return path, False


def numba_cache_problems(path):
    """The numba cache files (``__pycache__/<module>.*.nbi|nbc``) of a module that are not
    whole pickle streams, by name -> reason.  The check only parses opcodes
    (``pickletools``); nothing is unpickled."""
    import io
    import pickletools

    bad = {}
    folder = Path(path).parent / "__pycache__"
    for f in sorted(folder.glob(f"{Path(path).stem}.*")):
        if f.suffix not in (".nbi", ".nbc"):
            continue
        data = f.read_bytes()
        pos, streams = 0, 0
        try:
            while pos < len(data):
                stream = io.BytesIO(data[pos:])
                for _ in pickletools.genops(stream):
                    pass
                pos += stream.tell()
                streams += 1
            if streams < (2 if f.suffix == ".nbi" else 1):
                raise ValueError("too few pickle streams")
        except ValueError as exc:
            bad[f] = f"not a whole numba cache file ({exc})"
    return bad


def import_module(path):
    """Import a generated module from its file so numba's on-disk cache can key on it.

    Only a module of the kernel cache whose content matches its name is imported
    (:class:`~antagonism._core.errors.CacheError` otherwise); numba cache files of
    the module that are not whole are moved aside first (numba then recompiles)."""
    from antagonism._core.errors import CacheError

    path = Path(path)
    problem = module_problem(path)
    if problem is not None:
        raise CacheError(f"refusing to import kernel module {path}: {problem}")
    name = f"antagonism_kernels_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    for f, reason in numba_cache_problems(path).items():
        with locked(path):
            quarantine(f, reason)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
