"""Fault injection on the cache: it never serves a stale or broken entry.

Every kind of cache file is truncated or corrupted (trained networks, their manifests,
kernel modules, kernel index entries, numba's compiled code); the cache is made unusable;
two processes write one entry concurrently; a writer is killed with SIGKILL mid-write; the
disk fills up during a save.  Each time the package rebuilds the entry (with a warning
naming the file) and gives the same result as with a fresh cache.
"""
import errno
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest
from helpers import T_numpy, run_cli, write_idx

from antagonism.numerics import cache
from antagonism.numerics.cache import CacheWarning


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(root))
    return root


# -- trained networks ---------------------------------------------------------------------
def _mnist_folder(folder, shift):
    """A tiny MNIST-format folder: 8x8 digits as bytes; labels shifted by ``shift`` (same
    shape, different content)."""
    from antagonism.numerics.networks.datasets import load_digits

    d = load_digits(seed=0)
    folder.mkdir()
    for part, x, y in (("train", d.x_train[:300], d.y_train[:300]),
                       ("t10k", d.x_test[:60], d.y_test[:60])):
        images = x.reshape(len(x), *d.image_shape[-2:])  # rows of features -> (n, 8, 8)
        write_idx(folder / f"{part}-images-idx3-ubyte", np.round(images * 255))
        write_idx(folder / f"{part}-labels-idx1-ubyte", (y + shift) % 10)
    return folder


def _train(folder):
    from antagonism.numerics.networks.datasets import load_dataset
    from antagonism.numerics.networks.store import trained_models

    data = load_dataset("mnist", data_dir=folder)
    model = trained_models(data, 0, quick=True, progress=False, names=["natural"])["natural"][0]
    return model, data


def test_two_mnist_folders_of_the_same_shape_train_two_networks(fresh_cache, tmp_path):
    a = _mnist_folder(tmp_path / "a", 0)
    b = _mnist_folder(tmp_path / "b", 3)
    model_a, data_a = _train(a)
    model_b, data_b = _train(b)
    assert data_a.x_train.shape == data_b.x_train.shape
    # each network learned its own labels: a reused network would score ~0 on b's labels
    assert model_a.accuracy(data_a.x_train, data_a.y_train) > 0.9
    assert model_b.accuracy(data_b.x_train, data_b.y_train) > 0.9
    assert len(list((fresh_cache / "models").glob("*.npz"))) == 2


def _states_equal(m1, m2):
    s1, s2 = m1.state(), m2.state()
    return s1.keys() == s2.keys() and all(np.array_equal(s1[k], s2[k]) for k in s1)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "manifest", "no-manifest",
                                    "wrong-weights"])
def test_a_damaged_network_is_rebuilt_and_equals_a_fresh_cache(fresh_cache, tmp_path,
                                                              monkeypatch, damage):
    folder = _mnist_folder(tmp_path / "a", 0)
    first, _ = _train(folder)
    (path,) = (fresh_cache / "models").glob("*.npz")
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        path.write_bytes(raw[:100] + bytes([raw[100] ^ 1]) + raw[101:])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "manifest":
        path.with_name(path.name + ".json").write_text("{not json")
    elif damage == "no-manifest":
        path.with_name(path.name + ".json").unlink()
    else:  # a well-formed, verified entry holding weights of another shape
        cache.save_verified(path, lambda f: np.savez(f, **{"1.W": np.zeros((2, 2))}))
    with pytest.warns(CacheWarning, match=path.name):
        again, _ = _train(folder)
    assert _states_equal(first, again)
    assert list((fresh_cache / "models" / "corrupt").iterdir())
    assert cache.verify(path) is None  # rebuilt and recorded
    # the same result as a fresh cache
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path / "fresh"))
    fresh, _ = _train(folder)
    assert _states_equal(first, fresh)
    # and the rebuilt entry is served from now on, silently
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(fresh_cache))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        third, _ = _train(folder)
    assert _states_equal(first, third)


