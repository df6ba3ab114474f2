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
import re
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
from helpers import run_capped, run_cli, run_cli_capped, write_idx

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


# == The second review: limits that count what is built ========================================
# Each row of docs/reliability.md's second table, in a forked child of this process whose
# address space may grow by 2 GB and which is killed after 90 s (helpers.run_capped): a
# regression fails the test instead of taking the machine.  The canary is the limit's own
# message (the refusal comes from the check, not from running out of memory later), the
# time taken and, where a file is read, that the hostile input is refused as a whole.
linux_only = pytest.mark.skipif(not os.path.exists("/proc/self/statm"),
                                reason="the memory cap reads /proc (Linux)")


@pytest.fixture(scope="module", autouse=True)
def _imported_once():
    """The modules the command line loads on demand, imported here once: every forked child
    then starts with them (each would import them again otherwise)."""
    import importlib.util

    for name in ("antagonism.cli.models", "antagonism.cli.cells", "antagonism.cli.networks",
                 "antagonism.theory", "antagonism.io.reaction_files", "antimony", "libsbml",
                 "antagonism.numerics.networks.robustness", "antagonism.numerics.regime",
                 "torch", "safetensors.torch"):
        # safetensors.torch needs torch too (the lowest-versions job installs safetensors
        # without torch)
        needs = {"safetensors.torch": ("safetensors", "torch")}.get(name, (name.split(".")[0],))
        if all(importlib.util.find_spec(top) is not None for top in needs):
            importlib.import_module(name)


def _refused(p, *fragments, seconds=90):
    """Exit status 2 with one line naming the limit, within the time (progress lines of a
    long run, "[sweep] 1/21 done ...", may come before it on a loaded machine)."""
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    lines = [line for line in p.stderr.strip().splitlines()
             if not re.match(r"\[\w[\w ]*\] ", line)]
    assert len(lines) == 1 and lines[0].startswith("antagonism: error:"), p.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert p.seconds < seconds


def _nested_modules(path, levels, copies=10):
    """Modules nested ``levels`` deep, ``copies`` instances each: copies**levels copies of a
    one-species module, in about 600 bytes."""
    lines = ["model M0()", "  species S; S = 1", "  J0: S -> ; k*S", "  k = 1", "end"]
    for level in range(1, levels + 1):
        lines += [f"model M{level}()", *(f"  a{i}: M{level - 1}()" for i in range(copies)),
                  "end"]
    path.write_text("\n".join(lines) + "\n" + _main_with(f"  c: M{levels}()"))
    return path


def _main_with(body):
    """The main model (the last one): a ligand binding a receptor, and ``body``."""
    return (f"model m\n{body}\n  J0: L + R -> C; kon*L*R\n  J1: C -> L + R; C/tau\n"
            "  kon = 1e-3; tau = 2; R = 10; L = 0; C = 0\nend\n"
            "// antagonism: ligand = L\n// antagonism: output = C\n")


@linux_only
def test_review2_row01_nested_modules_are_counted_and_the_parser_is_capped(tmp_path):
    pytest.importorskip("antimony", reason="the sbml extra is optional")
    from antagonism.io.file_limits import MAX_MODULE_INSTANCES

    path = _nested_modules(tmp_path / "nest.ant", 4)  # 10^4 copies
    assert path.stat().st_size < 800
    p = run_cli_capped("classify", "--model-file", path)
    _refused(p, "libantimony", "limit")  # killed by its memory cap, in its child process
    # 15 + 15^2 = 240 instances: counted once parsed, before Antimony flattens them
    p = run_cli_capped("classify", "--model-file", _nested_modules(tmp_path / "n2.ant", 2, 15))
    _refused(p, f"more than {MAX_MODULE_INSTANCES} module instances")


