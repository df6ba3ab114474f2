"""Measured antagonism: the data a fit reads, validated strictly.

A data set is a CSV file with one row per measured mixture and the columns

==================  =========  ==================================================
column              unit       meaning
==================  =========  ==================================================
``tau_agonist``     s          binding time of the agonist (> 0)
``L_agonist``       molecules  agonist quantity (> 0)
``tau_antagonist``  s          binding time of the antagonist (> 0)
``L_antagonist``    molecules  antagonist quantity (>= 0; 0 is the agonist alone)
``fold_change``     --         measured response of the mixture over the agonist
                               alone's (>= 0)
``sd``              --         standard error of ``fold_change`` (> 0)
``replicate``       --         optional: a label (text), carried through
==================  =========  ==================================================

in any order, with a header line; lines starting with ``#`` are comments and blank lines
are skipped.  Numbers are read by the package's strict reader
(:func:`antagonism._core.parsing.parse_float`: integers, decimals, ``1e-3``, fractions
``a/b``; ``nan``, ``inf`` and expressions are refused).  A bad value (missing, not a
number, negative, zero where it must be positive), a duplicate or unknown column, a
missing column or an empty file raises :class:`~antagonism._core.errors.InputError`
naming the row and the column; the command line exits 2 with that one line.  Limits: at
most :data:`MAX_ROWS` rows and :data:`MAX_BYTES` bytes, checked before the file is parsed
(bytes) and while it is read (rows).

>>> data = fit_data([10, 10], [1, 1], [1, 1], [0, 100], [1.0, 0.6], [0.05, 0.05])
>>> data.n, data.reference_agonist(), data.dose_factor()
(2, (10.0, 1.0), 100.0)
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np

from antagonism._core.errors import InputError, LimitError
from antagonism._core.parsing import parse_float
from antagonism._core.result import Result
from antagonism._core.text import printable

#: the numeric columns, in the order the arrays are kept; (name, lowest value, strict)
COLUMNS = (("tau_agonist", 0.0, True), ("L_agonist", 0.0, True),
           ("tau_antagonist", 0.0, True), ("L_antagonist", 0.0, False),
           ("fold_change", 0.0, False), ("sd", 0.0, True))
NAMES = tuple(name for name, _, _ in COLUMNS)
OPTIONAL = ("replicate",)
#: most data rows a file may hold
MAX_ROWS = 100_000
#: largest data file (bytes)
MAX_BYTES = 16 * 1024 * 1024
#: longest replicate label (characters)
MAX_LABEL = 64


class FitData(Result):
    """A validated data set (see the module docstring).

    Keys
    ----
    tau_agonist, L_agonist, tau_antagonist, L_antagonist, fold_change, sd : ndarray
    replicate : list of str or None
    source : str -- the file it was read from, or "arrays"
    n : int -- number of rows
    """

    def reference_agonist(self):
        """(tau, L) of the agonist measured in the most rows (the first such pair on a tie):
        the background at which tau* and the antagonism strength are reported."""
        pairs = list(zip(self.tau_agonist.tolist(), self.L_agonist.tolist()))
        count = Counter(pairs)
        best = max(count.values())
        return next(p for p in pairs if count[p] == best)

    def dose_factor(self):
        """The data's dose budget: the largest antagonist quantity measured against the
        reference agonist, over that agonist's quantity (None when no antagonist was added
        to it)."""
        tau, L = self.reference_agonist()
        rows = (self.tau_agonist == tau) & (self.L_agonist == L)
        top = float(np.max(self.L_antagonist[rows]))
        return top / L if top > 0 else None

    def to_text(self, units=None):
        tau, L = self.reference_agonist()
        return (f"{self.n} rows from {self.source}; reference agonist tau = {tau:g} s, "
                f"L = {L:g}; dose budget {self.dose_factor() or 0:g}x")


def _fail(row, line, column, message):
    where = f"row {row}" + (f" (line {line})" if line is not None else "")
    raise InputError(f"{where}, column {column}: {message}")


def _check_value(value, column, lowest, strict, row, line):
    if not np.isfinite(value):
        _fail(row, line, column, f"{value} is not a finite number")
    if value < lowest or (strict and value <= lowest):
        _fail(row, line, column, f"{value:g} must be {'> 0' if strict else '>= 0'}")
    return value


def _header(fields, source):
    names = [f.strip() for f in fields]
    seen = {}
    for k, name in enumerate(names, 1):
        if name in seen:
            raise InputError(f"{source}: header, column {k}: duplicate column {name!r} "
                             f"(also column {seen[name]})")
        seen[name] = k
        if name not in NAMES and name not in OPTIONAL:
            raise InputError(f"{source}: header, column {k}: unknown column "
                             f"{printable(name)!r}; the columns are {', '.join(NAMES)} "
                             f"(and optionally {', '.join(OPTIONAL)})")
    missing = [name for name in NAMES if name not in seen]
    if missing:
        raise InputError(f"{source}: header: missing column(s) {', '.join(missing)}")
    return names


def read_fit_data(path):
    """Read and validate a data file (see the module docstring); returns :class:`FitData`.

    Parameters
    ----------
    path : str or Path -- a CSV file of at most :data:`MAX_BYTES` bytes
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no data file {path}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LimitError(f"{path}: data files are limited to {MAX_BYTES // 2**20} MB, this one "
                         f"has {size / 2**20:.1f} MB")
    try:
        text = path.read_bytes()[:MAX_BYTES + 1].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_fit_data(text, source=str(path))