def test_disk_full_during_a_save_leaves_nothing_behind(fresh_cache, tmp_path, monkeypatch):
    folder = _mnist_folder(tmp_path / "a", 0)
    real_savez = np.savez

    def full_disk(f, **arrays):
        f.write(b"PK\x03\x04 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.warns(CacheWarning, match="No space left"):
        model, data = _train(folder)
    assert model.accuracy(data.x_train, data.y_train) > 0.9  # the run itself succeeds
    assert list((fresh_cache / "models").glob("*.npz*")) == []
    assert not [p for p in (fresh_cache / "models").iterdir() if p.suffix == ".tmp"]
    monkeypatch.setattr(np, "savez", real_savez)
    again, _ = _train(folder)
    assert _states_equal(model, again)
    assert len(list((fresh_cache / "models").glob("*.npz"))) == 1


# -- the generic entry API: concurrency, SIGKILL ---------------------------------------------
def _writer(path, value, n):
    for _ in range(n):
        cache.save_verified(path, lambda f: f.write(bytes([value]) * 200_000))


def test_two_processes_writing_one_entry_concurrently(tmp_path):
    path = tmp_path / "entry.bin"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(path, v, 25)) for v in (1, 2)]
    for p in procs:
        p.start()
    seen = set()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # a reader never sees a broken entry
        while any(p.is_alive() for p in procs):
            data = cache.load_verified(path, lambda q: q.read_bytes())
            if data is not None:
                assert len(set(data)) == 1 and len(data) == 200_000
                seen.add(data[0])
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert cache.verify(path) is None and path.read_bytes()[0] in (1, 2)
    assert not list(tmp_path.glob("*.tmp"))


KILLED_WRITER = """
import sys, time
from antagonism.numerics import cache
def write(f):
    f.write(b"x" * 1000)
    f.flush()
    open(sys.argv[2], "w").close()  # tell the parent we are mid-write
    time.sleep(60)
cache.save_verified(sys.argv[1], write)
"""


def test_sigkill_during_a_write_never_leaves_a_served_entry(tmp_path):
    path, ready = tmp_path / "entry.bin", tmp_path / "ready"
    cache.save_verified(path, lambda f: f.write(b"old"))
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path), str(ready)])
    deadline = time.time() + 60
    while not ready.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert ready.exists()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # the old entry is intact and served (the lock died with the writer)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert cache.load_verified(path, lambda q: q.read_bytes()) == b"old"
    assert cache.save_verified(path, lambda f: f.write(b"new"))
    assert cache.load_verified(path, lambda q: q.read_bytes()) == b"new"


def test_a_kill_before_the_manifest_is_refused_not_served(tmp_path):
    path = tmp_path / "entry.bin"
    path.write_bytes(b"half-written")  # data moved in place, manifest never written
    with pytest.warns(CacheWarning, match="no manifest"):
        assert cache.load_verified(path, lambda q: q.read_bytes()) is None
    assert not path.exists()


# -- kernels ----------------------------------------------------------------------------------
KERNEL_RUN = """
import json, warnings, numpy as np
warnings.simplefilter("always")
from antagonism.derivations import AdaptiveProofreading
from antagonism.numerics.cells.kernels import AdaptiveKernels
k = AdaptiveKernels(AdaptiveProofreading(N=3, m=1, tau_c=3), backend="numba")
tau = np.array([1.0, 2.0, 4.0]); L = np.array([10.0, 5.0, 1.0])
print(json.dumps({"log": k.log_output(tau, L), "warm": k.warm, "path": str(k.source_path)}))
"""
TAU, L = [1.0, 2.0, 4.0], [10.0, 5.0, 1.0]


