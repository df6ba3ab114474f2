"""Text from users made safe to print on a terminal.

A model name, a file name or a parser's message can hold control characters: ANSI escape
sequences that recolour or clear the terminal, set its window title or rewrite what was
printed before.  :func:`printable` escapes them (as Python writes them, ``\\x1b``), so what is
printed is what the text holds and nothing more.

>>> printable("model\\x1b]0;owned\\x07 A")
'model\\\\x1b]0;owned\\\\x07 A'
>>> printable("two\\nlines", newlines=False)
'two\\\\nlines'
"""
from __future__ import annotations

import unicodedata

#: Unicode format characters that reorder or hide text (bidirectional overrides, isolates)
_REORDERING = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch):
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text, newlines=True):
    """``text`` with control characters escaped: C0 and C1 controls, DEL and the Unicode
    characters that reorder text; tabs are kept, and newlines unless ``newlines=False``."""
    text = str(text)
    keep = "\t\n" if newlines else "\t"
    if text.isprintable():  # no control or format character at all
        return text
    return "".join(
        _escape(ch) if (ch not in keep and (unicodedata.category(ch) == "Cc"
                                            or ch in _REORDERING)) else ch
        for ch in text)


__all__ = ["printable"]
