"""The cache cannot be turned against its user: folders of mode 0700 that nobody else can
write, no symbolic link followed, manifests authenticated by a secret outside the root."""
import json
import os
import stat
import warnings

import pytest

from antagonism.numerics import cache
from antagonism.numerics.cache import CacheWarning


@pytest.fixture
def root(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(path))
    return path


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_the_root_and_its_folders_are_created_private(root):
    assert cache.save_verified(cache.usable_dir("models") / "e.bin", lambda f: f.write(b"x"))
    assert _mode(root) == _mode(root / "models") == _mode(root / "models" / ".locks") == 0o700
    from antagonism.numerics.cache_guard import secret_path

    secret = secret_path()
    assert _mode(secret) == 0o600 and not str(secret).startswith(str(root))


@pytest.mark.parametrize("unsafe", ["world-writable", "group-writable", "symlink-inside",
                                    "root-is-a-link", "another-owner"])
def test_an_unsafe_cache_is_refused_with_one_warning_and_memory_only(root, tmp_path, unsafe):
    (root / "models").mkdir(parents=True, mode=0o700)
    root.chmod(0o700)
    if unsafe == "world-writable":
        root.chmod(0o777)
    elif unsafe == "group-writable":
        (root / "models").chmod(0o770)
    elif unsafe == "symlink-inside":
        (root / "models" / "x.npz").symlink_to(tmp_path / "elsewhere")
    elif unsafe == "root-is-a-link":
        real = tmp_path / "real"
        root.rename(real)
        root.symlink_to(real)
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a folder to another user needs root")
        os.chown(root, 12345, -1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cache.usable_dir("models") is None
        assert cache.usable_dir("kernels") is None  # one warning per root
    msgs = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert len(msgs) == 1 and "in memory" in msgs[0], msgs
    assert not (tmp_path / "elsewhere").exists()


def test_a_copied_or_edited_cache_is_refused(root, tmp_path, monkeypatch):
    path = cache.usable_dir("sweeps") / "entry.json"
    assert cache.save_verified(path, lambda f: f.write(b'{"result": 1}'))
    assert cache.verify(path) is None
    # the same files under another user's key (a copied or shared cache)
    monkeypatch.setenv("ANTAGONISM_SECRET_FILE", str(tmp_path / "other" / "cache.key"))
    assert "not signed with this user's cache key" in cache.verify(path)
    monkeypatch.undo()
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(root))
    # a manifest without its HMAC, or naming another entry
    manifest = json.loads(path.with_name("entry.json.json").read_text())
    other = path.with_name("other.json")
    other.write_bytes(path.read_bytes())
    other.with_name("other.json.json").write_text(json.dumps(manifest))
    assert "not signed" in cache.verify(other)
    manifest.pop("hmac")
    path.with_name("entry.json.json").write_text(json.dumps(manifest))
    with pytest.warns(CacheWarning, match="not signed"):
        assert cache.load_verified(path, lambda p: p.read_bytes()) is None


def test_the_secret_must_be_private_and_outside_the_root(root, tmp_path, monkeypatch):
    monkeypatch.setenv("ANTAGONISM_SECRET_FILE", str(root / "cache.key"))
    with pytest.warns(CacheWarning, match="outside the cache root"):
        assert cache.usable_dir("models") is None
    secret = tmp_path / "readable.key"
    secret.write_text("a" * 64)
    secret.chmod(0o644)
    monkeypatch.setenv("ANTAGONISM_SECRET_FILE", str(secret))
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path / "second"))
    with pytest.warns(CacheWarning, match="can be read by others"):
        assert cache.usable_dir("models") is None


def test_writes_never_follow_a_link(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir(mode=0o700)
    target = tmp_path / "target"
    (folder / "entry.bin").symlink_to(target)
    (folder / ".locks").mkdir(mode=0o700)
    (folder / ".locks" / "entry.bin.lock").symlink_to(tmp_path / "lock-target")
    assert cache.save_verified(folder / "entry.bin", lambda f: f.write(b"data"))
    assert not target.exists() and not (tmp_path / "lock-target").exists()
    assert not (folder / "entry.bin").is_symlink()  # the link itself was replaced
    assert cache.verify(folder / "entry.bin") is None
    linked = tmp_path / "linked"
    linked.symlink_to(folder)  # an entry in a folder reached through a link
    with pytest.warns(CacheWarning, match="symbolic link"):
        assert not cache.save_verified(linked / "other.bin", lambda f: f.write(b"x"))
