"""Attacks in the style of torchattacks: one file per attack, shared norm and domain helpers.

Every attack works on an *objective*: any object with

- ``loss_and_grad(x) -> (loss, grad)``: per-sample loss to **maximise** (shape (batch,)) and
  its gradient with respect to x (shape of x);
- ``success(x) -> bool array``: whether the decision flipped for each sample.

Networks use cross-entropy with a "label changed" success; cells use the margin
loss -log T with success T < 1 (:class:`antagonism.numerics.cell_objective.CellObjective`).
"""
from .bpda import BPDAObjective, pgd_bpda
from .domain import Domain, project, random_start
from .fgsm import fgsm
from .pgd import pgd
from .result import AttackResult
from .square import square

__all__ = ["AttackResult", "BPDAObjective", "Domain", "fgsm", "pgd", "pgd_bpda", "project",
           "random_start", "square"]
