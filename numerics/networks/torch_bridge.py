"""Optional bridge to torch: a torch copy of the package's numpy MLPs, and torch model files
read as weights unless the caller trusts their code.

Requires the ``torch`` extra (``pip install "antagonism[torch]"``, which brings the
``safetensors`` package too).  Attacking, measuring and evaluating a torch model goes through
:class:`~.classifier.TorchClassifier` (``as_classifier(module)``); nothing else in the package
imports torch.

Torch files are untrusted input (docs/reliability.md).  Their kind is read from their bytes,
never from their name (:func:`torch_file_kind`):

- **weights** -- a ``.safetensors`` file (a JSON header and raw tensor bytes, read by the
  ``safetensors`` package: nothing is unpickled) or a ``torch.save(state_dict)`` zip, read
  with ``torch.load(weights_only=True)`` and no fallback; either holds the weights of an MLP
  laid out as ``Sequential(Flatten, Linear, ReLU, ..., Linear)`` (:func:`mlp_from_state_dict`);
- **code** -- a TorchScript archive (its ``code/`` runs when the model is evaluated and can
  read and write files) or a ``torch.export`` ``.pt2`` archive (torch's loader unpickles parts
  of it without restriction) is refused unless the caller passes ``trust_model_code=True``
  (``--trust-model-code`` on the command line), which runs code from the file.

Save weights with ``safetensors.torch.save_file(model.state_dict(), "model.safetensors")``.
"""
from __future__ import annotations

import re
import struct
from pathlib import Path

from antagonism._core.errors import InputError, LimitError, NetworkFileError

#: the command-line flag that lets a torch file's code run
TRUST_FLAG = "--trust-model-code"
#: most bytes a torch model may take: its file on disk, the sum of its zip members once
#: decompressed, and the tensor storages its pickle announces (each checked before torch
#: reads or allocates them)
MAX_TORCH_BYTES = 512 * 1024**2
# the first bytes of a legacy (before torch 1.6, not a zip) torch.save file: its magic number
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")

# the members of a torch.save zip of tensors (a state dict): nothing else is accepted
_STATE_DICT_MEMBER = re.compile(r"[^/]+/(?:data\.pkl|data/\d+|version|byteorder|"
                                r"\.format_version|\.storage_alignment|"
                                r"\.data/serialization_id|\.data/version)")
_EXPORT_MARKERS = ("archive_format", "archive_version", "serialized_exported_program",
                   "sample_inputs/", "models/", "/extra/", "data/weights/",
                   "data/constants/")

_SAVE_WEIGHTS = ("save the weights instead, safetensors.torch.save_file(model.state_dict(), "
                 "'model.safetensors'), of an MLP laid out as Sequential(Flatten, Linear, "
                 "ReLU, ..., Linear)")
_REFUSED_PICKLE = ("{path} is a pickled Python object (torch.save(module)): unpickling it "
                   "could run any code, so it is refused.  Save the state_dict instead: "
                   + _SAVE_WEIGHTS)
_REFUSED_CODE = ("{path} is a {what}: it holds code that runs when the model is loaded or "
                 "evaluated, so it is refused.  Give " + TRUST_FLAG + " (in Python: "
                 "trust_model_code=True) only for a file you made yourself or trust like a "
                 "program, since it runs code from the file; or " + _SAVE_WEIGHTS)
_WHAT = {"torchscript": "TorchScript archive", "export": "torch.export (.pt2) archive"}


def to_torch_mlp(model):
    """A torch copy of a numpy ``mlp`` (Flatten, Dense/ReLU..., Dense), float64."""
    import torch

    from .layers import Dense, Flatten, ReLU

    mods = []
    for layer in model.layers:
        if isinstance(layer, Flatten):
            mods.append(torch.nn.Flatten())
        elif isinstance(layer, ReLU):
            mods.append(torch.nn.ReLU())
        elif isinstance(layer, Dense):
            W = layer.params["W"]
            lin = torch.nn.Linear(W.shape[0], W.shape[1]).double()
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(W.T))
                lin.bias.copy_(torch.tensor(layer.params["b"]))
            mods.append(lin)
        else:
            raise InputError(f"cannot convert layer {type(layer).__name__} to torch")
    return torch.nn.Sequential(*mods)