def _kernel_run(root, expect_warning=None):
    env = dict(os.environ, ANTAGONISM_CACHE_DIR=str(root))
    p = subprocess.run([sys.executable, "-c", KERNEL_RUN], capture_output=True, text=True,
                       env=env, timeout=600)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["log"] == pytest.approx(np.log(T_numpy(TAU, L, 3, 1, 3.0)), rel=1e-12)
    if expect_warning is None:
        assert "CacheWarning" not in p.stderr, p.stderr
    else:
        assert "CacheWarning" in p.stderr and expect_warning in p.stderr, p.stderr
    return out


def test_kernel_index_entries_and_modules_are_verified(fresh_cache, tmp_path):
    """In process, without compiling: an empty index entry, one naming a file outside the
    cache (which would run code if imported) and a truncated module are refused, moved
    aside and rebuilt; importing a module outside the cache is refused."""
    from antagonism._core.errors import CacheError
    from antagonism.numerics import codegen

    path, warm = codegen.module_path(3, 1)
    assert not warm and codegen.module_problem(path) is None
    assert codegen.module_path(3, 1) == (path, True)
    (index,) = (fresh_cache / "kernels" / "index").glob("*.txt")
    marker = tmp_path / "PWNED"
    evil = tmp_path / "evil.py"
    evil.write_text(f"open({str(marker)!r}, 'w').close()\n")
    for text in ("", "\n", str(evil), "../../evil.py", "adaptive_0000000000000000.py",
                 "\x00garbage"):
        index.write_text(text)
        with pytest.warns(CacheWarning, match=index.name):
            assert codegen.module_path(3, 1) == (path, False)
        assert index.read_text() == path.name
    with pytest.raises(CacheError, match="refusing to import"):
        codegen.import_module(evil)
    assert not marker.exists()
    source = path.read_text()
    path.write_text(source[:300])
    with pytest.warns(CacheWarning, match="does not match the hash in its name"):
        assert codegen.module_path(3, 1) == (path, False)
    assert path.read_text() == source
    with pytest.raises(CacheError, match="refusing"):  # a module edited after its check
        path.write_text(source + "\n# edited")
        codegen.import_module(path)


def test_truncated_numba_cache_files_are_found_without_unpickling(tmp_path):
    """numba's files must match a manifest signed with the user's key (as the package
    writes them when numba saves): truncated ones, and one without a manifest, are found
    by reading bytes only."""
    import pickle

    module = tmp_path / "adaptive_0123456789abcdef.py"
    cached = tmp_path / "__pycache__"
    cached.mkdir()
    index = pickle.dumps("0.60") + pickle.dumps((1.0, {"sig": "x" * 100}))
    data = pickle.dumps({"code": b"\x00" * 500, "names": ["a", "b"]}, protocol=5)
    for name, raw in ((f"{module.stem}.f-1.py311.nbi", index),
                      (f"{module.stem}.f-1.py311.1.nbc", data)):
        cache.save_verified(cached / name, lambda f, raw=raw: f.write(raw))
    from antagonism.numerics.codegen import numba_cache_problems

    assert numba_cache_problems(module) == {}
    (cached / f"{module.stem}.f-1.py311.nbi").write_bytes(index[: len(index) - 10])
    (cached / f"{module.stem}.f-1.py311.1.nbc").write_bytes(data[:200])
    (cached / f"{module.stem}.g-2.py311.nbi").write_bytes(pickle.dumps("0.60"))  # unsigned
    bad = numba_cache_problems(module)
    assert sorted(p.name.split(".")[1] for p in bad) == ["f-1", "f-1", "g-2"]
    assert bad[cached / f"{module.stem}.g-2.py311.nbi"] == "no manifest"


