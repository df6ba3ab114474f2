"""Numerics: compiled kernels, ligand-space attacks, experiments and the command line."""
