"""The authors' figure scripts, procedure by procedure.

Rademaker, Bengio & Francois, PRX 9, 031012 (2019) (preprint bioRxiv 366724, "Fooling the
classifier: Ligand antagonism and adversarial examples"); scripts in the repository
tjrademaker/advxs-antagonism-figs, commit 71e093d7bf73863b8cbef8b9c6c9ca4c60b017ac.  One
module per script, each transcribing its procedures step for step (quirks included) next to
the package's method:

- :mod:`.ligand_boundary` -- ``draw_ligand_boundary.py``;
- :mod:`.potential` -- ``draw_antagonism_potential.py``;
- :mod:`.immune_boundary` -- ``draw_immune_boundary.py``;
- :mod:`.mtl` -- ``MTL_to_ML.py``;
- :mod:`.svm` -- ``train_SVM_on_PCs.py``;
- :mod:`.common` -- the result row and the descent loop the two descent scripts share.

:mod:`antagonism.numerics.experiments.reproduce` runs them.  This file imports nothing, so
that the command line can list the targets without loading them.
"""

#: (target, the authors' script) in the order ``antagonism reproduce`` runs them
TARGET_SCRIPTS = (
    ("ligand_descent", "draw_ligand_boundary.py"),
    ("ligand_boundary_tau", "draw_ligand_boundary.py"),
    ("ligand_histograms", "draw_ligand_boundary.py"),
    ("ligand_immune_picture", "draw_ligand_boundary.py"),
    ("ligand_initial_distribution", "draw_ligand_boundary.py"),
    ("antagonism_potential", "draw_antagonism_potential.py"),
    ("immune_boundary", "draw_immune_boundary.py"),
    ("immune_boundary_points", "draw_immune_boundary.py"),
    ("picture_preprocessing", "MTL_to_ML.py"),
    ("picture_attack", "MTL_to_ML.py"),
    ("digits_svc", "train_SVM_on_PCs.py"),
    ("digits_svc_scatter", "train_SVM_on_PCs.py"),
    ("digits_svc_perturbed", "train_SVM_on_PCs.py"),
)
TARGET_NAMES = tuple(name for name, _ in TARGET_SCRIPTS)