def torch_file_kind(path):
    """The kind of a torch file, read from its bytes (nothing is loaded or unpickled).

    Returns ``"safetensors"`` (an 8-byte little-endian header length, then a JSON header),
    ``"torchscript"`` (a zip with ``constants.pkl`` or ``code/``), ``"export"`` (a zip with
    ``archive_format``, ``models/``, ``serialized_exported_program``... of ``torch.export``),
    ``"state_dict"`` (a zip holding only what ``torch.save`` writes for tensors),
    ``"unknown"`` (a zip of any other layout) or ``"pickle"`` (anything else: a legacy
    ``torch.save`` file or a plain pickle, read only by the weights-only unpickler)."""
    import zipfile

    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) == 9:
        (header,) = struct.unpack("<Q", head[:8])
        if 2 <= header <= size - 8 and head[8:9] == b"{":
            return "safetensors"
    if not zipfile.is_zipfile(path):
        return "pickle"
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "unknown"
    if any(n.endswith("constants.pkl") or "/code/" in n or n.startswith("code/")
           for n in names):
        return "torchscript"
    if any(marker in n for n in names for marker in _EXPORT_MARKERS):
        return "export"
    if names and all(_STATE_DICT_MEMBER.fullmatch(n) for n in names):
        return "state_dict"
    return "unknown"


def mlp_from_state_dict(state):
    """A torch ``Sequential(Flatten, Linear, ReLU, ..., Linear)`` (the layout of
    :func:`to_torch_mlp`) holding the weights of ``state``; the keys must be
    ``{i}.weight``/``{i}.bias`` of Linear layers at positions 1, 3, 5, ... (strict)."""
    import torch

    if not isinstance(state, dict) or not state:
        raise NetworkFileError("a torch state dict must be a non-empty dict of tensors")
    if set(state) >= {"architecture", "state_dict"}:
        if state["architecture"] != "mlp":
            raise NetworkFileError(f"unknown architecture {state['architecture']!r}; the "
                                   "package knows 'mlp' (Flatten, Linear, ReLU, ..., Linear)")
        state = state["state_dict"]
    try:
        positions = sorted({int(k.split(".")[0]) for k in state})
    except (ValueError, AttributeError):
        raise NetworkFileError("a state dict's keys must look like '1.weight', '1.bias' "
                               f"(the MLP layout), got {sorted(map(str, state))[:4]}") from None
    if positions != list(range(1, 2 * len(positions), 2)):
        raise NetworkFileError(f"state dict layers at positions {positions}: expected Linear "
                               "layers at 1, 3, 5, ... (Sequential(Flatten, Linear, ReLU, ..."
                               ", Linear))")
    mods = [torch.nn.Flatten()]
    for k, pos in enumerate(positions):
        w = state.get(f"{pos}.weight")
        if not isinstance(w, torch.Tensor) or w.ndim != 2:
            raise NetworkFileError(f"state dict: {pos}.weight must be a 2-D tensor")
        if k:
            mods.append(torch.nn.ReLU())
        mods.append(torch.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype))
    module = torch.nn.Sequential(*mods)
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise NetworkFileError(f"state dict does not fit the MLP layout: {exc}") from None
    return module


def _read_safetensors(path, torch):
    try:
        from safetensors.torch import load_file
    except ImportError:
        raise InputError('reading .safetensors needs the safetensors package: pip install '
                         '"antagonism[torch]"') from None
    return mlp_from_state_dict(load_file(str(path), device="cpu"))