def test_review2_row01_the_parser_child_is_killed_on_time_and_memory():
    from antagonism._core.capped import run_capped as capped

    start = time.monotonic()
    with pytest.raises(LimitError, match="took longer than 0.5 s"):
        capped(time.sleep, (30,), memory_bytes=2**28, seconds=0.5, what="sleeping")
    with pytest.raises(LimitError, match="memory limit of 0.25 GiB"):
        capped(bytearray, (2**30,), memory_bytes=2**28, seconds=30, what="allocating")
    with pytest.raises(InputError, match="bad input"):  # the package's errors keep their class
        capped(_raise_input_error, (), memory_bytes=2**28, seconds=30, what="checking")
    assert time.monotonic() - start < 20


def _raise_input_error():
    raise InputError("bad input")


def _species_network(n, one_line):
    """n species in a chain of reactions, one statement a line or all on one line."""
    statements = [f"K{i}: S{i} -> S{i + 1}; k*S{i}" for i in range(n - 1)]
    body = "; ".join(statements) if one_line else "\n  ".join(statements)
    return _main_with(f"  {body}\n  k = 1")


@linux_only
def test_review2_row02_species_on_one_line_are_counted_once_parsed(tmp_path):
    pytest.importorskip("antimony", reason="the sbml extra is optional")
    for one_line in (True, False):  # the same network: the same count, the same refusal
        path = tmp_path / f"chain{one_line}.ant"
        path.write_text(_species_network(300, one_line))
        p = run_cli_capped("classify", "--model-file", path)
        _refused(p, "303 species once parsed", "limit of 100")


def _zip_by_hand(path, members):
    """A zip of ``members`` [(name, data, size, crc)], each data a raw deflate stream
    (size: the uncompressed size it announces)."""
    out, central = bytearray(), bytearray()
    for name, data, size, crc in members:
        offset, raw = len(out), name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, crc, len(data), size,
                           len(raw), 0) + raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 33, crc,
                               len(data), size, len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def _deflated_zeros(megabytes, prefix=b""):
    """(stream, crc32, size): a raw deflate stream of ``prefix`` and ``megabytes`` MB of
    zeros, made without compressing them all (after a full flush the compressor's output
    repeats, block for block)."""
    import zlib

    block = bytes(1 << 20)
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    first = c.compress(prefix + block) + c.flush(zlib.Z_FULL_FLUSH)
    same = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(prefix + block)
    for _ in range(megabytes - 1):
        crc = zlib.crc32(block, crc)
    return first + same * (megabytes - 1) + c.flush(), crc, len(prefix) + (megabytes << 20)


@linux_only
def test_review2_row03_torch_sizes_are_checked_before_torch_allocates(tmp_path):
    torch = pytest.importorskip("torch", reason="torch is optional (pip install '.[torch]')")
    import zipfile

    # the storages the pickle announces: 4.4 GB, in a file of a few kB
    if not hasattr(torch.serialization, "skip_data"):
        pytest.skip("writing the hostile file needs torch.serialization.skip_data")
    announced = tmp_path / "announced.pt"
    weight = torch.empty(10, 110_000_000, device="meta")
    with torch.serialization.skip_data(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "meta tensors: a no-op": the point
        torch.save({"1.weight": weight}, str(announced))
    assert announced.stat().st_size < 10_000
    p = run_cli_capped("robustness", "--torch-model", announced, "--networks", "", "--quick")
    _refused(p, "tensors announce 4400000000 bytes", "limit of 512 MB")
    # the members, once decompressed: 600 MB of zeros in a data record of about 3 MB
    with zipfile.ZipFile(announced) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    import zlib

    parts = [(name, zlib.compress(data)[2:-4], len(data), zlib.crc32(data))
             for name, data in members]
    data, crc, size = _deflated_zeros(600)
    bomb = _zip_by_hand(tmp_path / "bomb.pt", [*parts, ("announced/data/0", data, size, crc)])
    assert bomb.stat().st_size < 5_000_000
    p = run_cli_capped("robustness", "--torch-model", bomb, "--networks", "", "--quick")
    _refused(p, "629145", "bytes once decompressed", "limit of 512 MB")


@linux_only
def test_review2_row04_idx_headers_are_checked_before_reading_and_converting(tmp_path):
    from antagonism.numerics.networks.datasets import MAX_IDX_BYTES

    def bomb(path):  # 786432 images of 28 x 28 (588 MB of zeros) in a 2.6 MB .gz
        header = bytes([0, 0, 8, 3]) + struct.pack(">3I", 786_432, 28, 28)
        data, crc, size = _deflated_zeros(588, header)
        path.with_name(path.name + ".gz").write_bytes(
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + data
            + struct.pack("<II", crc, size & 0xFFFFFFFF))

    folder = _mnist_folder(tmp_path / "bomb", bomb)
    with gzip.open(folder / "train-images-idx3-ubyte.gz") as f:  # a well-formed file
        assert f.read(16)[4:8] == struct.pack(">I", 786_432)
    assert sum(f.stat().st_size for f in folder.iterdir()) < 4_000_000
    p = run_cli_capped("robustness", "--dataset", "mnist", "--data-dir", folder,
                       "--networks", "natural", "--quick")
    _refused(p, "announces 616562688 bytes", f"limit of {MAX_IDX_BYTES}")


def _png(path, width, height, channels):
    """A valid 8-bit PNG of zeros (grey or RGBA) without holding its pixels: after a full
    flush the compressor's output repeats, row for row."""
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = bytes(1 + width * channels)
    c = zlib.compressobj(9)
    first = c.compress(row) + c.flush(zlib.Z_FULL_FLUSH)
    same = c.compress(row) + c.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(height):
        adler = zlib.adler32(row, adler)
    stream = first + same * (height - 1) + c.flush()[:-4] + struct.pack(">I", adler)
    colour = {1: 0, 4: 6}[channels]
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
                     + chunk(b"IDAT", stream) + chunk(b"IEND", b""))
    return path


