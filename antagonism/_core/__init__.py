"""The light core below every layer: errors, the result base, strict parsers, time budgets.

Nothing here imports sympy or numba, so every layer (``antagonism.derivations``,
``antagonism.io``, ``antagonism.theory``, ``antagonism.numerics``, ``antagonism.cli``) can
use it without loading the symbolic machinery.

- :mod:`.errors` -- the package's one exception hierarchy (public as :mod:`antagonism.errors`);
- :mod:`.result` -- :class:`Result` (scipy's ``OptimizeResult`` style) and strict JSON;
- :mod:`.parsing` -- the strict reader of numbers that users type;
- :mod:`.ranges` -- the one grammar of options that take several values, and its limits;
- :mod:`.budget` -- a wall-clock time budget for a block of work;
- :mod:`.capped` -- a function in a child process with a memory cap and a kill timer;
- :mod:`.text` -- :func:`~.text.printable`, user text with control characters escaped.
"""
