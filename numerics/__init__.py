"""Numerics: compiled kernels, cells and networks under attack, experiments, figures, CLI.

- :mod:`.cells` -- the evaluator of any cell model, compiled T_{N,m} kernels, ligand sets,
  cells as attack objectives, ODE checks;
- :mod:`.attacks` -- FGSM, PGD, BPDA and a gradient-free attack, one file each;
- :mod:`.networks` -- small numpy networks on real digits, training, defences, robustness;
- :mod:`.experiments` -- descent to the boundary, sweeps, antagonism potentials,
  landscapes, regime measures;
- :mod:`.data` -- shipped reference data (OT-1 peptides);
- :mod:`.figures` -- one module per figure; :mod:`.cli` -- the ``antagonism`` command;
- :mod:`.cache` -- the one on-disk cache ($ANTAGONISM_CACHE_DIR).
"""
