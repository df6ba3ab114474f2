"""The one range grammar (antagonism._core.ranges) and every option that uses it.

Expected values are built independently: ``range`` for a:b, exact fractions for lin:a:b:n,
powers of the exact ratio for log:a:b:n, and the formulas the old parsers used for the
old forms."""
import json
import time
from fractions import Fraction

import numpy as np
import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from antagonism._core import ranges
from antagonism._core.errors import InputError, LimitError
from antagonism._core.ranges import (
    GRAMMAR,
    MAX_RANGE_VALUES,
    RangeWarning,
    axis_values,
    grid_points,
    parse_axis,
)


@given(st.integers(-10**6, 10**6), st.integers(0, 300))
def test_a_colon_b_is_every_integer_from_a_to_b_both_kept(a, length):
    b = a + length
    assert axis_values(f"{a}:{b}", "--x", integer=True) == list(range(a, b + 1))
    assert axis_values(f"{a}:{b}", "--x") == [float(k) for k in range(a, b + 1)]


_ENDS = st.fractions(-100, 100, max_denominator=50).map(str) | st.sampled_from(
    ["-1e308", "1e308", "1.5e-300"])


@settings(max_examples=60)
@given(_ENDS, _ENDS, st.integers(2, 60))
def test_lin_is_n_evenly_spaced_values_with_both_ends(a, b, n):
    got = parse_axis(f"lin:{a}:{b}:{n}", "--x").items[0].values(False)
    a, b = Fraction(a), Fraction(b)
    exact = [a + (b - a) * Fraction(k, n - 1) for k in range(n)]
    assert len(got) == n and got[0] == float(a) and got[-1] == float(b)
    assert got == [float(v) for v in exact]  # each the exact value, rounded once


@settings(max_examples=60)
@given(st.integers(-5, 5), st.integers(-5, 5), st.integers(2, 40))
def test_log_is_n_log_spaced_values_with_both_ends(p, q, n):
    a, b = 10.0**p, 10.0**q
    got = parse_axis(f"log:{a!r}:{b!r}:{n}", "--x").items[0].values(False)
    ratio = (b / a) ** (1 / (n - 1))
    expected = [a * ratio**k for k in range(n)]
    assert len(got) == n and got[0] == a and got[-1] == b
    assert got == pytest.approx(expected, rel=1e-12)


@settings(max_examples=300)
@given(st.text(alphabet="0123456789:.,-+eElinogx/ ", max_size=30))
def test_any_text_gives_values_or_an_input_error(text):
    try:
        values = axis_values(text, "--x")
    except InputError:
        return
    assert values and all(np.isfinite(values))


def test_sizes_are_counted_before_any_value_is_built(monkeypatch):
    def never(self, integer):  # the canary: building a value of a refused axis
        raise AssertionError("built")

    monkeypatch.setattr(ranges._Item, "values", never)
    for text in ("0:150000000", "0:4000000000", "0:10**17".replace("**17", "00000000000000000"),
                 "lin:0:1:100000000000", "0:5000,0:5000"):
        start = time.perf_counter()
        with pytest.raises(LimitError, match=f"at most {MAX_RANGE_VALUES}"):
            parse_axis(text, "--x")
        assert time.perf_counter() - start < 0.1
    axes = [parse_axis("1:1000", n) for n in ("--N", "--m", "--tau-c")]
    with pytest.raises(LimitError, match="1000000000 points"):
        grid_points(axes)
    assert grid_points(axes[:1]) == 1000


