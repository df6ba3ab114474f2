"""Numerics: compiled kernels, cells and networks under attack, experiments, figures.

Installed as ``antagonism.numerics`` from the top-level ``numerics/`` folder
(``pyproject.toml``'s ``package-dir``); it imports ``antagonism._core``, ``derivations``,
``io`` and ``theory``, never the command line (``antagonism.cli``), which sits above it.

- :mod:`.cells` -- the evaluator of any cell model (:func:`~.cells.cell_evaluator`), the
  compiled T_{N,m} kernels, ligand sets, cells as attack objectives, ODE checks;
- :mod:`.codegen` -- the T_{N,m} kernels' numba source, generated from the derived
  expressions, and its verified on-disk store;
- :mod:`.attacks` -- FGSM, PGD, BPDA and a gradient-free attack, one file each;
- :mod:`.networks` -- small numpy networks on real digits, training, defences, the
  trained-model store, robustness;
- :mod:`.experiments` -- descent to the boundary, sweeps, antagonism potentials,
  landscapes, the literature table, the authors' procedures;
- :mod:`.regime` -- the regime of cells and networks measured as the paper defines it, and
  its calibration on cells;
- :mod:`.data` -- shipped reference data (OT-1 peptides);
- :mod:`.figures` -- one module per figure (the top of the numerics);
- :mod:`.executor` -- the one task runner (local, processes or dask; cached tasks);
- :mod:`.cache` -- the one on-disk cache ($ANTAGONISM_CACHE_DIR);
- :mod:`.progress`, :mod:`.statistics`, :mod:`.reports` -- progress on stderr, statistics
  over seeds, the generated documentation pages.
"""
