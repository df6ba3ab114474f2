"""The red-team routes of docs/reliability.md's threat model, one test each.

Each test plants what an attacker would (a torch file, a cache entry, a scheduler, a model
or data file) with a *canary*: a payload that would create the file ``canary`` in tmp_path
if it ran (for the routes where nothing runs but data leaks or memory or time runs out, the
canary is the leaked text, the forged value or the bytes read).  It asserts that the canary
is absent and that the refusal is the documented one (exit status 2, the exception, the
warning).  Every test failed on the code before the threat model (commit aab69c2).
"""
import gzip
import json
import os
import pickle
import socket
import struct
import subprocess
import sys
import threading
import time
import warnings
import zipfile

import numpy as np
import pytest
from helpers import run_cli, write_idx

from antagonism._core.errors import InputError, LimitError


class _Payload:
    """Unpickling this creates the canary (what an attacker's pickle would do)."""

    def __init__(self, canary):
        self.canary = str(canary)

    def __reduce__(self):
        return (open, (self.canary, "w"))


def _model_text(extra="", rate="kon*L*R"):
    return (f"{extra}model m\n  J0: L + R -> C; {rate}\n  J1: C -> L + R; C/tau\n"
            "  kon = 1e-3; tau = 2; R = 10; L = 0; C = 0\nend\n"
            "// antagonism: ligand = L\n// antagonism: output = C\n")


# -- 1, 2: torch files ----------------------------------------------------------------------------
def _pt2_archive(path, payload, weights=True):
    """A torch.export archive whose weight is marked ``use_pickle``: torch's loader unpickles
    it without restriction (as it does its sample inputs).  Without ``weights`` the archive
    lacks its weights' configuration: torch's loader fails with an AssertionError."""
    program = {"graph_module": {
        "graph": {"inputs": [], "outputs": [], "nodes": [], "tensor_values": {},
                  "sym_int_values": {}, "sym_bool_values": {}, "is_single_tensor_return": False,
                  "custom_obj_values": {}, "sym_float_values": {}},
        "signature": {"input_specs": [], "output_specs": []}, "module_call_graph": [],
        "metadata": {}, "treespec_namedtuple_fields": {}},
        "opset_version": {"aten": 10}, "range_constraints": {},
        "schema_version": {"major": 8, "minor": 20}, "verifiers": [], "torch_version": "2",
        "guards_code": []}
    config = {"config": {"w": {"path_name": "weight_0", "is_param": True, "use_pickle": True,
                               "tensor_meta": None}}}
    evil = pickle.dumps(payload)
    members = [("archive_format", "pt2"), ("archive_version", "0"), ("byteorder", "little"),
               (".data/version", "6\n"), ("models/model.json", json.dumps(program)),
               ("data/sample_inputs/model.pt", evil)]
    if weights:
        members += [("data/weights/model_weights_config.json", json.dumps(config)),
                    ("data/weights/weight_0", evil)]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members:
            z.writestr(f"model/{name}", data)
    return path


def _needs(module, extra):
    import importlib.util

    if importlib.util.find_spec(module) is None:  # without importing it (torch takes 4 s)
        pytest.skip(f"{module} is optional (pip install '.[{extra}]')")


def test_route01_a_pt2_archive_is_refused_before_torch_reads_it(tmp_path):
    _needs("torch", "torch")
    canary = tmp_path / "canary"
    path = _pt2_archive(tmp_path / "model.pt2", _Payload(canary))
    p = run_cli("robustness", "--torch-model", path, "--networks", "", "--quick")
    assert not canary.exists()
    assert p.returncode == 2, p.stderr
    assert "--trust-model-code" in p.stderr and "torch.export" in p.stderr


def _broken_pt2(path):
    return _pt2_archive(path, {"sample": "inputs"}, weights=False)


def test_route12_a_broken_pt2_archive_exits_2(tmp_path):
    _needs("torch", "torch")
    p = run_cli("robustness", "--torch-model", _broken_pt2(tmp_path / "broken.pt2"),
                "--networks", "", "--quick")
    assert p.returncode == 2 and "--trust-model-code" in p.stderr, p.stderr


