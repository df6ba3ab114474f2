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
import warnings

from antagonism._core.errors import InputError
from antagonism._core.text import printable

from .base import (  # noqa: F401
    COMMANDS,
    CliError,
    _HelpFormatter,
    _Parser,
    _Version,
    command,
    emit,
)

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
              "gradient descent barely moves; L-inf: the largest change of any one input; "
              "threshold: the binding time at which one ligand type at a dose crosses the "
              "level, by default F(tau_c, L_ref) (--level).  "
              "More: docs/regimes.md#vocabulary")


def build_parser(argv=None):
    """The parser of the command line.  Given the ``argv`` it will parse, only the command
    that ``argv`` names gets its options: the others are listed with their help, and their
    options (some of which name figures or derived quantities, found by importing heavy
    modules) are not built, so that ``antagonism --help`` and a command answered from the
    cache start fast."""
    for topic in TOPICS:
        importlib.import_module(f".{topic}", __name__)
    wanted = None if argv is None else named_command(argv)
    parser = _Parser(prog="antagonism", description=DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (func, help_text, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=VOCABULARY,
                           formatter_class=_HelpFormatter)
        if argv is None or name == wanted:
            arguments(p)
        p.set_defaults(func=func)
    return parser


def named_command(argv):
    """The command an argument list names: its first word that is not an option (the
    top-level parser has no option that takes a value), or None."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


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
        args = build_parser(argv).parse_args(argv)
        from antagonism._core.budget import time_budget

        with time_budget(getattr(args, "time_budget", None), f"antagonism {args.command}"), \
                warnings.catch_warnings():
            # numpy's floating-point warnings: a non-finite result is refused by name, in
            # one line, and never printed as a number (docs/reliability.md)
            warnings.filterwarnings("ignore", category=RuntimeWarning,
                                    message="(overflow|invalid value|divide by zero|underflow) "
                                            "encountered")
            args.func(args)
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: {printable(exc, newlines=False)}", file=sys.stderr)
        return 2
    except OverflowError as exc:  # from numbers the user gave (1e308, 1e-300, x**1000)
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: the numbers given overflow the computation "
              f"(OverflowError: {printable(exc, newlines=False)}): once raised to powers or "
              "divided, values such as 1e308 or 1e-300 leave double precision; give values "
              "nearer 1", file=sys.stderr)
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
