"""Compiled kernels for T_{N,m}, generated from the derived expressions.

The derived gradient and Hessian (:mod:`antagonism.derivations`) are rewritten by sympy in
a scaled log-domain form that cannot overflow (:mod:`.symbolic`), printed as the Python
source of a numba module (:mod:`.printer`), which imports its branch-free exp and log from
:mod:`.vecmath`, and kept in the verified on-disk kernel cache, named by the hash of its
source and compiled by numba with ``cache=True`` so later processes reuse the machine code
(:mod:`.store`).

- :func:`module_path` -- the generated module of (N, m) (None: the generic one), and
  whether it came from the cache; :func:`import_module` -- import it, verified;
- :func:`kernel_source`, :func:`kernel_expressions` -- the source and the expressions it
  prints; :func:`module_problem`, :func:`numba_cache_problems` -- the cache's checks.

Nothing here imports sympy until a module has to be generated.
"""
from .printer import CODEGEN_VERSION, kernel_source
from .store import (
    import_module,
    module_path,
    module_problem,
    numba_cache_problems,
    write_module,
)
from .symbolic import kernel_expressions, scaled_symbols

__all__ = ["CODEGEN_VERSION", "import_module", "kernel_expressions", "kernel_source",
           "module_path", "module_problem", "numba_cache_problems", "scaled_symbols",
           "write_module"]
