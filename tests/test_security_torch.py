"""--torch-model never unpickles objects: state dicts (weights_only=True), TorchScript and
torch.export archives load; a pickle is refused before it can run code."""
import os
import pickle

import numpy as np
import pytest
from helpers import run_cli

torch = pytest.importorskip("torch")

from antagonism._core.errors import NetworkFileError  # noqa: E402
from antagonism.numerics.networks.classifier import load_torch_model  # noqa: E402


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
    with pytest.raises(NetworkFileError, match="torch.jit.script"):
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


def test_torchscript_and_export_load(tmp_path):
    net = _mlp()
    torch.jit.script(net).save(str(tmp_path / "s.pt"))
    np.testing.assert_allclose(load_torch_model(tmp_path / "s.pt").logits(X), _reference(net),
                               rtol=1e-12)
    batch = torch.export.Dim("batch", min=2)
    ep = torch.export.export(net, (torch.tensor(X),), dynamic_shapes=({0: batch},))
    torch.export.save(ep, str(tmp_path / "e.pt2"))
    np.testing.assert_allclose(load_torch_model(tmp_path / "e.pt2").logits(X), _reference(net),
                               rtol=1e-12)


def test_garbage_is_a_clear_error(tmp_path):
    path = tmp_path / "g.pt"
    path.write_bytes(b"not a model at all")
    with pytest.raises(NetworkFileError):
        load_torch_model(path)
