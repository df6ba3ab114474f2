"""The package's one on-disk cache, built so that it cannot serve a stale or broken entry.

Everything the package writes for reuse lives under one root:

    $ANTAGONISM_CACHE_DIR            (default ~/.cache/antagonism)
        kernels/   generated kernel modules (named by the hash of their source), numba's
                   compiled code next to them (__pycache__/), index/ (which module serves
                   which (N, m) and code version)
        models/    trained network weights: <key>.npz and its manifest <key>.npz.json
        sweeps/    finished tasks of sweeps (one JSON file per task, named by its content hash)
        compiled/  reaction networks read from model files (JSON data, named by the hash of
                   the file, the flags and the code: theory.networks.store)
        answers/   commands' results (JSON data, named by the hash of the question, the code
                   and the libraries' versions: numerics.answers)
        */corrupt/ entries that failed verification, moved aside (never served)
        */.locks/  lock files of concurrent writers

Nothing is ever written outside the root, and nothing is downloaded.

Guarantees
----------
- **Keys.** Every entry is named by a content hash (:func:`cache_key`) of everything that
  determines it: the data's bytes (:func:`array_digest`), the configuration and the code
  version (:func:`code_version`, a hash of the source files that compute the entry).
- **Atomic writes.** An entry is written to a temporary file in the same folder and moved
  into place with ``os.replace`` (:func:`write_atomic`, :func:`save_verified`); a failed or
  interrupted write (disk full, SIGKILL) leaves at most a temporary file, never an entry.
- **Locks.** Writers (and verifying readers) of one entry take an exclusive ``fcntl``
  lock on ``.locks/<entry>.lock`` in the entry's folder.
- **Verified loads.** :func:`save_verified` records the entry's size and SHA-256 in a
  manifest; :func:`load_verified` checks both (and that the entry parses) before serving it.
  An entry that fails is moved to ``corrupt/`` with a :class:`CacheWarning` naming the file,
  and the caller rebuilds it.
- **Unusable cache.** If the root cannot be created or written (read-only, missing parent,
  not a folder), the package warns once and keeps entries in memory for the process
  (:func:`usable_dir` returns None; kernels go to a private temporary folder removed at
  exit, because numba compiles from files).
- **Trust** (:mod:`.cache_guard`).  The cache holds code (kernel modules, numba's pickled
  machine code), so it is used only when nobody else can write to it: the root and its
  folders are created with mode 0700, and a root or folder that is not the user's, is
  group- or world-writable, is a link or holds a symbolic link anywhere is refused with one
  warning (memory only, as for an unusable cache).  Files are never written or read through
  a symbolic link (``O_NOFOLLOW``; entries are written to a fresh temporary file and moved
  into place).  Every manifest carries an HMAC-SHA256 keyed by a secret kept outside the
  root (``$ANTAGONISM_SECRET_FILE`` or ``~/.config/antagonism/cache.key``, mode 0600), so
  a copied, shared or edited cache can be corrupted but not forged: an entry whose manifest
  this user's key did not sign is refused and rebuilt.
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
import warnings
from functools import cache
from pathlib import Path

from antagonism._core.errors import CacheError, InputError

from .cache_guard import (
    folder_problem,
    mac_matches,
    make_dir,
    manifest_mac,
    open_lock,
    read_file,
    refused,
    secret_key,
    tree_problem,
)

ENV = "ANTAGONISM_CACHE_DIR"
KINDS = ("kernels", "models", "sweeps", "compiled", "answers")
#: largest manifest read (bytes; a manifest holds a size, a hash, a time and an HMAC)
MAX_MANIFEST_BYTES = 64 * 1024


class CacheWarning(UserWarning):
    """A cache entry was refused (and rebuilt), or the cache is unusable (memory fallback)."""


def cache_root() -> Path:
    """The cache root: ``$ANTAGONISM_CACHE_DIR`` if set, else ``~/.cache/antagonism``."""
    base = os.environ.get(ENV)
    return Path(base).expanduser() if base else Path.home() / ".cache" / "antagonism"


def _check_kind(kind):
    if kind not in KINDS:
        raise InputError(f"unknown cache kind {kind!r}; known: {', '.join(KINDS)}")


_WARNED: set = set()


def _warn_once(key, message):
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, CacheWarning, stacklevel=3)


_SCANNED: set = set()  # roots whose tree was checked in this process


def _safe_folder(kind):
    """``<root>/<kind>``, created mode 0700 and checked (:mod:`.cache_guard`): the root and
    every folder below it are this user's, not group- or world-writable, not links, and the
    tree holds no symbolic link (checked once per process); the secret key is readable.
    Raises ``OSError`` (a :class:`PermissionError` for an unsafe cache)."""
    root = cache_root()
    if not os.path.lexists(root):
        root.parent.mkdir(parents=True, exist_ok=True)
    make_dir(root)
    if str(root) not in _SCANNED:
        problem = tree_problem(root)
        if problem is not None:
            raise refused(root, f"refused: {problem}")
        _SCANNED.add(str(root))
    path = make_dir(root / kind)
    secret_key(root)
    return path


def usable_dir(kind) -> Path | None:
    """The folder for one kind of cached object, created on first use (mode 0700); None
    (after one :class:`CacheWarning` per root) if it cannot be created or written, or if it
    is not safe: not the user's, group- or world-writable, a link or holding one, or its
    secret key is unusable (:mod:`.cache_guard`)."""
    _check_kind(kind)
    try:
        path = _safe_folder(kind)
        probe = path / f".probe{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return path
    except OSError as exc:
        _warn_once(str(cache_root()),
                   f"the cache {cache_root()} is not usable ({exc.strerror or exc}); "
                   "keeping this run's cache entries in memory (set "
                   f"{ENV} to a folder only you can write to keep them)")
        return None


def cache_dir(kind: str) -> Path:
    """The folder for one kind of cached object: the on-disk one, or, when the cache is not
    usable, a private temporary folder of this process (removed at exit)."""
    return usable_dir(kind) or _private_dir(kind)


@cache
def _private_dir(kind):
    path = Path(tempfile.mkdtemp(prefix=f"antagonism-{kind}-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


# -- keys -----------------------------------------------------------------------------------
def cache_key(payload) -> str:
    """A stable hash (16 hex digits) of a JSON-serialisable description of a cached object."""
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def array_digest(*arrays) -> str:
    """SHA-256 of arrays' dtypes, shapes and bytes: the content part of a cache key."""
    import numpy as np

    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(memoryview(a).cast("B"))
    return h.hexdigest()


