"""The one cache: everything under $ANTAGONISM_CACHE_DIR, kernels/ and models/ below it."""
from pathlib import Path

import pytest

from antagonism.numerics import cache


def test_cache_root_and_kinds(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path / "X"))
    assert cache.cache_root() == tmp_path / "X"
    assert cache.cache_dir("kernels") == tmp_path / "X" / "kernels"
    assert cache.cache_dir("models").is_dir()
    with pytest.raises(ValueError, match="unknown cache kind"):
        cache.cache_dir("elsewhere")
    monkeypatch.delenv("ANTAGONISM_CACHE_DIR")
    assert cache.cache_root() == Path.home() / ".cache" / "antagonism"


def test_the_test_session_never_uses_the_home_cache():
    assert not str(cache.cache_root()).startswith(str(Path.home() / ".cache"))


def test_cache_keys_are_stable_and_atomic_writes_leave_no_temporaries(tmp_path):
    assert cache.cache_key({"b": 1, "a": [2]}) == cache.cache_key({"a": [2], "b": 1})
    assert cache.cache_key({"a": 1}) != cache.cache_key({"a": 2})
    cache.write_atomic(tmp_path / "f.txt", "text")
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