def parse_fit_data(text, source="data"):
    """Validate CSV ``text`` (see the module docstring); returns :class:`FitData`."""
    if "\x00" in text:
        raise InputError(f"{source}: binary data (a NUL byte), not a CSV file")
    lines = [(k, ln) for k, ln in enumerate(text.splitlines(), 1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise InputError(f"{source}: empty file: no header and no rows")
    reader = csv.reader(io.StringIO("\n".join(ln for _, ln in lines)), strict=True)
    try:
        header = _header(next(reader), source)
        columns = {name: [] for name in header}
        for row, fields in enumerate(reader, 1):
            if row > MAX_ROWS:
                raise LimitError(f"{source}: more than {MAX_ROWS} data rows")
            line = lines[row][0]
            if len(fields) != len(header):
                _fail(row, line, "-", f"{len(fields)} fields, the header has {len(header)}")
            for name, field in zip(header, fields):
                columns[name].append(field.strip())
    except csv.Error as exc:
        raise InputError(f"{source}: not a valid CSV file ({exc})") from None
    if not columns[header[0]]:
        raise InputError(f"{source}: no data rows below the header")
    values = {}
    for name, lowest, strict in COLUMNS:
        out = np.empty(len(columns[name]))
        for i, field in enumerate(columns[name]):
            row, line = i + 1, lines[i + 1][0]
            if not field:
                _fail(row, line, name, "missing value")
            try:
                v = parse_float(field, "value")
            except InputError:
                _fail(row, line, name, f"{printable(field[:40])!r} is not a finite number")
            out[i] = _check_value(v, name, lowest, strict, row, line)
        values[name] = out
    replicate = columns.get("replicate")
    if replicate is not None:
        for i, label in enumerate(replicate):
            if len(label) > MAX_LABEL:
                _fail(i + 1, lines[i + 1][0], "replicate",
                      f"label longer than {MAX_LABEL} characters")
    return FitData(**values, replicate=replicate, source=source, n=len(values["sd"]))


def fit_data(tau_agonist, L_agonist, tau_antagonist, L_antagonist, fold_change, sd,
             replicate=None):
    """A :class:`FitData` from arrays (one entry per row), validated as a file is.

    Rows are numbered from 1 in the messages."""
    values = {}
    arrays = dict(zip(NAMES, (tau_agonist, L_agonist, tau_antagonist, L_antagonist,
                              fold_change, sd)))
    n = None
    for name, lowest, strict in COLUMNS:
        try:
            arr = np.atleast_1d(np.asarray(arrays[name], dtype=float))
        except (TypeError, ValueError):
            raise InputError(f"column {name}: not an array of numbers") from None
        if arr.ndim != 1:
            raise InputError(f"column {name}: must be one-dimensional, got shape {arr.shape}")
        if n is None:
            n = arr.size
        if arr.size != n:
            raise InputError(f"column {name}: {arr.size} rows, column {NAMES[0]} has {n}")
        for i, v in enumerate(arr):
            _check_value(float(v), name, lowest, strict, i + 1, None)
        values[name] = arr.copy()
    if n == 0:
        raise InputError("no data rows")
    if n > MAX_ROWS:
        raise LimitError(f"more than {MAX_ROWS} data rows ({n})")
    if replicate is not None:
        replicate = [str(r) for r in replicate]
        if len(replicate) != n:
            raise InputError(f"column replicate: {len(replicate)} rows, the data have {n}")
    return FitData(**values, replicate=replicate, source="arrays", n=n)


def write_fit_data(data, path):
    """Write ``data`` (:class:`FitData`) as a CSV file that :func:`read_fit_data` reads
    back to the same numbers (17 significant digits)."""
    names = list(NAMES) + (["replicate"] if data.replicate is not None else [])
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for i in range(data.n):
            row = [repr(float(data[name][i])) for name in NAMES]
            writer.writerow(row + ([data.replicate[i]] if data.replicate is not None else []))
    return path
