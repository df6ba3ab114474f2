"""One layer that runs a sweep's independent tasks: here, in local processes or on a dask
cluster, with progress as tasks finish and an on-disk cache of finished tasks.

A *task* is a module-level function called with keyword arguments that are plain JSON
(numbers, strings, lists, dicts) and returning JSON-able values (numbers, strings, lists,
dicts, :class:`~antagonism._core.result.Result`).  :func:`run_tasks` maps one function over
a list of such argument dicts and returns the results in the order of the arguments,
whatever the order in which they finished, so every executor gives the same answer:

- ``local``: one after the other in this process;
- ``processes``: a pool of ``workers`` local processes (spawned; one numba thread each);
- ``dask``: a dask.distributed cluster (the optional ``dask`` extra), at ``scheduler``
  (``tls://host:8786``, see :class:`Scheduler`) or, without one, a local cluster of
  ``workers`` single-threaded processes started for the run, over TLS with temporary
  credentials (``distributed.security.Security.temporary()``).  Workers need the package
  installed; they compute and send results back, and only this process reads or writes the
  cache.

**A cluster is trusted.**  dask sends results as pickles: a scheduler, or any worker of it,
can run code in this process.  Connect only to clusters you control: a plain ``tcp://``
address that is not this machine's loopback is refused unless ``insecure=True``
(``--insecure-scheduler``); give TLS files (``--tls-ca-file``, ``--tls-cert``,
``--tls-key``) for a ``tls://`` scheduler.

Every result passes through JSON (numpy numbers become Python numbers, NaN becomes None),
in the worker, so a result is the same object whether it was computed here, elsewhere or
read from the cache.

**Cache.**  With ``cache=NAME`` every finished task is written, atomically, to
``<cache root>/sweeps/NAME/<key>.json``; the key hashes the function's name, its arguments
and the package's code and data files (any change to the package invalidates every entry).
A re-run reads what is there and computes only what is missing; an interrupted sweep
resumes where it stopped.
"""
from __future__ import annotations

import importlib
import ipaddress
import json
import logging
import os
import sys
from dataclasses import dataclass
from functools import lru_cache

from antagonism._core.errors import CacheError, InputError
from antagonism._core.result import Result

from .cache import cache_dir, cache_key, code_version, load_verified, save_verified
from .cache_guard import make_dir

EXECUTORS = ("local", "processes", "dask")
CONNECT_TIMEOUT = "20s"  # to reach a dask scheduler
MISSING = object()  # a result not (yet) known


class SweepRun(Result):
    """The results of :func:`run_tasks`.

    Attributes
    ----------
    results : list -- one JSON-able result per task, in the order of the arguments
    computed : int -- distinct tasks computed in this run (a task given twice runs once)
    cached : int -- results read from the cache
    executor : str
    """


def _function_name(fn):
    return f"{fn.__module__}:{fn.__qualname__}"


def _resolve(name):
    module, _, qualname = name.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _plain(value):
    """``value`` as plain JSON (strict: no NaN or infinity survives)."""
    value = Result(value=value).to_dict()["value"]
    return json.loads(json.dumps(value, allow_nan=False))


def _call(name, kwargs, single_threaded=False):
    """Run one task (on whichever machine the executor chose) and return its plain result."""
    if single_threaded:
        _single_threaded()
    return _plain(_resolve(name)(**kwargs))


def _single_threaded():
    """One numba thread for this worker: the workers share the cores."""
    try:
        import numba

        numba.set_num_threads(1)
    except ImportError:
        pass


@lru_cache(maxsize=1)
def code_digest():
    """A hash of the package's Python sources and shipped data: a cached result is reused
    only by the exact code that computed it."""
    return code_version("antagonism._core", "antagonism.io", "derivations", "theory",
                        "numerics")


def task_key(fn, kwargs):
    """The content hash naming one task's result in the cache."""
    return cache_key({"task": _function_name(fn), "args": kwargs, "code": code_digest()})


def _check_cache_name(name):
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise InputError(f"cache name must be letters, digits, - or _, got {name!r}")
    return name


class _Cache:
    """Finished tasks of one named sweep, each a JSON file named by its content hash, saved
    with a signed manifest and verified on load
    (:func:`~antagonism.numerics.cache.save_verified`,
    :func:`~antagonism.numerics.cache.load_verified`): a corrupt entry, or one whose manifest
    this user's key did not sign (an edited result with its hash recomputed), is moved aside
    with a warning and the task runs again."""

    def __init__(self, name):
        self.folder = cache_dir("sweeps") / _check_cache_name(name) if name else None

    def get(self, key):
        """The cached result of task ``key``, or ``MISSING``."""
        if self.folder is None:
            return MISSING

        def read(path):
            record = json.loads(path.read_text())
            if record.get("key") != key:
                raise CacheError(f"entry holds the task {record.get('key')!r}")
            return record

        record = load_verified(self.folder / f"{key}.json", read)
        return MISSING if record is None else record["result"]

    def put(self, key, fn, kwargs, result):
        if self.folder is None:
            return
        try:
            make_dir(self.folder)  # mode 0700; never a link or another user's folder
        except OSError:
            return  # an unwritable cache: the result is still returned
        record = {"key": key, "task": _function_name(fn), "args": kwargs, "result": result}
        text = json.dumps(record, allow_nan=False).encode()
        save_verified(self.folder / f"{key}.json", lambda f: f.write(text))


