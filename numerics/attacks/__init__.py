"""Attacks in the style of torchattacks: one file per attack, shared norm and domain helpers.

Every attack works on an *objective*: any object with

- ``loss(x)``: per-sample loss to **maximise** (shape (batch,));
- ``loss_and_grad(x) -> (loss, grad)``: per-sample loss to **maximise** (shape (batch,)) and
  its gradient with respect to x (shape of x);
- ``success(x) -> bool array``: whether the decision flipped for each sample.

Networks use cross-entropy with a "label changed" success; cells use the margin
loss log(threshold/F) with success F < threshold (-log T and T < 1 for T_{N,m};
:class:`antagonism.numerics.cells.CellObjective`).
"""
from .bpda import BPDAObjective, pgd_bpda
from .domain import Domain, project, random_start
from .fgsm import fgsm
from .pgd import pgd
from .result import AttackResult
from .square import square

__all__ = ["AttackResult", "BPDAObjective", "Domain", "fgsm", "pgd", "pgd_bpda", "project",
           "random_start", "square"]