@cache
def code_version(*packages) -> str:
    """Hash of the source files of ``packages`` (dotted names: ``"antagonism._core"``, or
    names under ``antagonism`` such as ``"numerics.networks"``; their Python files and shipped
    data, .ant and .csv): any change to the code that computes an entry changes its key.
    Packages are found by the import system, so an editable and a regular install of the
    same code give the same hash."""
    import importlib.util

    h = hashlib.sha256()
    for name in sorted(packages):
        full = name if name.startswith("antagonism") else f"antagonism.{name}"
        spec = importlib.util.find_spec(full)
        if spec is None:
            raise CacheError(f"code_version: no module {full!r}")
        if spec.submodule_search_locations:
            folder = Path(list(spec.submodule_search_locations)[0])
            files = sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".ant", ".csv")
                           and "__pycache__" not in p.parts)
            names = [f"{full}/{f.relative_to(folder).as_posix()}" for f in files]
        else:
            files, names = [Path(spec.origin)], [full]
        for label, f in zip(names, files):
            h.update(label.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def file_digest(path) -> str:
    """SHA-256 (hex) of a regular file, opened without following a symbolic link."""
    import stat

    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise refused(path, "not a regular file")
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_EPHEMERAL_KEY = secrets.token_bytes(32)


def signing_key():
    """The key of the manifests: the secret of :func:`~.cache_guard.secret_key`, or, when
    it is unusable (the cache is then unusable too), a key of this process only."""
    try:
        return secret_key(cache_root())
    except OSError:
        return _EPHEMERAL_KEY


# -- writing --------------------------------------------------------------------------------
@contextlib.contextmanager
def locked(path):
    """An exclusive ``fcntl`` lock on ``.locks/<name>.lock`` next to ``path`` for the
    duration of the block (writers and verifying readers of one entry take it in turn);
    without a lock when the lock file cannot be opened (the caller's own writes then fail
    and are reported)."""
    import fcntl

    path = Path(path)
    try:
        fd = open_lock(make_dir(path.parent / ".locks") / f"{path.name}.lock")
    except OSError:  # never through a link (O_NOFOLLOW), never in an unsafe folder
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _replace_from_temp(path, write):
    """Call ``write(file)`` on a fresh temporary file next to ``path`` (``mkstemp``: created,
    never opened through a link), fsync it and move it onto ``path`` (``os.replace`` replaces
    the name itself, a link included); on any failure remove the temporary file and
    re-raise.  Returns (size, SHA-256) of the bytes written."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w+b") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            f.seek(0)
            h, size = hashlib.sha256(), 0
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
                size += len(block)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return size, h.hexdigest()


def write_atomic(path: Path, text: str):
    """Write ``text`` to ``path`` so that readers only ever see a whole file."""
    _replace_from_temp(path, lambda f: f.write(text.encode()))


def _manifest_path(path):
    return Path(str(path) + ".json")


def write_entry(path, write, meta=None):
    """Write an entry atomically with its authenticated manifest (size, SHA-256 and an HMAC
    of both and of the entry's name, :func:`signing_key`); the caller holds the entry's
    lock.  ``path``'s folder must be safe (:func:`~.cache_guard.folder_problem`); raises
    ``OSError``."""
    path = Path(path)
    problem = folder_problem(path.parent)
    if problem is not None:
        raise refused(path.parent, f"refused: {problem}")
    size, digest = _replace_from_temp(path, write)
    write_manifest(path, size, digest, meta)


def write_manifest(path, size, digest, meta=None):
    """Write the signed manifest of the entry ``path`` (``<path>.json``): its size, SHA-256,
    creation time and ``meta``, with their HMAC under this user's key."""
    path = Path(path)
    manifest = {"sha256": digest, "size": int(size), "created": time.time(), **(meta or {})}
    manifest["hmac"] = manifest_mac(signing_key(), path.name, manifest)
    write_atomic(_manifest_path(path), json.dumps(manifest))


def save_verified(path, write, meta=None):
    """Write an entry atomically under a lock, with an authenticated manifest of its size
    and SHA-256 (:func:`write_entry`).

    ``write(file)`` writes the entry's bytes to an open binary file.  Returns True when
    saved; on an ``OSError`` (disk full, read-only, an unsafe folder...) nothing is left
    behind, a :class:`CacheWarning` names the entry and False is returned."""
    path = Path(path)
    try:
        with locked(path):
            write_entry(path, write, meta)
        return True
    except OSError as exc:
        for p in (path, _manifest_path(path)):
            with contextlib.suppress(OSError):
                p.unlink()
        warnings.warn(f"could not save the cache entry {path} ({exc.strerror or exc}); "
                      "it will be rebuilt next time", CacheWarning, stacklevel=2)
        return False


# -- reading --------------------------------------------------------------------------------
def quarantine(path, reason):
    """Move a refused entry (and its manifest) to ``corrupt/`` next to it, with a
    :class:`CacheWarning` naming the file and the reason; never raises."""
    path = Path(path)
    target = path.parent / "corrupt"
    moved = None
    for p in (path, _manifest_path(path)):
        if not os.path.lexists(p):
            continue
        try:
            make_dir(target)
            dest = target / f"{p.name}.{int(time.time() * 1000)}"
            os.replace(p, dest)
            moved = moved or dest
        except OSError:
            with contextlib.suppress(OSError):
                p.unlink()
    where = f"moved to {moved}" if moved else "removed"
    warnings.warn(f"cache entry {path} refused ({reason}); {where}, rebuilding it",
                  CacheWarning, stacklevel=3)


def verify(path, data=None):
    """None if ``path`` (or its bytes ``data``, when given) matches its manifest -- an HMAC
    made with this user's key (:func:`signing_key`), the size and the SHA-256 -- else the
    reason it does not.  Neither file is read through a symbolic link."""
    path, key = Path(path), signing_key()
    try:
        text = read_file(_manifest_path(path), MAX_MANIFEST_BYTES + 1)
        if len(text) > MAX_MANIFEST_BYTES:
            return f"unreadable manifest (over {MAX_MANIFEST_BYTES} bytes)"
        manifest = json.loads(text)
        mac = manifest.pop("hmac", None)
        size, digest = int(manifest["size"]), str(manifest["sha256"])
        signed = mac_matches(key, path.name, manifest, mac)
    except FileNotFoundError:
        return "no manifest"
    except Exception as exc:  # any damage (deep nesting, 1e999...): the entry is set aside
        return f"unreadable manifest ({type(exc).__name__})"
    if not signed:
        return ("its manifest is not signed with this user's cache key (written by another "
                "user or program, copied, or edited)")
    try:
        if data is None:
            actual, found = os.lstat(path).st_size, None
        else:
            actual, found = len(data), hashlib.sha256(data).hexdigest()
        if actual != size:
            return f"size {actual} bytes, manifest says {size}"
        if (found or file_digest(path)) != digest:
            return "SHA-256 differs from the manifest"
    except OSError as exc:
        return f"unreadable entry ({exc.strerror or exc})"
    return None


def load_verified(path, read):
    """``read(path)`` for an entry that exists and passes :func:`verify`; None for a missing
    entry.  An entry that fails verification, or whose ``read`` raises, is quarantined (a
    :class:`CacheWarning` names it) and None is returned, so the caller rebuilds it."""
    path = Path(path)
    if not os.path.lexists(path):
        return None
    with locked(path):
        if not os.path.lexists(path):
            return None
        reason = verify(path)
        if reason is None:
            try:
                return read(path)
            except Exception as exc:  # a verified entry the reader refuses: same treatment
                reason = f"unreadable: {type(exc).__name__}: {exc}"
        quarantine(path, reason)
    return None


# -- the memory fallback ------------------------------------------------------------------
_MEMORY: dict = {}


def memory_get(kind, key):
    """An entry kept in memory by this process (the fallback of an unusable cache)."""
    return _MEMORY.get((str(cache_root()), kind, key))


def memory_put(kind, key, value):
    _MEMORY[(str(cache_root()), kind, key)] = value


# -- info and clear -----------------------------------------------------------------------
def cache_info():
    """Root, usability and, per kind, the number of files and bytes (corrupt ones apart)."""
    root = cache_root()
    out = {"root": str(root), "exists": root.is_dir(),
           "writable": root.is_dir() and os.access(root, os.W_OK | os.X_OK), "kinds": {}}
    for kind in KINDS:
        folder = root / kind
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        parts = [p.relative_to(folder).parts for p in files]
        bad = [p for p, q in zip(files, parts) if "corrupt" in q]
        good = [p for p, q in zip(files, parts) if "corrupt" not in q and ".locks" not in q]
        out["kinds"][kind] = {"path": str(folder), "files": len(good),
                              "bytes": sum(p.stat().st_size for p in good),
                              "corrupt_files": len(bad)}
    return out


def clear_cache(kinds=KINDS):
    """Remove the given kinds' folders from the cache root; returns the removed paths.
    Only the package's own folders are touched, never the root itself."""
    removed = []
    for kind in kinds:
        _check_kind(kind)
        folder = cache_root() / kind
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
            removed.append(str(folder))
        elif folder.is_symlink():
            folder.unlink()
            removed.append(str(folder))
    return removed
