"""What every figure shares: the matplotlib backend, saving PNG/PDF/JSON, versions."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

TAU_C = 3.0  # the figure scripts' threshold (SCIENCE.md section 1)


def versions():
    out = {}
    for pkg in ("antagonism", "numpy", "scipy", "sympy", "numba", "matplotlib", "scikit-learn"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, out, name, meta):
    """Write <name>.png, <name>.pdf and <name>.json into ``out``; returns the metadata."""
    from antagonism.theory.result import to_json

    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / f"{name}.png", dpi=110, bbox_inches="tight")
    fig.savefig(out / f"{name}.pdf", bbox_inches="tight")
    pyplot().close(fig)
    meta = {"figure": name, **meta, "versions": versions()}
    (out / f"{name}.json").write_text(to_json(meta, indent=1))
    return meta


def escape_colour(escape):
    """The escape classes' colours (for T_{N,m}: m < 2 blue, m = 2 orange, m > 2 red)."""
    return {"finite-time": "tab:blue", "pushed-to-zero": "tab:blue",
            "exponential": "tab:orange", "frozen": "tab:red"}[escape]


def trained_digit_models(quick, seed, progress, names=("natural", "pgd_trained", "hill",
                                                       "threshold")):
    """The digits and the cached (or freshly trained) MLPs of the robustness report."""
    from ..networks.datasets import load_digits
    from ..networks.robustness import trained_models

    data = load_digits(seed=seed)
    return data, trained_models(data, seed, quick, progress, names=names)
