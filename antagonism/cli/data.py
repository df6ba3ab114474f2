"""Commands about shipped reference data."""
from __future__ import annotations

from antagonism._core.result import stamped, to_json

from .base import command
from .options import add_json_option


def _data_args(p):
    p.add_argument("name", choices=("ot1",), help="data set")
    add_json_option(p)


@command("data", "print a shipped reference data set", _data_args)
def cmd_data(args):
    from antagonism.numerics.data import load_ot1, ot1_sources

    table = load_ot1()
    rows = [{k: r[k].item() for k in table.dtype.names} for r in table]
    if args.json:
        print(to_json(stamped({"peptides": rows, "sources": ot1_sources()})))
        return
    print(ot1_sources())
    for r in rows:
        print(f"{r['peptide']:>4} EC50_rel {r['ec50_rel']:>10.4g}  tau {r['tau_s']:6.3f} s")