def _check_zip_sizes(path):
    """Refuse a zip whose members, once decompressed, would exceed :data:`MAX_TORCH_BYTES`
    (their sizes as the zip's directory states them; nothing is decompressed)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        total = sum(info.file_size for info in z.infolist())
    if total > MAX_TORCH_BYTES:
        raise LimitError(f"{path}: its zip members hold {total} bytes once decompressed, more "
                         f"than the limit of {MAX_TORCH_BYTES // 1024**2} MB")


def _storage_bytes(obj, seen=None):
    """The bytes of the distinct tensor storages in a (nested) state dict."""
    import torch

    seen = {} if seen is None else seen
    if isinstance(obj, torch.Tensor):
        storage = obj.untyped_storage()
        seen[storage._cdata] = storage.nbytes()
    elif isinstance(obj, dict):
        for v in obj.values():
            _storage_bytes(v, seen)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _storage_bytes(v, seen)
    return sum(seen.values())


def _read_weights(path, torch):
    import pickle

    with open(path, "rb") as f:
        legacy = f.read(len(_LEGACY_MAGIC)) == _LEGACY_MAGIC
    if legacy:  # its loader allocates each storage the file announces before reading it
        raise NetworkFileError(f"{path} is a legacy torch.save file (before torch 1.6): its "
                               "tensor sizes cannot be checked before torch allocates them. "
                               "Save it again with a current torch, or " + _SAVE_WEIGHTS)
    try:  # first the storages the pickle announces, on the meta device: nothing allocated
        announced = _storage_bytes(torch.load(str(path), weights_only=True,
                                              map_location="meta"))
        if announced > MAX_TORCH_BYTES:
            raise LimitError(f"{path}: its tensors announce {announced} bytes, more than the "
                             f"limit of {MAX_TORCH_BYTES // 1024**2} MB")
        obj = torch.load(str(path), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError:
        raise NetworkFileError(_REFUSED_PICKLE.format(path=path)) from None
    return mlp_from_state_dict(obj)


_READERS = {
    "safetensors": _read_safetensors,
    "state_dict": _read_weights,
    "pickle": _read_weights,
    "torchscript": lambda path, torch: torch.jit.load(str(path), map_location="cpu"),
    "export": lambda path, torch: torch.export.load(str(path)).module(),
}


def model_names(paths):
    """One distinct name per torch model file: its stem (``runs/a/model.safetensors`` ->
    ``model``), or, where stems clash, as much of its folder as tells the files apart
    (``a/model``, ``b/model``); the same file given twice is an InputError."""
    paths = [Path(p) for p in paths]
    resolved = [p.resolve() for p in paths]
    for k, p in enumerate(resolved):
        if p in resolved[:k]:
            raise InputError(f"the torch model {paths[k]} is given twice")
    parts = [p.with_suffix("").parts for p in resolved]
    depth = [1] * len(paths)
    while True:
        names = ["/".join(q[-d:]) for q, d in zip(parts, depth)]
        clashes = {n for n in names if names.count(n) > 1}
        grow = [k for k, n in enumerate(names) if n in clashes and depth[k] < len(parts[k])]
        if not grow:  # distinct, or only the suffixes differ: then the whole paths
            return [str(r) if n in clashes else n for r, n in zip(resolved, names)]
        for k in grow:
            depth[k] += 1


def load_torch_model(path, trust_model_code=False, *, name=None, **torch_options):
    """A torch model from a file, as a :class:`~.classifier.TorchClassifier`.

    Weights are read without running anything from the file: a ``.safetensors`` file or a
    ``torch.save(state_dict)`` zip (``torch.load(weights_only=True)``, no fallback) of an MLP
    laid out as ``Sequential(Flatten, Linear, ReLU, ..., Linear)`` (a zip may wrap it as
    ``{"architecture": "mlp", "state_dict": ...}``).  A TorchScript or ``torch.export``
    archive holds code: it is refused with a :class:`NetworkFileError` naming
    ``--trust-model-code`` unless ``trust_model_code=True``, which runs code from the file.
    A pickled whole module, a zip of no known layout, and any file torch cannot read are
    refused with a :class:`NetworkFileError` (exit status 2), and so are weights that are
    not finite (NaN, infinite: such a network would pass for perfectly robust).  ``name``:
    the model's name (default the file's stem).  ``torch_options``:
    ``device``, ``batch_size``, ``input_shape`` of :class:`TorchClassifier`."""
    from .classifier import TorchClassifier

    path = Path(path)
    if not path.is_file():
        raise InputError(f"no torch model file {path}")
    if path.stat().st_size > MAX_TORCH_BYTES:
        raise LimitError(f"{path}: torch model files are limited to "
                         f"{MAX_TORCH_BYTES // 1024**2} MB")
    kind = torch_file_kind(path)  # from the bytes, before torch is even imported
    if kind in _WHAT and not trust_model_code:
        raise NetworkFileError(_REFUSED_CODE.format(path=path, what=_WHAT[kind]))
    if kind == "unknown":
        raise NetworkFileError(f"{path} is a zip archive of no known torch layout (neither a "
                               "state dict, TorchScript nor torch.export); " + _SAVE_WEIGHTS)
    if kind in ("state_dict", *_WHAT):
        _check_zip_sizes(path)
    try:
        import torch
    except ImportError:
        raise InputError('loading a torch model needs torch: pip install "antagonism[torch]"'
                         ) from None
    try:
        module = _READERS[kind](path, torch)
    except InputError:
        raise
    except Exception as exc:  # a file torch cannot read is bad input, whatever torch raises
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise NetworkFileError(f"{path} is not a readable torch model ({kind}): "
                               f"{type(exc).__name__}{': ' + first if first else ''}"
                               ) from None
    if not isinstance(module, torch.nn.Module):
        raise NetworkFileError(f"{path} holds a {type(module).__name__}, not a torch model")
    for key, tensor in module.state_dict().items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise NetworkFileError(f"{path}: the weights {key} are not all finite (NaN or "
                                   "infinite): such a network computes NaN, which would "
                                   "pass for perfect robustness")
    return TorchClassifier(module, name=name or path.stem, **torch_options)