@linux_only
def test_review2_row05_image_pixels_are_capped_before_decoding(tmp_path):
    from antagonism.numerics.experiments.picture import MAX_IMAGE_PIXELS

    for name, side, channels in (("rgba", 12_000, 4), ("grey", 14_000, 1), ("mid", 4_200, 1)):
        path = _png(tmp_path / f"{name}.png", side, side, channels)
        assert path.stat().st_size < 1_000_000
        p = run_cli_capped("reproduce", "picture_attack", "--quick", "--image", path)
        _refused(p, "pixels", f"limit of {MAX_IMAGE_PIXELS}")
    # PIL's own limit is set too, and a small image is read
    p = run_capped(_pil_limit_after_reading, str(_png(tmp_path / "ok.png", 30, 20, 4)))
    assert p.value == [MAX_IMAGE_PIXELS, [20, 30]], p.error


def _pil_limit_after_reading(path):
    from PIL import Image

    from antagonism.numerics.experiments.picture import read_grey

    grey = read_grey(path)
    return [Image.MAX_IMAGE_PIXELS, list(grey.shape)]


@linux_only
@pytest.mark.parametrize("seeds", ["0:150000000", "0:4000000000"])
def test_review2_row06_a_range_of_seeds_is_counted_before_it_is_built(seeds):
    p = run_cli_capped("robustness", "--seeds", seeds, "--networks", "natural", "--quick",
                       seconds=30)
    _refused(p, "--seeds", "values; at most 10000", seconds=10)


@linux_only
def test_review2_row07_a_sweep_grid_is_counted_and_the_sweep_has_a_time_budget():
    p = run_cli_capped("sweep", "--N", "1:1000", "--m", "0:999", "--tau-c", "1:1000",
                       seconds=30)
    _refused(p, "1000000000 points", "at most 100000", seconds=10)
    p = run_cli_capped("sweep", "--N", "lin:20:40:21", "--m", "1", "--no-cache",
                       "--time-budget", "1", seconds=60)
    _refused(p, "time budget of 1 s")


def _torch_mlp_file(path, seed=0, nan=False):
    """An MLP for the 8x8 digits saved as safetensors (NaN in one weight if ``nan``)."""
    torch = pytest.importorskip("torch", reason="torch is optional (pip install '.[torch]')")
    save_file = pytest.importorskip("safetensors.torch").save_file
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 16), torch.nn.ReLU(),
                                torch.nn.Linear(16, 10))
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    if nan:
        state["3.weight"][0, 0] = float("nan")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path))
    return path