def _describe(kwargs):
    """A short description of a task's arguments (scalars, and one level of dicts)."""
    fmt = (lambda v: f"{v:g}" if isinstance(v, float) else str(v))  # noqa: E731
    parts = []
    for k, v in kwargs.items():
        if isinstance(v, dict):
            parts += [f"{a}={fmt(b)}" for a, b in v.items() if not isinstance(b, (dict, list))]
        elif not isinstance(v, list):
            parts.append(f"{k}={fmt(v)}")
    return " ".join(parts)


def _progress_printer(label, total):
    """"[label] k/total how: task (elapsed X s, ETA Y s)", the ETA from the tasks finished
    since the first report."""
    import time

    from .progress import eta_text

    start, first = time.perf_counter(), []

    def report(done, kwargs, how):
        if not first:
            first.append(done - 1)
        elapsed = time.perf_counter() - start
        print(f"[{label}] {done}/{total} {how}: {_describe(kwargs)} (elapsed {elapsed:.0f} s"
              f"{eta_text(elapsed, done - first[0], total - first[0])})", file=sys.stderr,
              flush=True)
    return report


@dataclass(frozen=True)
class Scheduler:
    """A dask scheduler to connect to: its address, TLS files and whether a plain ``tcp://``
    address off this machine is accepted.

    A scheduler and its workers can run code in this process (results arrive as pickles):
    connect only to a cluster you control.  ``ca_file``, ``cert``, ``key``: the TLS
    certificate authority, this client's certificate and its key (PEM files), for a
    ``tls://`` address.  ``insecure``: accept a plain ``tcp://`` address that is not a
    loopback address (``--insecure-scheduler``): anyone on the network path can then run
    code in this process."""

    address: str
    ca_file: str | None = None
    cert: str | None = None
    key: str | None = None
    insecure: bool = False

    def check(self):
        """Refuse, with an InputError, an address this client will not connect to."""
        scheme, sep, rest = self.address.partition("://")
        scheme = scheme.lower() if sep else "tcp"
        host = (rest if sep else self.address).rsplit(":", 1)[0].strip("[]")
        tls = (self.ca_file, self.cert, self.key)
        if any(tls) and scheme not in ("tls", "wss"):
            raise InputError(f"--tls-ca-file, --tls-cert and --tls-key need a tls:// "
                             f"scheduler address, got {self.address!r}")
        if any(tls) and not all(tls):
            raise InputError("TLS needs all three of --tls-ca-file, --tls-cert and --tls-key")
        for f in tls:
            if f is not None and not os.path.isfile(f):
                raise InputError(f"no TLS file {f}")
        if scheme in ("tcp", "ws", "ucx") and not (self.insecure or _loopback(host)):
            raise InputError(
                f"refusing the plain {scheme}:// scheduler {self.address!r}: a scheduler and its "
                "workers can run code in this process, and without TLS anyone on the "
                "network path can too.  Use a tls:// address with --tls-ca-file, --tls-cert "
                "and --tls-key, or give --insecure-scheduler for a cluster you control on "
                "a network you trust")
        if scheme not in ("tcp", "tls", "inproc", "ucx", "ws", "wss"):
            raise InputError(f"unknown scheduler protocol {scheme!r} in {self.address!r}")
        return self

    def security(self):
        """The ``distributed.security.Security`` of the TLS files, or None."""
        if not self.ca_file:
            return None
        from distributed.security import Security

        return Security(tls_ca_file=self.ca_file, tls_client_cert=self.cert,
                        tls_client_key=self.key, require_encryption=True)


