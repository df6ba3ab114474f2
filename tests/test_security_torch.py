"""--torch-model never unpickles objects: .safetensors files and state dicts
(weights_only=True) load; TorchScript and torch.export archives load only with
--trust-model-code; a pickle is refused before it can run code."""
import os
import pickle

import numpy as np
import pytest
from helpers import run_cli

torch = pytest.importorskip("torch", reason="torch is not installed (pip install '.[torch]')")

from antagonism._core.errors import NetworkFileError  # noqa: E402
from antagonism.numerics.networks.torch_bridge import (  # noqa: E402
    load_torch_model,
    torch_file_kind,
)


class _Payload:
    """Unpickling this creates the marker file (what an attacker's file would do)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3), torch.nn.ReLU(),
                               torch.nn.Linear(3, 2)).double()


X = np.random.default_rng(0).uniform(size=(5, 1, 2, 2))


def _reference(module):
    with torch.no_grad():
        return module(torch.tensor(X)).numpy()


def test_the_payload_really_runs_code_when_unpickled(tmp_path):
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_Payload(marker)))  # noqa: S301 - the control experiment
    assert marker.exists()


@pytest.mark.parametrize("writer", ["pickle", "torch.save"])
def test_a_pickle_that_runs_code_is_refused(tmp_path, writer):
    marker, path = tmp_path / "X", tmp_path / "evil.pt"
    if writer == "pickle":
        path.write_bytes(pickle.dumps(_Payload(marker)))
    else:
        torch.save({"w": _Payload(marker)}, str(path))
    with pytest.raises(NetworkFileError, match="unpickling it could run any code"):
        load_torch_model(path)
    assert not marker.exists()
    p = run_cli("robustness", "--torch-model", path, "--networks", "natural", "--quick")
    assert p.returncode == 2 and not marker.exists()
    assert len(p.stderr.strip().splitlines()) == 1 and "state_dict" in p.stderr


def test_a_whole_module_pickle_is_refused_with_an_explanation(tmp_path):
    path = tmp_path / "whole.pt"
    torch.save(_mlp(), str(path))
    with pytest.raises(NetworkFileError, match="safetensors.torch.save_file"):
        load_torch_model(path)


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_state_dict_of_the_mlp_layout_loads(tmp_path, wrapped):
    net, path = _mlp(), tmp_path / "w.pt"
    state = net.state_dict()
    torch.save({"architecture": "mlp", "state_dict": state} if wrapped else state, str(path))
    clf = load_torch_model(path)
    np.testing.assert_allclose(clf.logits(X), _reference(net), rtol=1e-12)


def test_a_state_dict_of_another_layout_is_refused(tmp_path):
    path = tmp_path / "w.pt"
    torch.save({"conv.weight": torch.zeros(2, 2)}, str(path))
    with pytest.raises(NetworkFileError, match="layout"):
        load_torch_model(path)


def test_safetensors_weights_load_whatever_the_file_is_called(tmp_path):
    from safetensors.torch import save_file

    net = _mlp()
    for name in ("w.safetensors", "w.pt"):
        save_file(net.state_dict(), str(tmp_path / name))
        assert torch_file_kind(tmp_path / name) == "safetensors"
        clf = load_torch_model(tmp_path / name)
        np.testing.assert_allclose(clf.logits(X), _reference(net), rtol=1e-12)


@pytest.mark.slow  # torch.export takes about 5 s
def test_torchscript_and_export_load_only_when_trusted(tmp_path):
    net = _mlp()
    torch.jit.script(net).save(str(tmp_path / "s.pt"))
    batch = torch.export.Dim("batch", min=2)
    ep = torch.export.export(net, (torch.tensor(X),), dynamic_shapes=({0: batch},))
    torch.export.save(ep, str(tmp_path / "e.pt2"))
    torch.save(net.state_dict(), str(tmp_path / "w.pt2"))  # weights, whatever the suffix
    kinds = {f: torch_file_kind(tmp_path / f) for f in ("s.pt", "e.pt2", "w.pt2")}
    assert kinds == {"s.pt": "torchscript", "e.pt2": "export", "w.pt2": "state_dict"}
    for name in ("s.pt", "e.pt2"):
        with pytest.raises(NetworkFileError, match="--trust-model-code"):
            load_torch_model(tmp_path / name)
        clf = load_torch_model(tmp_path / name, trust_model_code=True)
        np.testing.assert_allclose(clf.logits(X), _reference(net), rtol=1e-12)
    np.testing.assert_allclose(load_torch_model(tmp_path / "w.pt2").logits(X),
                               _reference(net), rtol=1e-12)


def test_torchscript_is_refused_without_the_flag_and_loads_with_it(tmp_path):
    net = _mlp()
    torch.jit.script(net).save(str(tmp_path / "s.bin"))
    with pytest.raises(NetworkFileError, match="--trust-model-code"):
        load_torch_model(tmp_path / "s.bin")
    clf = load_torch_model(tmp_path / "s.bin", trust_model_code=True)
    np.testing.assert_allclose(clf.logits(X), _reference(net), rtol=1e-12)


def test_garbage_is_a_clear_error(tmp_path):
    path = tmp_path / "g.pt"
    path.write_bytes(b"not a model at all")
    with pytest.raises(NetworkFileError):
        load_torch_model(path)