def _torch_models_read(argv):
    """In the child: the models --torch-model reads (name -> the sum of its logits on a
    fixed input, which tells two networks apart)."""
    from antagonism.cli import build_parser
    from antagonism.cli.networks import _common

    _, extra = _common(build_parser().parse_args(argv))
    x = np.linspace(0, 1, 64).reshape(1, 64)
    return {name: float(clf.logits(x).sum()) for name, clf in extra.items()}


@linux_only
def test_review2_row08_each_torch_model_file_gets_its_own_row(tmp_path):
    first = _torch_mlp_file(tmp_path / "a" / "model.safetensors", seed=1)
    second = _torch_mlp_file(tmp_path / "b" / "model.safetensors", seed=2)
    res = run_capped(_torch_models_read, ["robustness", "--torch-model", str(first),
                                          "--torch-model", str(second), "--networks", ""])
    assert res.error is None, res.error
    assert set(res.value) == {"a/model", "b/model"}  # two rows, not one mean of two networks
    assert res.value["a/model"] != res.value["b/model"]
    for clash in ("natural", "pgd_trained"):  # a built-in network's name: refused
        path = _torch_mlp_file(tmp_path / f"{clash}.safetensors")
        p = run_cli_capped("robustness", "--torch-model", path, "--networks", "natural",
                           "--quick")
        _refused(p, f"named '{clash}', like a built-in network")
    p = run_cli_capped("robustness", "--torch-model", first, "--torch-model",
                       tmp_path / "a" / ".." / "a" / "model.safetensors", "--networks", "")
    _refused(p, "given twice")
    # the Python API refuses a clash too, before any work
    from antagonism.numerics.networks.robustness import robustness_report
    from antagonism.numerics.regime.networks import network_regime_report

    for report in (robustness_report, network_regime_report):
        with pytest.raises(InputError, match="like a built-in network"):
            report(extra={"untrained": object()})


@linux_only
def test_review2_row09_weights_and_data_that_are_not_finite_are_refused(tmp_path):
    path = _torch_mlp_file(tmp_path / "nan.safetensors", nan=True)
    p = run_cli_capped("robustness", "--torch-model", path, "--networks", "", "--quick")
    _refused(p, "3.weight are not all finite")
    images = np.zeros((20, 4, 4), np.float32)
    images[3, 1, 1] = np.nan
    folder = _mnist_folder(tmp_path / "nan",
                           lambda p: write_idx(p, images.astype(">f4"), code=0x0D))
    p = run_cli_capped("robustness", "--dataset", "mnist", "--data-dir", folder,
                       "--networks", "natural", "--quick")
    _refused(p, "not finite")


@linux_only
@pytest.mark.parametrize("value,fragment", [
    ("phi = 1e400", "1e400 (line"),  # the number itself, in the text
    ("R = 1e400", "1e400 (line"),
    ("R = 2e-400", "2e-400 (line"),  # libantimony reads it as 0
    ("R = 1 e400", "its units 'e400_litre' are not a unit"),  # as libantimony reads 1e400
])
def test_review2_row10_numbers_beyond_the_float_range_in_a_model_file(tmp_path, value,
                                                                      fragment):
    pytest.importorskip("antimony", reason="the sbml extra is optional")
    path = tmp_path / "m.ant"
    path.write_text(_model_text().replace("R = 10", value.replace("phi", "R = 10; phi")))
    p = run_cli_capped("classify", "--model-file", path)
    _refused(p, fragment)


def _damaged_manifest_rebuilds(root, damage):
    """In the child: a cached sweep task whose manifest is then damaged, run again."""
    os.environ["ANTAGONISM_CACHE_DIR"] = root
    from antagonism.numerics.executor import run_tasks

    assert run_tasks(json.dumps, [{"obj": 1}], cache="t").computed == 1
    folder = os.path.join(root, "sweeps", "t")
    (manifest,) = [f for f in os.listdir(folder) if f.endswith(".json.json")]
    with open(os.path.join(folder, manifest), "w") as f:
        f.write(damage)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = run_tasks(json.dumps, [{"obj": 1}], cache="t")
    again = run_tasks(json.dumps, [{"obj": 1}], cache="t")  # the rebuilt entry is served
    return {"results": run.results, "computed": run.computed, "again": again.computed,
            "warnings": [str(w.message) for w in caught],
            "aside": os.listdir(os.path.join(folder, "corrupt"))}


