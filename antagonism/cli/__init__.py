"""The ``antagonism`` command line: parse, call the Python API, print.

Every sub-command prints human-readable text, or one JSON object with ``--json``.  Bad input
exits with status 2 and a one-line message naming the bad value, never a traceback.
Commands live in one module per topic (:mod:`.models`, :mod:`.cells`, :mod:`.networks`,
:mod:`.data`, :mod:`.figures`, :mod:`.cache`, :mod:`.reproduce`, :mod:`.fit`) and register
themselves with :func:`~.base.command`; :mod:`.base` holds what they share, :mod:`.options`
the options.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from antagonism._core.errors import InputError
from antagonism._core.text import printable

from .base import COMMANDS, CliError, _HelpFormatter, _Parser, command, emit  # noqa: F401

TOPICS = ("models", "cells", "networks", "data", "figures", "cache", "reproduce", "fit")

DESCRIPTION = """\
Ligand antagonism as adversarial examples: derive, classify and attack models of T-cell
ligand discrimination (Rademaker, Bengio & Francois, Phys. Rev. X 9, 031012, 2019).

examples:
  antagonism regimes                          the regime table of T_{N,m}, N = 1..6
  antagonism classify --model shp1 --m 1      verdict, antagonism strength, threshold
  antagonism classify --model-file mckeithan_kpr --json
                                              a shipped (or your own) reaction network

Every command prints text, or one JSON object with --json; bad input exits with status 2.
Words such as T_{N,m}, tau*, dose budget and L-inf: docs/regimes.md#vocabulary.
"""


#: the last line of every command's help
VOCABULARY = ("T_{N,m}: adaptive proofreading with N steps and feedback at step m; tau*: "
              "the strongest antagonist's binding time; dose budget: the most antagonists "
              "tried (--dose-factor times the agonists' dose); frozen: self ligands that "
              "gradient descent barely moves; L-inf: the largest change of any one input.  "
              "More: docs/regimes.md#vocabulary")


def build_parser():
    for topic in TOPICS:
        importlib.import_module(f".{topic}", __name__)
    from importlib.metadata import PackageNotFoundError, version

    parser = _Parser(prog="antagonism", description=DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    try:
        release = version("antagonism")
    except PackageNotFoundError:  # running from a source tree that is not installed
        release = "unknown"
    parser.add_argument("--version", action="version", version=f"antagonism {release}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (func, help_text, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=VOCABULARY,
                           formatter_class=_HelpFormatter)
        arguments(p)
        p.set_defaults(func=func)
    return parser


def main(argv=None):
    """Run the command line.  Exit status: 0 success; 2 bad input (:class:`InputError`, one
    line naming the value); 1 any other failure (one line and a hint); 130 interrupted.
    ``--debug`` (anywhere on the line) shows the traceback instead."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    if debug:
        argv = [a for a in argv if a != "--debug"]
    from .networks import regime_argv  # after build_parser's imports: no loop at import time

    argv = regime_argv(argv)  # regime --calibrate ... -> regime calibrate ...
    try:
        args = build_parser().parse_args(argv)
        from antagonism._core.budget import time_budget

        with time_budget(getattr(args, "time_budget", None), f"antagonism {args.command}"):
            args.func(args)
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: {printable(exc, newlines=False)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (head, less) closed the pipe: nothing to report
        sys.stderr.close()
        return 0
    except Exception as exc:  # not the user's fault: one line and a hint, or the traceback
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: {type(exc).__name__}: {printable(exc, newlines=False)}\n"
              "antagonism: this is a failure of the computation, not of your input; "
              "run again with --debug for the traceback", file=sys.stderr)
        return 1
    return 0
