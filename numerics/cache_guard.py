"""What keeps the on-disk cache from being turned against its user.

The cache (:mod:`.cache`) holds code: generated kernel modules and numba's compiled machine
code, which numba reads with ``pickle``.  Whoever can write to the cache can therefore run
code in the package's process, so the cache is trusted only when nobody else can write to
it, and a cache that was copied or shared is checked before anything in it is used:

- **Folders** are created with mode 0700 (:func:`make_dir`); a folder that is a symbolic
  link, is not the user's, or is group- or world-writable is refused (:func:`folder_problem`),
  and so is a cache that holds a symbolic link or such a folder anywhere
  (:func:`tree_problem`).
- **Files** are opened without following symbolic links (``O_NOFOLLOW``; :func:`read_file`,
  :func:`open_lock`); entries are written to a fresh temporary file and moved into place
  (never written through an existing name).
- **Manifests** are authenticated: an HMAC-SHA256 (:func:`manifest_mac`) keyed by a secret
  kept *outside* the cache root (:func:`secret_key`: ``$ANTAGONISM_SECRET_FILE`` or
  ``~/.config/antagonism/cache.key``, 32 random bytes created with mode 0600).  A cache
  copied from elsewhere, or edited, can be corrupted but not forged: an entry whose manifest
  does not carry this user's HMAC is refused and rebuilt.

Every refusal here is a :class:`PermissionError` (an ``OSError``), which the cache treats as
it treats an unusable folder: one warning, then entries in memory.
"""
from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from pathlib import Path

SECRET_ENV = "ANTAGONISM_SECRET_FILE"
#: random bytes of a new secret (written as hex)
SECRET_BYTES = 32
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def refused(path, why):
    """The :class:`PermissionError` of an unsafe path (an ``OSError``: an unusable cache)."""
    return PermissionError(errno.EPERM, why, str(path))


def folder_problem(path):
    """None if ``path`` is a real folder (not a link) of this user that neither its group nor
    others can write to; else why not."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a folder"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{path} belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return (f"{path} can be written by its group or by others (mode "
                f"{stat.S_IMODE(st.st_mode):o}); chmod 700 it")
    return None


def make_dir(path):
    """Create the folder ``path`` with mode 0700 if it is missing (its parent must exist) and
    return it; a :class:`PermissionError` if it is unsafe (:func:`folder_problem`)."""
    path = Path(path)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    problem = folder_problem(path)
    if problem is not None:
        raise refused(path, f"refused: {problem}")
    return path


def tree_problem(folder):
    """None if nothing in ``folder``'s tree (not following links) is a symbolic link or a
    folder that is not safe (:func:`folder_problem`); else what the first such entry is."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in (*dirnames, *filenames):
            p = os.path.join(dirpath, name)
            if os.path.islink(p):
                return f"it holds a symbolic link, {p}"
        for name in dirnames:
            problem = folder_problem(os.path.join(dirpath, name))
            if problem is not None:
                return problem
    return None


def read_file(path, limit=-1):
    """The bytes of the regular file ``path`` (at most ``limit`` of them when given), opened
    without following a symbolic link (``OSError`` otherwise: ELOOP for a link,
    :class:`PermissionError` for a device...)."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise refused(path, "not a regular file")
        return f.read(limit)


def open_lock(path):
    """A file descriptor of the lock file ``path`` (created mode 0600), never through a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | _NOFOLLOW, 0o600)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise refused(path, "not a regular file")
    return fd


# -- the secret -------------------------------------------------------------------------------
def secret_path():
    """``$ANTAGONISM_SECRET_FILE``, else ``~/.config/antagonism/cache.key``."""
    given = os.environ.get(SECRET_ENV)
    return (Path(given).expanduser() if given
            else Path.home() / ".config" / "antagonism" / "cache.key")


_KEYS: dict = {}


def _inside(path, root):
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
        return True
    except ValueError:
        return False


def _create_secret(path):
    """Write a new secret atomically (a temporary file linked into place, mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache.key.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_hex(SECRET_BYTES).encode())
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # atomic; another process may have won the race
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def _read_secret(path):
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise refused(path, "the cache's secret is not a regular file")
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise refused(path, "the cache's secret belongs to another user")
        if st.st_mode & 0o077:
            raise refused(path, "the cache's secret can be read by others; chmod 600 it")
        data = f.read(4096).strip()
    if len(data) < SECRET_BYTES:
        raise refused(path, "the cache's secret is too short")
    return data


def secret_key(root):
    """The key of the cache's manifests: the secret file's content (created on first use).

    The file must lie outside the cache ``root``, be a regular file of this user that
    nobody else can read; else a :class:`PermissionError`."""
    path = secret_path()
    if _inside(path, root):
        raise refused(path, f"the cache's secret must lie outside the cache root {root} "
                            f"(set {SECRET_ENV})")
    key = _KEYS.get(str(path))
    if key is None:
        if not os.path.lexists(path):
            _create_secret(path)
        key = _KEYS[str(path)] = _read_secret(path)
    return key


def manifest_mac(key, name, fields):
    """HMAC-SHA256 (hex) of a manifest's ``fields`` and its entry's file ``name``."""
    body = json.dumps({"entry": name, **fields}, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def mac_matches(key, name, fields, mac):
    """Whether ``mac`` is the HMAC of ``fields`` for ``name`` (constant-time comparison)."""
    return isinstance(mac, str) and hmac.compare_digest(mac, manifest_mac(key, name, fields))


__all__ = ["SECRET_ENV", "folder_problem", "mac_matches", "make_dir", "manifest_mac",
           "open_lock", "read_file", "refused", "secret_key", "secret_path", "tree_problem"]
