"""The kernel cache: generated modules on disk, authenticated before they run.

A module is written once to ``<cache>/kernels/<prefix>_<hash>.py``, named by the hash of its
own source, with a signed manifest (:func:`~antagonism.numerics.cache.write_entry`: size,
SHA-256 and an HMAC keyed by the user's secret), and an index entry per (N, m), keyed by
the template version, the package version and the hash of the generator's code, names it
(signed likewise).  A later process reads the index and runs the module without sympy (a
warm start), and numba's ``cache=True`` reuses its machine code.

Nothing in the kernel cache runs unless this user's key signed it:

- a module is read once, checked (its name is the hash of its content, its manifest is
  signed) and compiled from those very bytes into a fresh module object; Python's import
  machinery is not used, so no ``.pyc`` file is read or written;
- numba's cache files (``__pycache__/<module>.*.nbi|nbc``, which numba unpickles) are
  checked against their signed manifests before the module is run, and again whenever
  numba reads them (:func:`guard_numba_cache`); numba's own writes are signed as they happen.

A refused index entry, module or numba file is moved aside with a warning and rebuilt.
"""
from __future__ import annotations

import contextlib
import hashlib
import re
import sys
import types
from functools import lru_cache
from pathlib import Path

from ..cache import (
    cache_dir,
    load_verified,
    locked,
    quarantine,
    verify,
    write_entry,
    write_manifest,
)
from ..cache_guard import make_dir, read_file
from .printer import CODEGEN_VERSION, kernel_source

_MODULE_NAME = re.compile(r"[a-z]+_([0-9a-f]{16})\.py")
NUMBA_SUFFIXES = (".nbi", ".nbc")


def _source_digest(source):
    if isinstance(source, str):
        source = source.encode()
    return hashlib.sha256(source).hexdigest()[:16]


def _module_bytes(path):
    """(bytes, None) of a kernel module the cache may run, else (None, why not): a regular
    file (not a link) directly in the kernel cache folder, named ``<prefix>_<hash>.py``
    where the hash is that of its own content, with a manifest signed by this user's key
    (:func:`~antagonism.numerics.cache.verify`).  The bytes are read once."""
    path = Path(path)
    folder = cache_dir("kernels").resolve()
    match = _MODULE_NAME.fullmatch(path.name)
    if match is None:
        return None, f"{path.name!r} is not a kernel module name"
    if path.is_symlink() or path.parent.resolve() != folder:
        return None, f"{path} is outside the kernel cache {folder} (or a link)"
    try:
        data = read_file(path)
    except FileNotFoundError:
        return None, "missing"
    except OSError as exc:
        return None, f"unreadable ({exc.strerror or exc})"
    if _source_digest(data) != match.group(1):
        return None, "its content does not match the hash in its name (truncated or edited)"
    problem = verify(path, data)
    return (data, None) if problem is None else (None, problem)


def module_problem(path):
    """None if ``path`` is a kernel module the cache may run (:func:`_module_bytes`), else
    why not."""
    return _module_bytes(path)[1]


def write_module(source, prefix="adaptive"):
    """Write ``source`` to <kernel cache>/<prefix>_<hash>.py with its signed manifest (once,
    atomically, under a lock) and return its path; a refused file of that name is moved
    aside and replaced."""
    path = cache_dir("kernels") / f"{prefix}_{_source_digest(source)}.py"
    with locked(path):
        problem = module_problem(path)
        if problem not in (None, "missing"):
            quarantine(path, problem)
        if problem is not None:
            write_entry(path, lambda f: f.write(source.encode()))
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


def _read_index(path):
    name = read_file(path).decode("utf-8").strip()
    if _MODULE_NAME.fullmatch(name) is None:
        raise ValueError(f"the index entry names {name[:80]!r}, not a module of the kernel "
                         "cache")
    return name


def _indexed_module(index):
    """The module a signed index entry names, if the module may run (:func:`module_problem`);
    a refused entry or module is moved aside with a warning."""
    name = load_verified(index, _read_index)
    if name is None:
        return None
    path = cache_dir("kernels") / name
    problem = module_problem(path)
    if problem is None:
        return path
    with locked(path):
        if problem != "missing":
            quarantine(path, problem)
    with locked(index):
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
    make_dir(index.parent)
    with locked(index):
        write_entry(index, lambda f: f.write(path.name.encode()))
    return path, False


