"""Ligand ensembles: the set-ups of the figure scripts of
Rademaker, Bengio & Francois, PRX 9, 031012 (2019)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result
from antagonism.theory.validation import as_generator, check_positive_scalar


class LigandSet(Result):
    """A ligand ensemble.

    Keys
    ----
    tau : ndarray -- binding times (s)
    L : ndarray -- quantities (molecules)
    agonist : ndarray of bool -- tau >= tau_c at creation
    tau_c : float
    seed : int or None
    """


def paper_ligands(n_ligands=101**2, agonist_fraction=0.3, tau_c=3.0, seed=0, *,
                  agonist_mean=3.5, agonist_sd=0.1, self_sd=1 / 3):
    """The descent set-up: a fraction of agonists tau ~ N(3.5, 0.1^2), the rest self ligands
    tau = |N(0, (1/3)^2)|, each with L = 1 (the paper's descent set-up).

    Agonists are drawn until above tau_c and self ligands are kept positive, so every ligand
    is on its intended side of the threshold.
    """
    if int(n_ligands) != n_ligands or n_ligands < 2:
        raise InputError(f"n_ligands must be an integer >= 2, got {n_ligands!r}")
    if not 0 < agonist_fraction < 1:
        raise InputError(f"agonist_fraction must be in (0, 1), got {agonist_fraction}")
    tau_c = check_positive_scalar(tau_c, "tau_c")
    rng = as_generator(seed)
    n_ag = int(round(agonist_fraction * n_ligands))
    n_self = int(n_ligands) - n_ag
    ag = rng.normal(agonist_mean, agonist_sd, n_ag)
    while np.any(ag < tau_c):
        bad = ag < tau_c
        ag[bad] = rng.normal(agonist_mean, agonist_sd, bad.sum())
    slf = np.abs(rng.normal(0.0, self_sd, n_self))
    slf = np.clip(slf, 1e-9 * tau_c, np.nextafter(tau_c, 0))
    tau = np.concatenate([ag, slf])
    return LigandSet(tau=tau, L=np.ones_like(tau), agonist=tau >= tau_c, tau_c=tau_c,
                     seed=seed if not isinstance(seed, np.random.Generator) else None)