def test_each_old_form_gives_the_old_values_with_a_note():
    notes = []
    # steady --tau a:b:n: n log-spaced values (np.geomspace, as before)
    got = axis_values("0.1:10:20", "--tau", legacy="log", note=notes.append)
    assert got == np.geomspace(0.1, 10, 20).tolist()
    assert "log:0.1:10:20" in notes[-1]
    # sweep a:b:step: a + k step up to b, and a:b with a non-integer start (step 1)
    assert axis_values("0.5:1:0.25,3", "--N", legacy="step", note=notes.append) == [
        0.5, 0.75, 1.0, 3.0]
    assert "lin:0.5:1:3" in notes[-1]
    assert axis_values("0.5:2", "--N", legacy="step", note=notes.append) == [0.5, 1.5]
    assert "lin:0.5:1.5:2" in notes[-1]
    # --seeds a:b now keeps b; the note gives the old range's new spelling
    assert axis_values("0:10", "--seeds", integer=True, legacy="exclusive",
                       note=notes.append) == list(range(11))
    assert "now includes b" in notes[-1] and "0:9" in notes[-1]
    # the new forms raise no note; without a callback, a note is a RangeWarning
    count = len(notes)
    axis_values("log:0.1:10:20,1:3", "--tau", legacy="log", note=notes.append)
    assert len(notes) == count
    with pytest.warns(RangeWarning, match="log:1:10:3"):
        axis_values("1:10:3", "--tau", legacy="log")


@pytest.mark.parametrize("text,fragment", [
    ("1:2:3", "a:b, lin:a:b:n or log:a:b:n"), ("3:1", "a <= b"), ("0.5:2", "integers"),
    ("lin:0:1", "two ends and a count"), ("lin:0:1:1", "n >= 2"), ("log:0:1:3", "a, b > 0"),
    ("log:1:2:2.5", "integer"), ("", "empty"), ("nan", "finite"), ("1e999:2", "exponent"),
])
def test_text_outside_the_grammar_is_refused_with_its_reason(text, fragment):
    with pytest.raises(InputError, match=fragment.replace("+", r"\+")):
        axis_values(text, "--x")


def test_integer_options_take_integers_only():
    for text in ("1.5", "lin:0:4:3", "a", "1e3"):
        with pytest.raises(InputError, match="takes integers"):
            axis_values(text, "--seeds", integer=True)


def test_every_range_option_states_the_one_grammar_in_its_help():
    from antagonism.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    options = {"sweep": ("--N", "--m", "--tau-c"), "steady": ("--tau", "--L"),
               "gamma": ("--tau",), "robustness": ("--eps",)}
    for command, flags in options.items():
        helps = {f: a.help for a in sub[command]._actions for f in a.option_strings}
        for flag in flags:
            assert GRAMMAR in helps[flag], (command, flag)
    helps = {f: a.help for a in sub["robustness"]._actions for f in a.option_strings}
    assert "0:9 is ten seeds" in helps["--seeds"]


def test_seeds_on_the_command_line(capsys):
    from antagonism.cli import build_parser
    from antagonism.cli.networks import _seeds

    args = build_parser().parse_args(["robustness", "--seeds", "0:9"])
    assert _seeds(args) == list(range(10))
    note = capsys.readouterr().err
    assert note.startswith("antagonism: note: --seeds 0:9") and "0:8" in note
    args = build_parser().parse_args(["robustness", "--seeds", "3,0,1,3"])
    assert _seeds(args) == [3, 0, 1] and capsys.readouterr().err == ""
    start = time.perf_counter()
    p = run_cli("robustness", "--seeds", "0:150000000")
    assert p.returncode == 2 and "at most 10000" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and time.perf_counter() - start < 5


def test_steady_reads_the_old_and_the_new_spelling_alike():
    new = run_cli("steady", "--model", "adaptive", "--tau", "log:1:10:3", "--L", "100",
                  "--json")
    old = run_cli("steady", "--model", "adaptive", "--tau", "1:10:3", "--L", "100", "--json")
    assert new.returncode == old.returncode == 0, old.stderr
    assert new.stdout == old.stdout and new.stderr == ""
    assert [json.loads(line)["tau"] for line in new.stdout.splitlines()] == pytest.approx(
        [1, 10**0.5, 10], rel=1e-14)
    assert old.stderr.startswith("antagonism: note: --tau 1:10:3") and "log:1:10:3" in old.stderr
    p = run_cli("steady", "--tau", "log:1:10:200", "--L", "lin:0:100:200")
    assert p.returncode == 2 and "40000 points; at most 10000" in p.stderr, p.stderr


def test_sweep_counts_its_grid_before_building_it():
    start = time.perf_counter()
    p = run_cli("sweep", "--N", "1:1000", "--m", "0:999", "--tau-c", "1:1000")
    assert p.returncode == 2 and "1000000000 points" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and time.perf_counter() - start < 5
