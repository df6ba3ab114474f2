"""Benchmark: PGD throughput (images per second) of our numpy MLP against the same MLP in
torch on the CPU, in one run.  Run on demand:  python benchmarks/attacks.py [--json]

Both use the package's PGD code; only the objective differs (numpy backprop vs torch
autograd through :class:`antagonism.numerics.networks.classifier.TorchClassifier`).
Torch is optional: without it only our throughput is printed.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from antagonism.numerics.attacks import Domain, pgd
from antagonism.numerics.networks.datasets import load_digits
from antagonism.numerics.networks.objective import NetworkObjective
from antagonism.numerics.networks.zoo import mlp


def throughput(objective, x, n_steps, repeats=3):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        pgd(objective, x, 0.2, n_steps=n_steps, domain=Domain(0.0, 1.0), seed=0)
        best = min(best, time.perf_counter() - start)
    return len(x) / best


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    d = load_digits(seed=0)
    x, y = d.x_test, d.y_test
    model = mlp(hidden=(args.hidden,), seed=0)
    out = {"images": len(x), "pgd_steps": args.steps, "hidden": args.hidden,
           "numpy_images_per_s": throughput(NetworkObjective(model, y), x, args.steps)}
    try:
        import torch

        from antagonism.numerics.networks.torch_bridge import to_torch_mlp
    except ImportError:
        out["torch_images_per_s"] = None
        out["ratio_numpy_over_torch"] = None
    else:
        torch.set_num_threads(2)
        tobj = NetworkObjective(to_torch_mlp(model), y)
        out["torch_images_per_s"] = throughput(tobj, x, args.steps)
        out["ratio_numpy_over_torch"] = out["numpy_images_per_s"] / out["torch_images_per_s"]
    if args.json:
        print(json.dumps(out))
        return
    print(f"PGD-{args.steps} on {len(x)} digits, MLP 64-{args.hidden}-10:")
    print(f"  numpy (ours)   {out['numpy_images_per_s']:10.0f} images/s")
    if out["torch_images_per_s"] is not None:
        print(f"  torch (CPU)    {out['torch_images_per_s']:10.0f} images/s")
        print(f"  ratio numpy/torch: {out['ratio_numpy_over_torch']:.2f}")
    else:
        print("  torch not installed: install the 'torch' extra for the comparison")


if __name__ == "__main__":
    main()