@linux_only
@pytest.mark.parametrize("damage", ["[" * 30_000 + "]" * 30_000,  # RecursionError
                                    '{"size": 1e999, "sha256": "0", "hmac": "0"}',
                                    '{"size": 10, "sha256": "' + "0" * 100_000 + '"}',
                                    "\x00\xff not JSON"],
                         ids=["deep", "1e999", "huge", "binary"])
def test_review2_row11_any_damaged_manifest_sets_the_entry_aside(tmp_path, damage):
    res = run_capped(_damaged_manifest_rebuilds, str(tmp_path / "cache"), damage, seconds=60)
    assert res.error is None, res.error
    out = res.value
    assert out["results"] == ["1"] and out["computed"] == 1 and out["again"] == 0
    assert any("unreadable manifest" in w for w in out["warnings"]), out["warnings"]
    if damage.startswith("[["):
        assert any("RecursionError" in w for w in out["warnings"]), out["warnings"]
    assert out["aside"]  # moved to corrupt/, not served, not raised


_POWER_OUTPUT = """model m
  J0: L + R -> C0; kon*L*R
  J1: C0 -> L + R; C0/tau
  J2: C0 -> C1; kp*C0
  J3: C1 -> L + R; C1/tau
  kon = 1e-3; tau = 2; R = 1000; L = 0; C0 = 0; C1 = 0; kp = 1
end
// antagonism: ligand = L
// antagonism: output = (C1+C0)**1000
"""


@linux_only
@pytest.mark.parametrize("argv,fragment", [
    (["classify", "--tau-c", "1e308"], "overflow"),
    (["classify", "--tau-c", "1e-300"], "overflow"),
    (["classify", "--model", "shp1", "--param", "phi=1e308"], "overflow"),
    (["classify", "--model-file", "POWER"], "overflow"),
    (["steady", "--model-file", "POWER", "--tau", "1", "--L", "100"], "beyond double"),
    (["robustness", "--torch-model", "MLP", "--networks", "", "--device", "cuda"],
     "not available"),
    (["robustness", "--torch-model", "MLP", "--networks", "", "--input-shape",
      "1000000,1000000"], "1000000000000 values per sample"),
], ids=["tau-c-1e308", "tau-c-1e-300", "phi-1e308", "output-power", "steady-power",
        "cuda", "input-shape"])
def test_review2_row12_failures_caused_by_input_exit_2(tmp_path, argv, fragment):
    if "MLP" in argv:
        torch = pytest.importorskip("torch")
        if "cuda" in argv and torch.cuda.is_available():
            pytest.skip("this machine has CUDA")
        argv = [str(_torch_mlp_file(tmp_path / "mlp.safetensors")) if a == "MLP" else a
                for a in argv]
    if "POWER" in argv:
        pytest.importorskip("antimony", reason="the sbml extra is optional")
        (tmp_path / "power.ant").write_text(_POWER_OUTPUT)
        argv = [str(tmp_path / "power.ant") if a == "POWER" else a for a in argv]
    p = run_cli_capped(*argv, "--quick" if argv[0] == "robustness" else "--json")
    _refused(p, fragment)


def test_every_test_the_reliability_page_names_exists():
    import re
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs" / "reliability.md").read_text()
    named = set(re.findall(r"`(test_route\w+|test_review2\w+)`", page))
    here = {name for name in globals() if name.startswith("test_")}
    assert len(named) >= 25 and named <= here, sorted(named - here)
    rows = {int(m) for m in re.findall(r"test_review2_row(\d\d)", " ".join(here))}
    assert rows == set(range(1, 13))  # a canary for each row of the second review