@pytest.mark.slow  # torch.export's loader takes about 5 s to import
def test_route12_a_broken_pt2_archive_exits_2_even_when_trusted(tmp_path):
    _needs("torch", "torch")
    p = run_cli("robustness", "--torch-model", _broken_pt2(tmp_path / "broken.pt2"),
                "--networks", "", "--quick", "--trust-model-code")
    assert p.returncode == 2 and "not a readable torch model" in p.stderr, p.stderr


def test_route02_torchscript_is_code_and_needs_the_flag(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is optional (pip install '.[torch]')")
    canary = tmp_path / "canary"

    class Writer(torch.nn.Module):  # forward writes a file: torch.from_file + in-place copy
        def __init__(self, path: str):
            super().__init__()
            self.path = path
            self.lin = torch.nn.Linear(64, 10).double()

        def forward(self, x):
            t = torch.from_file(self.path, shared=True, size=8, dtype=torch.uint8)
            t.copy_(torch.ones(8, dtype=torch.uint8))
            return self.lin(x.flatten(1)) + 0.0 * t.sum().double()

    path = tmp_path / "weights.bin"  # the name says nothing: the bytes say TorchScript
    torch.jit.script(Writer(str(canary))).save(str(path))
    p = run_cli("robustness", "--torch-model", path, "--networks", "", "--quick",
                "--eps", "0.1", "--queries", "2")
    assert not canary.exists()
    assert p.returncode == 2 and "--trust-model-code" in p.stderr, p.stderr
    assert "TorchScript" in p.stderr


# -- 3: a writable cache folder -------------------------------------------------------------------
@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(root))
    return root


TINY_KERNEL = ("from numba import njit\n\n\n@njit(cache=True)\ndef log_output(x):\n"
               "    return x + 1.0\n")


@pytest.fixture
def tiny_kernels(cache_root, monkeypatch):
    """The kernel cache with a one-function module in place of T_{N,m}'s (no sympy)."""
    from antagonism.numerics.codegen import store

    monkeypatch.setattr(store, "kernel_source", lambda N, m: TINY_KERNEL)
    path, _ = store.module_path(3, 1)
    monkeypatch.delitem(sys.modules, f"antagonism_kernels_{path.stem}", raising=False)
    return path


