"""gamma(tau), the per-molecule gradient of a dilute probe, drawn to a file
(``antagonism gamma --plot PATH``)."""
from __future__ import annotations

from .common import mathtext, pyplot, style


def draw_gamma(result, path, label):
    """Draw ``result`` (:class:`~antagonism.theory.per_molecule.GammaResult`) into ``path``
    (PNG, PDF or SVG by its suffix) at one-column width (3.4 in); ``label`` titles it."""
    plt = pyplot()
    with style():
        fig, ax = plt.subplots(figsize=(3.4, 2.6), layout="constrained")
        ax.plot(result.tau, result.gamma)
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set(xlabel=r"probe binding time $\tau$ (s)",
               ylabel=r"$\gamma(\tau)$ (output s$^{-1}$ molecule$^{-1}$)",
               title=mathtext(label))
        fig.savefig(path, dpi=300)
        plt.close(fig)
