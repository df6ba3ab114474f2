"""What every command module shares: the registry of sub-commands, the parser that
reports errors in one line (with a did-you-mean for a mistyped option), the user error
:class:`CliError` (exit status 2) and :func:`emit`, which prints a result as text or JSON.
"""
from __future__ import annotations

import argparse
import difflib
import re

from antagonism._core.errors import InputError
from antagonism._core.result import Result, format_fields, stamped, to_json
from antagonism._core.text import printable

COMMANDS = {}


class CliError(InputError):
    """A user error found by the command line itself: one line, exit status 2."""


class _HelpFormatter(argparse.HelpFormatter):
    """Show an option's default in its help, unless it has none (None, False) or says it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.option_strings and "%(default)" not in text and "default:" not in text
                and not any(action.default is v for v in (None, False, argparse.SUPPRESS))
                and action.default != []  # (0 is a default to show: 0 == False, not 'is')
                and not isinstance(action, (argparse._StoreTrueAction,
                                            argparse._StoreFalseAction))):
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block, and the nearest option if any
        raise CliError(message + did_you_mean(message, self))


class _Version(argparse.Action):
    """--version: the installed release, looked up only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        import sys
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("antagonism")
        except PackageNotFoundError:  # running from a source tree that is not installed
            release = "unknown"
        parser._print_message(f"antagonism {release}\n", sys.stdout)
        parser.exit()


def _options(parser):
    """Every option string of ``parser`` and of its sub-commands."""
    for action in parser._actions:
        yield from action.option_strings
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _options(sub)


def did_you_mean(message, parser):
    """``"; did you mean --N?"`` for an unrecognised option close to a known one
    (difflib; case counts less than the letters), else ``""``."""
    found = re.search(r"unrecognized arguments: (\S+)", message)
    if not found or not found.group(1).startswith("-"):
        return ""
    typed = found.group(1).split("=")[0]
    known = sorted(set(_options(parser)))
    exact = [o for o in known if o.lower() == typed.lower()]
    close = exact or difflib.get_close_matches(typed, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def command(name, help_text, arguments):
    """Register a sub-command: ``arguments(parser)`` declares its options."""
    def register(func):
        COMMANDS[name] = (func, help_text, arguments)
        return func
    return register


def parameter_units(model):
    """{parameter name: unit} of a registered model (empty for others)."""
    from antagonism.derivations import model_spec

    try:
        return {k: p.unit for k, p in model_spec(model.name).parameters.items()}
    except Exception:  # a model outside the registry: no units known
        return {}


def emit(args, payload, text=None, units=None, model=None):
    """Print ``payload`` as strict JSON with --json (a non-finite number is null, with
    its reason in ``null_reasons``; the package's ``version`` and, if given, the ``model``'s
    name added: :func:`~antagonism._core.result.stamped`), else ``text``; by default a
    result renders itself
    (``Result.to_text``) and a plain dict is printed as aligned fields
    (:func:`~antagonism._core.result.format_fields`, with ``units`` added to the known ones).
    Control characters in the text (a model's name from its file...) are escaped
    (:func:`~antagonism._core.text.printable`); JSON escapes them itself."""
    if getattr(args, "json", False):
        print(to_json(stamped(payload, model)))
    elif text is not None:
        print(printable(text))
    elif isinstance(payload, Result):
        print(printable(payload.to_text(units=units)))
    else:
        print(printable(format_fields(payload, units)))