def test_route03_a_planted_kernel_module_and_index_entry_do_not_run(tiny_kernels, tmp_path):
    import hashlib

    from antagonism.numerics import codegen

    canary = tmp_path / "canary"
    source = f"open({str(canary)!r}, 'w').close()\n".encode()
    digest = hashlib.sha256(source).hexdigest()
    evil = tiny_kernels.with_name(f"adaptive_{digest[:16]}.py")  # named by its own hash
    evil.write_bytes(source)
    (index,) = tiny_kernels.parent.joinpath("index").glob("*.txt")
    index.write_text(evil.name)
    for f, data in ((evil, source), (index, evil.name.encode())):  # manifests recomputed,
        f.with_name(f.name + ".json").write_text(json.dumps(  # as anyone could
            {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
             "created": time.time()}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path, _ = codegen.module_path(3, 1)
        try:
            codegen.import_module(path)
        except Exception:  # refusing is fine; running is not
            pass
    assert not canary.exists()
    assert path == tiny_kernels


def test_route03_a_planted_pyc_does_not_run(tiny_kernels, tmp_path):
    import importlib.util
    import marshal

    from antagonism.numerics import codegen

    canary = tmp_path / "canary"
    st = tiny_kernels.stat()
    code = compile(f"open({str(canary)!r}, 'w').close()\n", str(tiny_kernels), "exec")
    pyc = importlib.util.cache_from_source(str(tiny_kernels))
    os.makedirs(os.path.dirname(pyc), exist_ok=True)
    with open(pyc, "wb") as f:  # a .pyc whose header matches the module's mtime and size
        f.write(importlib.util.MAGIC_NUMBER + struct.pack("<III", 0, int(st.st_mtime),
                                                          st.st_size & 0xFFFFFFFF))
        f.write(marshal.dumps(code))
    module = codegen.import_module(tiny_kernels)
    assert not canary.exists()
    assert module.log_output(1.0) == 2.0


def test_route03_a_planted_numba_index_is_never_unpickled(tiny_kernels, tmp_path,
                                                          monkeypatch):
    import numba

    from antagonism.numerics import codegen

    canary = tmp_path / "canary"
    name = f"antagonism_kernels_{tiny_kernels.stem}"
    dispatcher = codegen.import_module(tiny_kernels).log_output
    index = dispatcher._cache._cache_file._index_path
    payload = pickle.dumps(_Payload(canary))
    for planted_before_import in (True, False):
        os.makedirs(os.path.dirname(index), exist_ok=True)
        with open(index, "wb") as f:
            f.write(payload)
        if planted_before_import:  # a fresh process: checked before the module runs
            monkeypatch.delitem(sys.modules, name, raising=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dispatcher = codegen.import_module(tiny_kernels).log_output
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dispatcher._cache.load_overload((numba.types.float64,), dispatcher.targetctx)
        assert not canary.exists()


# -- 4: a dask scheduler -------------------------------------------------------------------------
def _outward_address():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the interface
        host = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if host.startswith("127.") else host


def test_route04_a_plain_tcp_scheduler_off_this_machine_is_refused(tmp_path):
    _needs("distributed", "dask")
    host = _outward_address()
    if host is None:
        pytest.skip("this machine has no address but the loopback")
    canary = tmp_path / "canary"  # created if the client connects (a scheduler's payload
    server = socket.create_server((host, 0))  # would follow)
    server.settimeout(0.1)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:  # a timeout: look at the stop flag again
                continue
            canary.touch()
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        p = run_cli("sweep", "--N", "3", "--m", "1", "--executor", "dask", "--scheduler",
                    f"tcp://{host}:{server.getsockname()[1]}", "--no-cache")
    finally:
        stop.set()
        thread.join(5)
        server.close()
    assert not canary.exists()
    assert p.returncode == 2 and "--insecure-scheduler" in p.stderr, p.stderr


# -- 5, 6, 7: model files ------------------------------------------------------------------------
def test_route05_an_antimony_import_reads_no_other_file(tmp_path):
    pytest.importorskip("antimony", reason="the sbml extra is optional")
    secret = tmp_path / "secret.ant"
    secret.write_text(_model_text().replace("model m", "model CANARYSECRET"))
    path = tmp_path / "m.ant"
    path.write_text(f'import "{secret}"\n// antagonism: ligand = L\n'
                    "// antagonism: output = C\n")
    p = run_cli("classify", "--model-file", path)
    assert "CANARYSECRET" not in p.stdout + p.stderr
    assert p.returncode == 2 and "import" in p.stderr, p.stderr


def _nested_functions(path, levels):
    """f_k(x) = f_{k-1}(x + x*x): ~40 bytes a level, 3^k nodes once expanded."""
    lines = ["function f0(x)", "  x", "end"]
    for k in range(1, levels + 1):
        lines += [f"function f{k}(x)", f"  f{k - 1}(x + x*x)", "end"]
    path.write_text("\n".join(lines) + "\n" + _model_text(rate=f"kon*L*R*f{levels}(L)"))
    return path


def test_route06_nested_function_definitions_are_refused_by_their_expanded_size(
        tmp_path, monkeypatch):
    pytest.importorskip("antimony", reason="the sbml extra is optional")
    import inspect

    from antagonism._core.budget import time_budget
    from antagonism.io import reaction_files

    path = _nested_functions(tmp_path / "nested.ant", 23)
    start = time.perf_counter()
    with time_budget(20, "the test"), pytest.raises(LimitError, match="expanded"):
        reaction_files.load_model_file(path)
    assert time.perf_counter() - start < 10
    # within the size limit yet slow (six levels make sympy's sign queries take minutes
    # for some hash seeds): the Python API has the command line's time budget too
    from antagonism._core.budget import DEFAULT_TIME_BUDGET

    default = inspect.signature(reaction_files.load_model_file).parameters["time_budget_s"]
    assert default.default == DEFAULT_TIME_BUDGET
    monkeypatch.setattr(reaction_files, "network_from_antimony",
                        lambda *a, **k: time.sleep(60))  # work that takes too long
    with time_budget(20, "the test"), pytest.raises(LimitError, match="time budget of 0.5 s"):
        reaction_files.load_model_file(_nested_functions(tmp_path / "six.ant", 6),
                                       time_budget_s=0.5)


def _deep_sbml(path, depth):
    deep = "<apply><minus/>" * depth + "<ci> L </ci>" + "</apply>" * depth
    species = "".join(
        f'<species id="{s}" compartment="c" initialConcentration="0" '
        'hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>'
        for s in ("L", "C"))
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">'
        '<model id="deep"><listOfCompartments><compartment id="c" size="1" constant="true"/>'
        f"</listOfCompartments><listOfSpecies>{species}</listOfSpecies><listOfReactions>"
        '<reaction id="J0" reversible="false"><listOfReactants><speciesReference '
        'species="L" stoichiometry="1" constant="true"/></listOfReactants><listOfProducts>'
        '<speciesReference species="C" stoichiometry="1" constant="true"/></listOfProducts>'
        '<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">'
        f"{deep}</math></kineticLaw></reaction></listOfReactions></model></sbml>\n")
    return path


def test_route07_deeply_nested_sbml_is_refused_before_libsbml(tmp_path):
    pytest.importorskip("libsbml", reason="the sbml extra is optional")
    from antagonism.io.guards import check_xml

    path = _deep_sbml(tmp_path / "deep.xml", 9000)  # 210 kB; libsbml crashes on it
    with pytest.raises(InputError, match="reaction J0: math too large or nested too deeply"):
        check_xml(path.read_text())


@pytest.mark.slow  # a fresh process (about 4 s): libsbml used to crash it
def test_route07_deeply_nested_sbml_exits_2_from_the_command_line(tmp_path):
    pytest.importorskip("libsbml", reason="the sbml extra is optional")
    path = _deep_sbml(tmp_path / "deep.xml", 9000)
    p = subprocess.run([sys.executable, "-m", "antagonism.cli", "classify", "--model-file",
                        str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "nested too deeply" in p.stderr


# -- 8: data folders -----------------------------------------------------------------------------
def _mnist_folder(folder, images=None):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for part, n in (("train", 20), ("t10k", 10)):
        write_idx(folder / f"{part}-images-idx3-ubyte", rng.integers(0, 255, (n, 4, 4)))
        write_idx(folder / f"{part}-labels-idx1-ubyte", rng.integers(0, 10, n))
    if images is not None:
        (folder / "train-images-idx3-ubyte").unlink()
        images(folder / "train-images-idx3-ubyte")
    return folder


def test_route08_data_folders_accept_regular_files_only(tmp_path):
    from antagonism.numerics.networks.datasets import read_idx

    # a link (to an IDX file, to /dev/zero...) and a device: refused by lstat, nothing read
    real = tmp_path / "real-idx1-ubyte"
    write_idx(real, np.arange(5))
    folder = _mnist_folder(tmp_path / "linked", lambda p: p.symlink_to(real))
    p = run_cli("robustness", "--dataset", "mnist", "--data-dir", folder, "--networks",
                "natural", "--quick")
    assert p.returncode == 2 and "link" in p.stderr, p.stderr
    for path in (folder / "train-images-idx3-ubyte", "/dev/null"):
        with pytest.raises(InputError, match="regular file"):
            read_idx(path)


def test_route08_a_gzip_bomb_is_read_only_as_far_as_its_header_says(tmp_path, monkeypatch):
    import tracemalloc

    from antagonism.numerics.networks import datasets
    from antagonism.numerics.networks.datasets import read_idx

    # the decompressed size is capped (a module constant): a header beyond it is refused
    monkeypatch.setattr(datasets, "MAX_IDX_BYTES", 1024, raising=False)
    big = tmp_path / "big-idx1-ubyte.gz"
    write_idx(big, np.zeros(2048))
    with pytest.raises(LimitError, match="limit"):
        read_idx(big)
    monkeypatch.undo()
    # a small .gz that decompresses to 40 MB behind a header announcing 16 bytes
    bomb = tmp_path / "bomb-idx1-ubyte.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        f.write(bytes([0, 0, 8, 1]) + struct.pack(">I", 16) + bytes(40 * 1024**2))
    assert bomb.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            read_idx(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024**2, f"read {peak} bytes"  # the canary: bytes taken in


# -- 9, 10: symbolic links and forged entries in the cache ------------------------------------
def test_route09_symbolic_links_in_the_cache_are_never_followed(cache_root, tmp_path):
    from antagonism.numerics.executor import run_tasks, task_key

    canary = tmp_path / "canary"
    folder = cache_root / "sweeps" / "t"
    (folder / ".locks").mkdir(parents=True)
    key = task_key(json.dumps, {"obj": 1})
    (folder / ".locks" / f"{key}.json.lock").symlink_to(canary)  # the lock, out of the root
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = run_tasks(json.dumps, [{"obj": 1}], cache="t")
    assert run.results == ["1"]
    assert not canary.exists()
    assert any("symbolic link" in str(w.message) for w in caught)


def test_route10_an_edited_sweep_result_with_its_manifest_recomputed_is_refused(cache_root):
    import hashlib

    from antagonism.numerics.executor import run_tasks

    assert run_tasks(json.dumps, [{"obj": 1}], cache="t").results == ["1"]
    (entry,) = (p for p in (cache_root / "sweeps" / "t").glob("*.json")
                if not p.name.endswith(".json.json"))
    record = json.loads(entry.read_text())
    record["result"] = "FORGED"
    data = json.dumps(record).encode()
    entry.write_bytes(data)
    manifest_path = entry.with_name(entry.name + ".json")
    manifest = json.loads(manifest_path.read_text())
    manifest.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    manifest_path.write_text(json.dumps(manifest))  # all but the key anyone can recompute
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = run_tasks(json.dumps, [{"obj": 1}], cache="t")
    assert run.results == ["1"] and run.computed == 1  # the canary, "FORGED", is not served
    assert any(entry.name in str(w.message) for w in caught)


# -- 11: control characters ----------------------------------------------------------------------
def test_route11_control_characters_are_escaped_before_printing(tmp_path):
    pytest.importorskip("antimony", reason="the sbml extra is optional")
    title = "\x1b]0;PWNED\x07\x1b[2J"
    path = tmp_path / "m.ant"
    path.write_text(_model_text() + f"// antagonism: name = evil{title}name\n")
    p = run_cli("classify", "--model-file", path)
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout and "\x07" not in p.stdout
    assert "evil\\x1b]0;PWNED\\x07" in p.stdout
    p = run_cli("classify", "--model-file", tmp_path / f"missing{title}.ant")
    assert p.returncode == 2 and "\x1b" not in p.stderr and "\\x1b" in p.stderr


# -- 12: exit status 2 for every bad input --------------------------------------------------------
def test_route12_bad_input_exits_with_status_2(tmp_path):
    def idx_header(path):  # 65536^4 = 2^64 items: 0 in 64-bit arithmetic, and no data
        path.write_bytes(bytes([0, 0, 8, 4]) + struct.pack(">4I", *[2**16] * 4))

    def truncated_gz(path):
        data = gzip.compress(bytes([0, 0, 8, 3]) + struct.pack(">3I", 20, 4, 4) + bytes(320))
        path.with_name(path.name + ".gz").write_bytes(data[: len(data) // 2])

    for name, make in (("overflow", idx_header), ("truncated", truncated_gz)):
        folder = _mnist_folder(tmp_path / name, make)
        p = run_cli("robustness", "--dataset", "mnist", "--data-dir", folder, "--networks",
                    "natural", "--quick")
        assert p.returncode == 2, (name, p.stderr)
    p = run_cli("classify", "--time-budget", "1e308")
    assert p.returncode == 2 and "time budget" in p.stderr, p.stderr