def _loopback(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: not resolved here (a name can point anywhere)
        return False


def as_scheduler(scheduler):
    """``scheduler`` (an address or a :class:`Scheduler`) as a checked Scheduler, or None."""
    if scheduler is None or isinstance(scheduler, Scheduler):
        return scheduler and scheduler.check()
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise InputError(f"a scheduler address must be text, got {scheduler!r}")
    return Scheduler(scheduler.strip()).check()


def check_executor(executor, scheduler=None, workers=None):
    """Validate the executor options (before any work starts)."""
    if executor not in EXECUTORS:
        raise InputError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if scheduler is not None and executor != "dask":
        raise InputError("--scheduler needs --executor dask")
    as_scheduler(scheduler)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise InputError(f"workers must be a positive integer, got {workers!r}")
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise InputError("--executor dask needs dask.distributed: "
                             "pip install 'antagonism[dask]'") from None


def run_tasks(fn, arguments, *, executor="local", scheduler=None, workers=None, cache=None,
              progress=False, label="sweep", client=None, on_result=None):
    """Call ``fn(**kwargs)`` for every dict in ``arguments``; return a :class:`SweepRun`.

    Parameters
    ----------
    fn : a module-level function (importable by name on the workers)
    arguments : list of dicts of plain JSON values
    executor : {"local", "processes", "dask"}
    scheduler : str or :class:`Scheduler`, optional -- a dask scheduler you control
        (``tls://host:8786`` with TLS files; plain ``tcp://`` only on this machine's
        loopback unless ``Scheduler(..., insecure=True)``)
    workers : int, optional -- processes (``processes``, local dask cluster); default: CPUs
    cache : str, optional -- name of this sweep's folder in the cache; None: no cache
    progress : bool -- one line on standard error per finished task
    client : a ``distributed.Client`` to use instead of ``scheduler`` (Python API)
    on_result : callable(index, result), optional -- called once per task as its result
        is known (cached results first, in order; then as tasks finish)
    """
    check_executor(executor, scheduler, workers)
    arguments = [dict(kw) for kw in arguments]
    for kw in arguments:
        try:
            plain = _plain(kw) == kw
        except ValueError:  # infinities
            plain = False
        if not plain:
            raise InputError(f"task arguments must be plain JSON values, got {kw!r}")
    name = _function_name(fn)
    try:
        importable = _resolve(name) is fn
    except (ImportError, AttributeError):
        importable = False
    if not importable:
        raise InputError(f"{name} is not importable by name; define tasks at module level")
    store = _Cache(cache)
    keys = [task_key(fn, kw) for kw in arguments]
    results = [store.get(k) for k in keys]
    todo = {}  # one computation per distinct task: key -> the indices it fills
    for i, r in enumerate(results):
        if r is MISSING:
            todo.setdefault(keys[i], []).append(i)
    report = _progress_printer(label, len(arguments)) if progress else (lambda *a: None)
    computed = sum(len(v) for v in todo.values())  # results to compute
    done = len(arguments) - computed
    if progress and done:
        print(f"[{label}] {done}/{len(arguments)} from the cache, {computed} to compute",
              file=sys.stderr, flush=True)
    on_result = on_result or (lambda *a: None)
    for i, r in enumerate(results):
        if r is not MISSING:
            on_result(i, r)

    def finish(key, result):
        nonlocal done
        first = todo[key][0]
        store.put(key, fn, arguments[first], result)
        for i in todo[key]:
            results[i] = result
            done += 1
            report(done, arguments[i], "done")
            on_result(i, result)

    jobs = {key: arguments[idx[0]] for key, idx in todo.items()}
    if executor == "local":
        for key, kwargs in jobs.items():
            finish(key, _call(name, kwargs))
    elif executor == "processes" and jobs:
        _run_processes(name, jobs, workers, finish)
    elif executor == "dask" and jobs:
        _run_dask(name, jobs, scheduler, workers, client, finish)
    return SweepRun(results=results, computed=len(jobs), cached=len(arguments) - computed,
                    executor=executor)


def _run_processes(name, jobs, workers, finish):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn, not fork: forking after numba's thread pool has started is unsafe
    ctx = multiprocessing.get_context("spawn")
    n = min(workers or os.cpu_count() or 1, len(jobs))
    pool = ProcessPoolExecutor(n, mp_context=ctx, initializer=_single_threaded)
    try:
        futures = {pool.submit(_call, name, kwargs): key for key, kwargs in jobs.items()}
        for future in as_completed(futures):
            finish(futures[future], future.result())
    finally:  # on a failure (or ^C), drop the tasks not yet started
        pool.shutdown(wait=True, cancel_futures=True)


def _connect(scheduler, workers):
    """A client of the scheduler ``scheduler`` (checked: :class:`Scheduler`), or of a local
    cluster started here on the loopback interface, over TLS with temporary credentials;
    returns (client, cluster or None)."""
    from distributed import Client, LocalCluster
    from distributed.security import Security

    scheduler = as_scheduler(scheduler)
    if scheduler is not None:
        try:
            return Client(scheduler.address, timeout=CONNECT_TIMEOUT,
                          security=scheduler.security()), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the dask scheduler at {scheduler.address!r}: "
                             f"{exc}") from None
    try:
        security = Security.temporary()
    except ImportError:
        raise InputError("the local dask cluster uses TLS, which needs the cryptography "
                         "package: pip install 'antagonism[dask]'") from None
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                           processes=True, dashboard_address=None, host="127.0.0.1",
                           protocol="tls://", security=security,
                           silence_logs=logging.ERROR)
    return Client(cluster, security=security), cluster


def _run_dask(name, jobs, scheduler, workers, client, finish):
    from distributed import as_completed

    own = client is None
    cluster = None
    if own:
        client, cluster = _connect(scheduler, workers)
    try:
        futures = {client.submit(_call, name, kwargs, True, key=f"antagonism-{key}",
                                 pure=False): key for key, kwargs in jobs.items()}
        for future in as_completed(futures):
            finish(futures[future], future.result())
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
