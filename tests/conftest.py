"""Test session set-up: a hermetic cache, never the user's home.

Every test (and every subprocess it starts) writes the package's cache under a session
temporary folder, its secret key and matplotlib's configuration next to it.  Before anything
runs, every ``antagonism`` subpackage must resolve inside this checkout (``checkout_guard``).
Shared reference implementations and runners are in ``helpers.py``.
"""
import os

import numpy as np
import pytest
from checkout_guard import explain, outside_checkout


def pytest_configure(config):
    """Refuse to run when any antagonism subpackage resolves outside this checkout (a
    non-editable install shadowing it): the tests would test stale code."""
    problems = outside_checkout()
    if problems:
        raise pytest.UsageError(explain(problems))


@pytest.fixture(scope="session", autouse=True)
def hermetic_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("antagonism-cache")
    saved = {k: os.environ.get(k) for k in ("ANTAGONISM_CACHE_DIR", "MPLCONFIGDIR",
                                            "MPLBACKEND", "ANTAGONISM_SECRET_FILE")}
    os.environ["ANTAGONISM_CACHE_DIR"] = str(root / "cache")
    # the cache's HMAC key, outside every cache root the tests use (never ~/.config)
    os.environ["ANTAGONISM_SECRET_FILE"] = str(root / "secret" / "cache.key")
    os.environ["MPLCONFIGDIR"] = str(root / "matplotlib")
    os.environ["MPLBACKEND"] = "Agg"
    yield root / "cache"
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# -- CPU time per test ---------------------------------------------------------------------
# ``--durations`` measures wall time, which a loaded machine stretches; ``--cpu-durations N``
# lists the N tests that took the most CPU time (user + system, this process and the
# subprocesses it waited for), and the total: what the suite costs on quiet cores.

def pytest_addoption(parser):
    parser.addoption("--cpu-durations", type=int, default=None, metavar="N",
                     help="list the N tests with the most CPU time (0: all) and the total")


def _cpu_seconds():
    import resource

    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                 resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


_CPU = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if item.config.getoption("--cpu-durations") is None:
        yield
        return
    start = _cpu_seconds()
    yield
    _CPU[item.nodeid] = _cpu_seconds() - start


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    n = config.getoption("--cpu-durations")
    if n is None or not _CPU:
        return
    rows = sorted(_CPU.items(), key=lambda kv: -kv[1])
    terminalreporter.section(f"CPU time per test (total {sum(_CPU.values()):.1f} s over "
                             f"{len(_CPU)} tests)")
    for nodeid, seconds in rows[:n or None]:
        terminalreporter.write_line(f"{seconds:8.2f}s  {nodeid}")
