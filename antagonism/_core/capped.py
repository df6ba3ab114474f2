"""Run a function in a child process with a memory cap and a kill timer.

An alarm cannot stop C++ code (a Python signal handler runs only between bytecodes), and
C++ code that allocates without bound takes the machine's memory with it.  So work done by
a C++ library on untrusted input (libantimony and libsbml reading a model file) runs in a
forked child: its address space is capped (``RLIMIT_AS``, the parent's size at the fork
plus ``memory_bytes``), the parent kills it (``SIGKILL``) after ``seconds``, and it sends
back plain data only (JSON through a pipe; nothing is unpickled).

>>> run_capped(sum, ([1, 2, 3],), memory_bytes=2**28, seconds=10, what="a sum")
6

Failures come back as exceptions of the parent: the package's own errors keep their class
(an :class:`~.errors.InputError` raised in the child is one here), running out of memory
or time is a :class:`~.errors.LimitError` naming ``what`` and the limit, and anything else
(a crash of the library, a bug) a ``RuntimeError``.  Where ``os.fork`` does not exist
(Windows) the function runs in this process, without the caps.
"""
from __future__ import annotations

import json
import os
import signal
import time

from . import errors

#: the package's errors a child may raise, by name (re-raised with their class)
_ERRORS = {name: getattr(errors, name) for name in errors.__all__}
_CHUNK = 1 << 16


def _address_space():
    """This process's virtual memory size (bytes), or None where /proc does not say."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _cap_memory(memory_bytes):
    import resource

    base = _address_space()
    if base is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = base + int(memory_bytes)
    for limit in (hard, soft):
        if limit != resource.RLIM_INFINITY:
            cap = min(cap, limit)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _child(write_fd, func, args, memory_bytes):
    """In the child: cap, run, send {"value": ...} or {"error", "message"}; never returns."""
    import faulthandler
    import gc

    faulthandler.disable()  # a crash of the library is reported by the parent, in one line
    gc.disable()  # no finaliser of the parent's garbage runs here
    try:
        try:
            quiet = os.open(os.devnull, os.O_WRONLY)  # the library's (and the C++
            os.dup2(quiet, 1)  # runtime's) messages: the parent reports in one line
            os.dup2(quiet, 2)
            _cap_memory(memory_bytes)
            reply = {"value": func(*args)}
        except BaseException as exc:  # everything goes back to the parent as data
            reply = {"error": type(exc).__name__, "message": str(exc)[:2000]}
        data = json.dumps(reply).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view[:_CHUNK]):]
    except BaseException:  # even MemoryError while answering: the parent sees no reply
        pass
    finally:
        os._exit(0)


def _fork():
    import warnings

    with warnings.catch_warnings():  # Python >= 3.12 warns about fork with threads: the
        warnings.filterwarnings(       # child only runs the library and writes to a pipe
            "ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
        return os.fork()


def _read(read_fd, pid, deadline):
    """The child's reply, read until it closes the pipe or the deadline passes (then the
    child is killed and None returned, with ``timed_out``)."""
    import select

    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, True
        ready, _, _ = select.select([read_fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(read_fd, _CHUNK)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def run_capped(func, args=(), *, memory_bytes, seconds, what):
    """``func(*args)`` in a forked child whose address space may grow by ``memory_bytes``
    and which is killed after ``seconds``; returns its (JSON-able) value.  ``what`` names
    the work in messages ("libantimony reading the model file")."""
    if not hasattr(os, "fork"):
        return func(*args)
    read_fd, write_fd = os.pipe()
    try:
        pid = _fork()
    except BaseException:
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:
        os.close(read_fd)
        _child(write_fd, func, args, memory_bytes)
    os.close(write_fd)
    status, data, timed_out = None, None, False
    try:  # a time budget's alarm may interrupt the wait: the child is killed all the same
        data, timed_out = _read(read_fd, pid, time.monotonic() + seconds)
    finally:
        os.close(read_fd)
        if data is None or timed_out:
            _kill(pid)
        status = os.waitpid(pid, 0)[1]
    return _reply(data, timed_out, status, memory_bytes, seconds, what)


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reply(data, timed_out, status, memory_bytes, seconds, what):
    if timed_out:
        raise errors.LimitError(f"{what} took longer than {seconds:g} s and was stopped "
                                "(the input builds too much)")
    try:
        reply = json.loads(data) if data else None
    except ValueError:
        reply = None
    if not isinstance(reply, dict):  # killed or crashed: out of memory, or a library bug
        how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        raise errors.LimitError(f"{what} stopped without an answer ({how}), most likely "
                                f"beyond its memory limit of {memory_bytes / 2**30:.3g} GiB "
                                "(the input builds too much)")
    if "value" in reply:
        return reply["value"]
    name, message = reply.get("error"), reply.get("message", "")
    if name in _ERRORS:
        raise _ERRORS[name](message)
    if name == "MemoryError" or "bad_alloc" in message:
        raise errors.LimitError(f"{what} ran out of its memory limit of "
                                f"{memory_bytes / 2**30:.3g} GiB (the input builds too much)")
    raise RuntimeError(f"{what} failed in its child process: {name}: {message}")


__all__ = ["run_capped"]