@pytest.mark.slow
def test_damaged_kernel_files_are_repaired_end_to_end(tmp_path):
    root = tmp_path / "cache"
    kernels = root / "kernels"
    first = _kernel_run(root)
    assert not first["warm"]
    (index,) = (kernels / "index").glob("*.txt")
    # truncated numba cache files (index and data) of one kernel
    for f in (kernels / "__pycache__").glob("*log_output*"):
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 3])
    out = _kernel_run(root, "log_output")
    assert out["warm"]
    assert list((kernels / "__pycache__" / "corrupt").iterdir())
    _kernel_run(root)  # repaired: silent from now on
    # an empty index entry
    index.write_text("")
    assert not _kernel_run(root, index.name)["warm"]
    # an index entry naming a module outside the cache, which would run code if imported
    marker = tmp_path / "PWNED"
    for name in ("evil.py", "../evil.py"):
        (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
        (kernels / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
        index.write_text(str(tmp_path / name) if name == "evil.py" else name)
        _kernel_run(root, index.name)  # its signed manifest no longer matches: refused
        assert not marker.exists()
    # a truncated kernel module
    module = kernels / os.path.basename(first["path"])
    module.write_text(module.read_text()[:300])
    out = _kernel_run(root, "does not match the hash in its name")
    assert out["path"] == first["path"] and not out["warm"]
    _kernel_run(root)


# -- an unusable cache ------------------------------------------------------------------------
def test_an_unusable_cache_falls_back_to_memory_with_one_warning(tmp_path, monkeypatch):
    from antagonism.numerics import codegen

    root = tmp_path / "not-a-folder"
    root.write_text("a file where the cache root should be")
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(root))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path, _ = codegen.module_path(3, 1)  # kernels: a private folder of this process
        assert path.is_file() and not str(path).startswith(str(root))
        folder = _mnist_folder(tmp_path / "a", 0)
        first, data = _train(folder)
        again, _ = _train(folder)  # served from memory, not retrained
    assert _states_equal(first, again)
    msgs = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert len(msgs) == 1 and "in memory" in msgs[0] and str(root) in msgs[0]
    assert root.read_text().startswith("a file")


def test_a_read_only_cache_falls_back_to_memory(tmp_path, monkeypatch):
    """Permission denied on every write under the root (as a read-only mount gives)."""
    from pathlib import Path

    root = tmp_path / "ro"
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(root))
    real = Path.write_bytes

    def denied(self, data):
        if str(self).startswith(str(root)):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", denied)
    with pytest.warns(CacheWarning, match="Permission denied") as caught:
        assert cache.usable_dir("models") is None
        assert cache.usable_dir("kernels") is None
    assert len(caught) == 1
    assert cache.cache_dir("kernels").is_dir()  # a private folder of this process
    assert not str(cache.cache_dir("kernels")).startswith(str(root))


# -- cache info | clear -------------------------------------------------------------------------
def test_cache_info_and_clear(fresh_cache, tmp_path):
    _train(_mnist_folder(tmp_path / "a", 0))
    info = json.loads(run_cli("cache", "info", "--json").stdout)
    assert info["root"] == str(fresh_cache) and info["kinds"]["models"]["files"] >= 2
    p = run_cli("cache", "clear", "--kind", "models")
    assert p.returncode == 0 and "removed" in p.stdout
    assert not (fresh_cache / "models").exists()
    info = json.loads(run_cli("cache", "info", "--json").stdout)
    assert info["kinds"]["models"]["files"] == 0


@pytest.mark.slow
def test_descend_and_robustness_run_with_an_unusable_cache(tmp_path):
    root = tmp_path / "not-a-folder"
    root.write_text("a file where the cache root should be")
    env = dict(os.environ, ANTAGONISM_CACHE_DIR=str(root))
    for args in (["descend", "--N", "3", "--m", "1", "--ligands", "400", "--max-iter", "200"],
                 ["robustness", "--quick", "--networks", "natural", "--eps", "0.1",
                  "--queries", "10"]):
        p = subprocess.run([sys.executable, "-m", "antagonism.cli", *args, "--json"],
                           capture_output=True, text=True, env=env, timeout=900)
        assert p.returncode == 0, p.stderr
        assert p.stderr.count("CacheWarning") == 1 and "in memory" in p.stderr