def numba_cache_problems(path):
    """The numba cache files (``__pycache__/<module>.*.nbi|nbc``) of a module that do not
    match a manifest signed with this user's key, by name -> reason.  Nothing is
    unpickled."""
    folder = Path(path).parent / "__pycache__"
    if not folder.is_dir():
        return {}
    return {f: reason for f in sorted(folder.glob(f"{Path(path).stem}.*"))
            if f.suffix in NUMBA_SUFFIXES and (reason := verify(f)) is not None}


class _HashingFile:
    """A write-only file that passes bytes on and hashes them (numba's pickles)."""

    def __init__(self, f):
        self.f, self.h, self.size = f, hashlib.sha256(), 0

    def write(self, data):
        self.h.update(data)
        self.size += len(data)
        return self.f.write(data)


def _signed_writer(cache_file):
    """numba's ``_open_for_write``, with a signed manifest of the bytes it wrote."""
    original = cache_file._open_for_write

    @contextlib.contextmanager
    def open_for_write(filepath):
        with original(filepath) as f:
            tee = _HashingFile(f)
            yield tee
        # the manifest describes exactly the bytes numba wrote
        write_manifest(Path(filepath), tee.size, tee.h.hexdigest())
    return open_for_write


def guard_numba_cache(dispatcher):
    """Make numba's disk cache of ``dispatcher`` read only files whose signed manifest
    matches (anything else reads as a cache miss: numba compiles again and the new files
    are signed as it writes them).  Without numba's cache internals, caching is disabled."""
    cache = getattr(dispatcher, "_cache", None)
    cache_file = getattr(cache, "_cache_file", None)
    needed = ("_load_index", "_load_data", "_open_for_write", "_index_path", "_data_path")
    if cache_file is None or not all(hasattr(cache_file, a) for a in needed):
        if cache is not None and hasattr(cache, "disable"):
            cache.disable()
        return
    load_index, load_data = cache_file._load_index, cache_file._load_data

    def checked_index():
        index = Path(cache_file._index_path)
        if index.exists() and verify(index) is not None:
            return {}
        return load_index()

    def checked_data(name):
        data = Path(cache_file._data_path(name))
        problem = verify(data)
        if problem is not None:
            raise OSError(f"numba cache file {data} refused: {problem}")
        return load_data(name)

    cache_file._load_index = checked_index
    cache_file._load_data = checked_data
    cache_file._open_for_write = _signed_writer(cache_file)


def import_module(path):
    """Run a generated module from its verified bytes and return it.

    Only a module of the kernel cache whose content matches its name and whose manifest is
    signed with this user's key runs (:class:`~antagonism._core.errors.CacheError`
    otherwise).  Its bytes are compiled into a fresh module object (no ``.pyc`` is read or
    written); its file name is kept so that numba's on-disk cache can key on it.  Numba
    cache files of the module without a matching signed manifest are moved aside first,
    and numba's later reads and writes of them are checked and signed
    (:func:`guard_numba_cache`)."""
    from antagonism._core.errors import CacheError

    path = Path(path)
    data, problem = _module_bytes(path)
    if problem is not None:
        raise CacheError(f"refusing to import kernel module {path}: {problem}")
    name = f"antagonism_kernels_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    with contextlib.suppress(OSError):
        make_dir(path.parent / "__pycache__")
    for f, reason in numba_cache_problems(path).items():
        with locked(f):
            quarantine(f, reason)
    code = compile(data, str(path), "exec", dont_inherit=True)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        exec(code, module.__dict__)  # the verified bytes, compiled above
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        sys.dont_write_bytecode = saved
    for value in list(vars(module).values()):  # the module's own jitted functions
        if hasattr(value, "_cache") and getattr(getattr(value, "py_func", None),
                                                "__module__", None) == name:
            guard_numba_cache(value)
    return module
