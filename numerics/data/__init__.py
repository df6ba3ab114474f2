"""Reference data shipped with the package (nothing is downloaded).

- :mod:`.ot1` -- the OT-1 T-cell receptor / OVA peptide table (sources in the CSV header), its
  sources, and model predictions of antagonism against it.
"""
from .ot1 import check_kondo_binding_times, compare_ot1, load_ot1, ot1_sources

__all__ = ["check_kondo_binding_times", "compare_ot1", "load_ot1", "ot1_sources"]
