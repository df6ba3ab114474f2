"""The cache command: what the cache holds, and clearing it."""
from __future__ import annotations

from .base import command, emit
from .options import add_json_option


def _cache_args(p):
    p.add_argument("action", choices=("info", "clear"),
                   help="info: root, usability, files and bytes per kind; clear: remove "
                        "the kinds' folders")
    from antagonism.numerics.cache import KINDS

    what = {"kernels": "compiled numba kernels", "models": "trained network weights",
            "sweeps": "finished tasks of sweeps", "compiled": "reaction networks read from "
            "model files", "answers": "results of commands asked before"}
    p.add_argument("--kind", choices=(*KINDS, "all"), default="all",
                   help="which kind of cached object: "
                        + ", ".join(f"{k} ({what[k]})" if k in what else k for k in KINDS)
                        + ", or all")
    add_json_option(p)


@command("cache", "show ($ANTAGONISM_CACHE_DIR) or clear the package's cache", _cache_args)
def cmd_cache(args):
    from antagonism.numerics.cache import KINDS, cache_info, clear_cache

    kinds = KINDS if args.kind == "all" else (args.kind,)
    if args.action == "clear":
        removed = clear_cache(kinds)
        emit(args, {"removed": removed},
             "\n".join(f"removed {p}" for p in removed) or "nothing to remove")
        return
    info = cache_info()
    info["kinds"] = {k: v for k, v in info["kinds"].items() if k in kinds}
    lines = [f"cache root: {info['root']} ({'writable' if info['writable'] else 'not writable'}"
             f"{'' if info['exists'] else ', does not exist yet'})"]
    for kind, row in info["kinds"].items():
        lines.append(f"{kind:<8} {row['files']:>6} files {row['bytes'] / 1e6:>10.2f} MB"
                     f"  ({row['corrupt_files']} refused entries kept aside)  {row['path']}")
    emit(args, info, "\n".join(lines))
