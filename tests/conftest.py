"""Test session set-up: a hermetic cache, never the user's home.

Every test (and every subprocess it starts) writes the package's cache under a session
temporary folder, and matplotlib its configuration next to it.  Shared reference
implementations and runners are in ``helpers.py``.
"""
import os

import numpy as np
import pytest


@pytest.fixture(scope="session", autouse=True)
def hermetic_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("antagonism-cache")
    saved = {k: os.environ.get(k) for k in ("ANTAGONISM_CACHE_DIR", "MPLCONFIGDIR",
                                            "MPLBACKEND")}
    os.environ["ANTAGONISM_CACHE_DIR"] = str(root / "cache")
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
