"""The numbers of the claims table (docs/claims.md) against the commands that print them.

Each checked row names its command; the check runs it, formats what it prints the way the
row writes it, and requires every such text in the row's number and status cells.  Then the
row may hold no other number: once the checked texts are taken out, every number left must
be one of the row's stated inputs (doses, budgets, model indices...).  A number that drifts
from its command, or a new number without a check, fails.  Rows 1-4, 6, 7 and 10 run by
default; rows 5, 8, 9 and 11, whose commands take minutes, and the commands themselves of
rows 7 (``--level 0.2``) and 10 (``literature``) run with ``-m slow``.  Rows 14 and 15
(MNIST networks, minutes per seed) are checked against their commands' stored outputs under
docs/, and ``-m slow`` re-runs seed 0 of each; rows 12 and 13 by the regime-measure tests.
"""
import functools
import json
import re
from pathlib import Path

import pytest
from helpers import run_cli

CLAIMS = Path(__file__).resolve().parents[1] / "docs" / "claims.md"
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")


def sig(x, digits=3):
    """``x`` to ``digits`` significant digits, trailing zeros kept (3.60, 0.0327, 719)."""
    text = f"{x:#.{digits}g}"
    if "e" in text:
        raise ValueError(f"{x}: write it as a power of ten")
    return text.rstrip(".")


def pow10(x, digits=3):
    """10⁴, 3×10⁴, 10⁻⁶: ``x`` as the table writes powers of ten."""
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = "10" + str(int(exponent)).translate(SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}×{power}"


def claim_rows(text):
    """{number: {'command', 'number', 'status'}} of the claims table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0].isdigit():
            rows[int(cells[0])] = dict(zip(("claim", "command", "number", "status"), cells[1:]))
    return rows


def problems(row, fragments, inputs):
    """What is wrong with a row: checked texts it lacks, and numbers outside them that are
    not among its ``inputs``."""
    text = f"{row['number']} || {row['status']}"
    missing = [f for f in fragments if f not in text]
    rest = text
    for f in sorted(fragments, key=len, reverse=True):
        rest = rest.replace(f, " ")
    loose = [n for n in NUMBER.findall(rest) if n not in inputs]
    return missing, loose


def assert_row(n, fragments, inputs, text=None):
    row = claim_rows(CLAIMS.read_text() if text is None else text)[n]
    missing, loose = problems(row, fragments, set(inputs))
    assert not missing, f"claim {n}: the command prints {missing}, not what the row says"
    assert not loose, f"claim {n}: numbers without a check {loose}"


@functools.cache
def command_json(*args):
    p = run_cli(*args, "--json")
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


def curve(out):
    return {p["budget"]: p for p in out["strength_curve"]}


# ------------------------------------------------------------------ the rows and their checks


def row_1_fragments(out):
    thr = out["threshold"]
    assert all(abs(t - 3.0) < 1e-9 for t in thr["tau_cross"])
    ad = thr["absolute_discrimination"]
    lo, hi = thr["absolute_discrimination_levels"]
    assert ad["holds"] and thr["level_scan"]["band_open"] == {"low": True, "high": True}
    return [f"= {sig(thr['tau_cross'][0], 1)} s at every dose from "
            f"{sig(thr['dose_grid'][0], 1)} to {pow10(thr['dose_grid'][-1])}",
            f"over {ad['decades']:.0f} decades", f"T = {sig(thr['level'], 1)}",
            f"{pow10(lo)}–{pow10(hi)}, open at both ends"]


def row_2_fragments(out):
    s, by, pot = out["strength"], curve(out), out["potency"]
    return [f"strength {sig(s['strength'])} at τ₂ = {sig(s['tau'])} s, L₂ = {sig(s['dose'])}",
            ", ".join(f"{sig(by[b]['strength'])} ({b.replace('x', '×')})"
                      for b in ("1x", "10x", "100x", "1000x")),
            f"{sig(pot['ic50_dose_at_strongest'])} at the strongest τ₂",
            f"{sig(pot['min_ic50_dose'])} at its best τ₂ = {sig(pot['tau_at_min_ic50'])} s"]


def row_3_fragments(out):
    s = out["strength"]
    assert s["at_budget_edge"] == ["weakest ligands", "largest dose"]
    assert out["tau_star"] is None and out["regime"] == "broad"
    return [f"strength {sig(s['strength'])} at the budget's edge", f"L₂ = {sig(s['dose'])}"]


def row_4_fragments(out):
    return [f"{sig(out['tau_star'], 4)} s = "]


def row_6_fragments(out):
    by, thr = curve(out), out["threshold"]
    assert out["verdict"] == "no antagonism" and thr["absolute_discrimination_levels"] is None
    grid, taus = thr["dose_grid"], thr["tau_cross"]
    return [f"strength {sig(out['strength']['strength'])} at 100×",
            f"({sig(by['10x']['strength'], 4)} at 10×",
            f"{sig(by['receptor number']['strength'])} at the receptor number "
            f"{pow10(by['receptor number']['max_dose'])}",
            f"τ_cross falls from {sig(taus[0])} s to {sig(taus[-1])} s between "
            f"L = {sig(grid[0], 2)} and {pow10(grid[-1])}",
            f"regime {out['regime']}"]


def row_7_fragments(out, at_02):
    by, pot, thr = curve(out), out["potency"], out["threshold"]
    lo, hi = thr["absolute_discrimination_levels"]
    assert not thr["absolute_discrimination"]["holds"] and thr["tau"] == pytest.approx(3.0)
    grid, taus = thr["dose_grid"], thr["tau_cross"]
    ad = at_02["absolute_discrimination"]
    window = [t for q, t in zip(at_02["dose_grid"], at_02["tau_cross"])
              if ad["dose_range"][0] <= q <= ad["dose_range"][1]]
    argmins = [p["tau"] for p in out["strength_curve"]]
    # the status: at 0.2 every strongest antagonist lies below the threshold
    assert ad["holds"] and max([out["tau_star"], *argmins]) < min(window)
    assert out["tau_star"] > thr["tau"]  # ... and at the default level tau* lies above it
    return [f"strength {sig(by['10x']['strength'])} (10×)",
            f"{sig(by['100x']['strength'])} (100×; the argmin within the budget τ₂ = "
            f"{sig(by['100x']['tau'])} s, L₂ = {pow10(by['100x']['dose'])})",
            f"{sig(by['receptor number']['strength'])} (receptor number)",
            f"{sig(pot['ic50_dose_at_strongest'])} at the strongest τ₂",
            f"{sig(pot['min_ic50_dose'])} at its best τ₂ = {sig(pot['tau_at_min_ic50'])} s",
            f"τ* of a dilute probe {sig(out['tau_star'])} s",
            f"F(τ_c = {sig(thr['tau_c'], 1)} s, L = {sig(thr['reference_dose'])}) = "
            f"{sig(thr['level'])}",
            f"τ_cross falls from {sig(taus[0])} s at L = {sig(grid[0], 2)} to {sig(taus[-1])} s "
            f"at {pow10(grid[-1])}", f"levels {sig(lo)}–{sig(hi)}",
            f"at {sig(at_02['level'], 1)}, τ_cross = {sig(min(window))}–{sig(max(window))} s "
            f"from L = {sig(ad['dose_range'][0])} to {pow10(ad['dose_range'][1])} "
            f"({sig(ad['decades'], 2)} decades)",
            f"τ* = {sig(out['tau_star'])} s", f"{sig(min(argmins))}–{sig(max(argmins))} s",
            f"below τ_cross = {sig(min(window))}–{sig(max(window))} s",
            f"τ_thr = τ_c = {sig(thr['tau'], 1)} s"]


def row_10_fragments(published, own):
    thr = published["threshold"]
    ad = thr["absolute_discrimination"]
    lo, hi = thr["absolute_discrimination_levels"]
    assert thr["level_scan"]["band_open"] == {"low": False, "high": True} and ad["holds"]
    assert published["verdict"] == "broad antagonism" and ad["reference_dose_inside"]
    own_ad = own["threshold"]["absolute_discrimination"]
    return [f"τ_cross = {sig(thr['tau_min'], 4)}–{sig(thr['tau_max'], 4)} s, within 10 % from "
            f"L = {sig(ad['dose_range'][0])} to the receptor number "
            f"{pow10(ad['dose_range'][1])} ({sig(ad['decades'])} decades)",
            f"from {sig(lo)} up to the highest scanned ({sig(hi)})",
            f"strength {sig(published['antagonism_strength'])} at 100× (broad antagonism)",
            f"adapt only from L = {pow10(own_ad['dose_range'][0])} up",
            f"(strength {sig(own['antagonism_strength'])})"]


INPUTS = {  # the numbers a row states as inputs or as the claim's own mathematics
    1: {"1", "6"},
    2: {"1", "100"},
    3: {"1", "0", "101"},
    4: {"1", "3", "5", "2"},
    6: {"10", "100", "3×10⁴"},
    7: {"3", "10", "100", "10⁴", "3×10⁴", "0.2"},
    10: {"10", "10⁴", "100"},
}


@functools.cache
def literature_rows(*stems):
    from antagonism.numerics.experiments.literature import literature_row

    return [literature_row(stem) for stem in stems]


ADAPTIVE_53 = ("classify", "--model", "adaptive", "--N", "5", "--m", "3")
SHP1_M1 = ("classify", "--model", "shp1", "--m", "1")


def shp1_at_02():
    from antagonism.derivations import SHP1
    from antagonism.theory.threshold import threshold_binding_time

    return threshold_binding_time(SHP1(m=1), level=0.2, levels=False).to_dict()


ROWS = {
    1: lambda: row_1_fragments(command_json(*ADAPTIVE_53)),
    2: lambda: row_2_fragments(command_json(*ADAPTIVE_53)),
    3: lambda: row_3_fragments(command_json("classify", "--model", "adaptive", "--N", "1",
                                            "--m", "0")),
    4: lambda: row_4_fragments(command_json(*ADAPTIVE_53)),
    6: lambda: row_6_fragments(command_json(
        "classify", "--model-file", "antagonism/io/models/mckeithan_kpr.ant")),
    7: lambda: row_7_fragments(command_json(*SHP1_M1), shp1_at_02()),
    # the literature command's rows, one model each (the whole table: -m slow)
    10: lambda: row_10_fragments(*(r.to_dict() for r in literature_rows(
        "adaptive_sorting_published", "adaptive_sorting"))),
}


@pytest.mark.parametrize("n", sorted(ROWS))
def test_claims_table_numbers_are_what_the_commands_print(n):
    assert_row(n, ROWS[n](), INPUTS[n])


# ------------------------------------------------------------------ slow: the long commands


def row_5_fragments(table, calibration):
    rows = table["rows"] if isinstance(table, dict) else table
    assert all((r["regime"] == "specialized") is (r["parameters"]["m"] >= 2) for r in rows)
    cells = calibration["rows"]
    below = [r for r in cells if r.get("below_detection_limit")]
    above = [r for r in cells if not r.get("below_detection_limit")]
    agree = sum(bool(r["agree"]) for r in above)
    return [f"N ≤ {max(r['parameters']['N'] for r in rows):g}",
            f"agrees on {agree} of {len(above)} calibration cells above its detection limit "
            f"({len(below)} cell{'' if len(below) == 1 else 's'} with 1 < m ≤ "
            f"{max(r['m'] for r in below):g} flagged"]


def row_9_fragments(literature):
    rows = {r["file"]: r for r in literature}
    c1, c5 = rows["kpr_negative_feedback_c1.ant"], rows["kpr_negative_feedback.ant"]
    by = curve(c1)
    return [f"{c1['verdict']}, strength {sig(c1['antagonism_strength'], 2)} (100×), "
            f"{sig(by['receptor number']['strength'], 2)} (receptor number)",
            f"(this package's own construction) {sig(c5['antagonism_strength'])}"]


def row_11_fragments(budgets):
    summary = budgets["summary"]

    def budget(pair):
        lo, hi = pair
        return f"{lo:.2f}" if lo == hi else f"{lo:.2f}–{hi:.2f}"

    assert summary["1"]["already_off"]
    ms = ("2", "3", "4")
    fgsm = ", ".join(budget(summary[m]["fgsm_eps"]) for m in ms)
    pgd = ", ".join(budget(summary[m]["pgd_eps"]) for m in ms)
    descent = [budget(summary[m]["descent_eps"]) for m in ms]
    failed = summary["4"]["descent_failed"]
    return [f"seeds {budgets['seeds'][0]}–{budgets['seeds'][-1]}",
            f"{budgets['n_ligands']} ligands", f"FGSM {fgsm} s", f"PGD-40 the same {pgd} s",
            f"by {descent[0]}, {descent[1]} and {descent[2]} s before it crosses",
            f"(m = 4: {len(budgets['seeds']) - failed} of {len(budgets['seeds'])} seeds)"]


SLOW_INPUTS = {5: {"1", "2", "3"}, 8: {"1", "0"}, 9: {"1", "5", "100"},
               10: INPUTS[10], 11: {"5", "3.5", "1", "2", "3", "4", "40", "0"}}


@pytest.mark.slow
@pytest.mark.parametrize("n", sorted(SLOW_INPUTS))
def test_claims_table_numbers_of_the_long_commands(n):
    if n == 5:
        fragments = row_5_fragments(command_json("regimes"),
                                    command_json("regime", "calibrate"))
    elif n == 8:
        from antagonism.derivations import SHP1
        from antagonism.theory import classify

        s_path = classify(SHP1(m=1, receptors_in_excess=True), dose_response=False)
        shared = classify(SHP1(m=1), dose_response=False)
        assert s_path.small_tau_exponent == 1  # p = m
        fragments = [f"(p = {shared.small_tau_exponent:g})"]
    elif n == 9:
        fragments = row_9_fragments(command_json("literature"))
    elif n == 10:
        rows = {r["file"]: r for r in command_json("literature")}
        fragments = row_10_fragments(rows["adaptive_sorting_published.ant"],
                                     rows["adaptive_sorting.ant"])
    else:
        fragments = row_11_fragments(command_json("regime", "cells", "--budgets"))
    assert_row(n, fragments, SLOW_INPUTS[n])


@pytest.mark.slow
def test_claim_7_at_level_0_2_through_the_command():
    out = command_json(*SHP1_M1, "--level", "0.2")["threshold"]
    direct = shp1_at_02()
    assert out["level"] == 0.2 and out["tau_cross"] == pytest.approx(direct["tau_cross"])
    assert out["absolute_discrimination"] == direct["absolute_discrimination"]


# ------------------------------------------------------------------ the README's numbers

README = CLAIMS.parents[1] / "README.md"


def readme_paragraph(start):
    """The README paragraph that begins with ``start``, its whitespace collapsed."""
    text = README.read_text()
    i = text.index(start)
    end = text.find("\n\n", i)
    return " ".join(text[i:end].split())


def assert_paragraph(start, fragments, inputs):
    text = readme_paragraph(start)
    missing, loose = problems({"number": text, "status": ""}, fragments, set(inputs))
    assert not missing, f"README: the commands print {missing}"
    assert not loose, f"README: numbers without a check {loose}"


def test_readme_shp1_numbers_are_what_the_commands_print():
    out = command_json(*SHP1_M1)
    fc = command_json("fold-change", "--model", "shp1", "--tau1", "10", "--L1", "100", "--L2",
                      "1000", "--m", "1")
    at_02 = shp1_at_02()
    by, thr = curve(out), out["threshold"]
    lo, hi = thr["absolute_discrimination_levels"]
    ad = at_02["absolute_discrimination"]
    window = [t for q, t in zip(at_02["dose_grid"], at_02["tau_cross"])
              if ad["dose_range"][0] <= q <= ad["dose_range"][1]]
    three = (fc["tau2_argmin"], out["tau_star"], by["100x"]["tau"])
    assert max(three) < min(window) and ad["holds"]  # "all three lie below its threshold"
    assert fc["tau2_argmin"] < thr["tau"]  # below the threshold at the agonists' dose
    assert_paragraph("With classical parameters and m = 1", [
        f"τ₂ = {sig(fc['tau2_argmin'])} s at L₂ = 1000",
        f"τ_c = {sig(thr['tau'], 1)} s", f"τ* of a dilute probe, {sig(out['tau_star'])} s",
        f"the argmin within the 100× budget, {sig(by['100x']['tau'])} s at "
        f"L₂ = {pow10(by['100x']['dose'])}", f"levels {sig(lo)}–{sig(hi)}",
        f"τ_cross = {sig(min(window))}–{sig(max(window))} s"],
        {"1", "10", "100", "1000", "4", "0.2", "7", "2"})


def readme_calibration():
    text = readme_paragraph("The regime commands measure cells and networks")
    m = re.search(r"on (\d+) of its (\d+) calibration cells.*?(\d+) \(1 < m ≤ "
                  r"([\d.]+)\) lies? below its detection limit", text)
    assert m, "the README's calibration sentence"
    return [int(m.group(k)) for k in (1, 2, 3)] + [float(m.group(4))]


def test_readme_and_claim_5_state_the_same_calibration():
    agree, total, below, m_max = readme_calibration()
    row = claim_rows(CLAIMS.read_text())[5]["number"]
    m = re.search(r"agrees on (\d+) of (\d+) calibration cells above its detection limit "
                  r"\((\d+) cells? with 1 < m ≤ ([\d.]+)", row)
    assert [int(m.group(1)), int(m.group(2)) + int(m.group(3)), int(m.group(3)),
            float(m.group(4))] == [agree, total, below, m_max]
    assert agree + below <= total


@pytest.mark.slow
def test_readme_calibration_is_what_the_command_prints():
    cells = command_json("regime", "calibrate")["rows"]
    below = [r for r in cells if r.get("below_detection_limit")]
    agree = sum(bool(r["agree"]) for r in cells if not r.get("below_detection_limit"))
    assert readme_calibration() == [agree, len(cells), len(below),
                                    max(r["m"] for r in below)]


def test_a_number_that_drifts_from_its_command_fails():
    """The check itself: claim 10 as it once read (τ_cross 2.96-3.43 s, while the command
    prints 2.961-3.393) fails, and so does a number added without a check."""
    text = CLAIMS.read_text()
    fragments = ROWS[10]()
    assert_row(10, fragments, INPUTS[10], text)
    drifted = text.replace("2.961–3.393 s", "2.96–3.43 s")
    assert drifted != text
    with pytest.raises(AssertionError, match="the command prints"):
        assert_row(10, fragments, INPUTS[10], drifted)
    added = text.replace("(with the published parameters,",
                         "(with the published parameters and 0.123 of something else,")
    with pytest.raises(AssertionError, match="numbers without a check"):
        assert_row(10, fragments, INPUTS[10], added)


def test_number_formats():
    assert [sig(3.597), sig(0.03266), sig(719.2), sig(3.0, 1), sig(2.961, 4)] == [
        "3.60", "0.0327", "719", "3", "2.961"]
    assert [pow10(1e4), pow10(3e4), pow10(1.0000276e-06), pow10(1e6)] == [
        "10⁴", "3×10⁴", "10⁻⁶", "10⁶"]
    assert NUMBER.findall("L = 3×10⁴, 10⁻⁶ and 0.25 at τ₂") == ["3×10⁴", "10⁻⁶", "0.25"]


# ------------------------------------------- rows 14 and 15: the MNIST networks' stored runs

DOCS = CLAIMS.parent
#: the stored outputs of rows 14 and 15 (their commands take minutes per seed and need the
#: MNIST networks trained: about 6 minutes per seed; `-m slow` re-runs seed 0 of each)
STORED = {14: DOCS / "claim14_boundary.json", 15: DOCS / "claim15_defence.json"}


def signed(x, digits=3):
    """+0.073, −0.351: the table's signed numbers (a true minus sign)."""
    return f"{x:+.{digits}f}".replace("-", "−")


def ival(s, sign=False):
    """``mean [lo, hi]`` of a summary or a paired comparison."""
    f = signed if sign else (lambda v: f"{v:.3f}")
    mean = s["mean"] if "mean" in s else s["mean_difference"]
    lo, hi = s["t_interval"]
    return f"{f(mean)} [{f(lo)}, {f(hi)}]"


def span(pair, f=signed):
    lo, hi = pair
    return f(lo) if f(lo) == f(hi) else f"{f(lo)} to {f(hi)}"


def row_14_fragments(out):
    net, vs, cells = out["networks"], out["vs_random"], out["cells"]["summary"]
    pgd, nat = net["pgd_trained"], net["natural"]
    seeds = out["seeds"]
    assert out["eps"] == 0.3 and out["cell_eps"] == 0.5 and out["near"] == 0.25
    return [f"seeds {seeds[0]}–{seeds[-1]}", f"{out['n_images']} test digits",
            f"median q {ival(pgd['median_q_attack'], True)}",
            f"{ival(pgd['near_attack'])} of the digits within a quarter budget",
            f"random ±ε perturbation: {ival(pgd['median_q_random'], True)} and "
            f"{ival(pgd['near_random'])}",
            f"paired by seed {ival(vs['pgd_trained']['near'], True)}",
            f"clean q {ival(pgd['median_q_clean'], True)}",
            f"PGD's approach {ival(pgd['median_approach_attack'], True)}",
            f"natural CNN: median q {ival(nat['median_q_attack'], True)}",
            f"{ival(nat['near_attack'])} within a quarter budget",
            f"clean q {ival(nat['median_q_clean'], True)}",
            "T_{5,m} at 0.5 s: q " + ", ".join(span(cells[m]["q_attack"]) for m in "234"),
            "PGD's approach " + ", ".join(span(cells[m]["approach_attack"]) for m in "234")]


def row_15_fragments(out):
    net, vs, ind = out["networks"], out["vs_pgd_trained"]["threshold"]["0.3"], \
        out["independent"]
    thr, pgd, nat = (net[n]["0.3"] for n in ("threshold", "pgd_trained", "natural"))
    seeds = out["seeds"]
    assert out["eps"] == [0.3] and out["restarts"] == 10 and out["n_queries"] == 5000
    assert ind["threshold"]["0.3"]["ours"] == "pgd_bpda"

    def square(row):
        return f"{row['gradient_attacks']['mean'] - row['worst']['mean']:.3f}"

    return [f"seeds {seeds[0]}–{seeds[-1]}", f"{out['n_images']} test digits",
            f"{out['restarts']} restarts", f"{out['n_queries']}-query square attack",
            f"they left: {ival(thr['worst'])}", f"the PGD-trained CNN {ival(pgd['worst'])}",
            f"difference {ival(vs, True)} (sign-flip p = {vs['p_sign_flip']:.2f})",
            f"the natural CNN alone {nat['worst']['mean']:.3f}",
            f"a further {square(thr)} (filter) and {square(pgd)} (PGD-trained)",
            f"{ival(ind['threshold']['0.3'], True)} (filter, through BPDA)",
            f"{ival(ind['pgd_trained']['0.3'], True)} (PGD-trained)",
            f"FGSM {thr['fgsm']['mean']:.3f} and plain PGD {thr['pgd']['mean']:.3f}"]


STORED_INPUTS = {14: {"0.3", "40", "0.25", "0.5", "5", "2", "3", "4", "11", "1", "0"},
                 # the status names the budgets and attacks of the earlier runs it does not
                 # repeat, and the 8x8 digits
                 15: {"1", "2", "0.3", "40", "0.1", "0.2", "10", "300", "8"}}


def stored(n):
    return json.loads(STORED[n].read_text())


@pytest.mark.parametrize("n", sorted(STORED))
def test_claims_14_and_15_are_their_stored_outputs(n):
    """The row's numbers are the stored output of its command, and the stored output is
    that command's: its seeds, budget, images, restarts and queries are the row's flags."""
    out = stored(n)
    command = claim_rows(CLAIMS.read_text())[n]["command"]
    seeds = out["seeds"]
    assert f"--seeds {seeds[0]}:{seeds[-1]}" in command and seeds == list(
        range(seeds[0], seeds[-1] + 1))
    assert f"--images {out['n_images']}" in command
    if n == 15:
        assert f"--restarts {out['restarts']}" in command
        assert f"--queries {out['n_queries']}" in command and "--independent" in command
    fragments = row_14_fragments(out) if n == 14 else row_15_fragments(out)
    assert_row(n, fragments, STORED_INPUTS[n])


@pytest.mark.slow
@pytest.mark.parametrize("n", sorted(STORED))
def test_claims_14_and_15_seed_0_is_what_the_command_prints(n):
    """Seed 0 of the stored output, re-run (training the seed's networks when the store has
    not got them: about 6 minutes, then minutes of attacks)."""
    out = stored(n)
    command = claim_rows(CLAIMS.read_text())[n]["command"].strip("`").split("`")[0]
    args = [a for a in command.split()[1:] if a != "--json"]
    i = args.index("--seeds")
    args[i + 1] = "0"
    args = [a for a in args if a != "--seed-cache"]
    fresh = command_json(*args)
    if n == 14:
        for name, row in out["networks"].items():
            for k, s in row.items():
                if isinstance(s, dict) and "per_seed" in s:
                    assert fresh["networks"][name][k]["per_seed"][0] == pytest.approx(
                        s["per_seed"][0]), (name, k)
        assert fresh["cells"] == out["cells"]
    else:
        for name, row in out["networks"].items():
            for attack, s in row["0.3"].items():
                assert fresh["networks"][name]["0.3"][attack]["per_seed"][0] == \
                    pytest.approx(s["per_seed"][0]), (name, attack)


def table_after(text, header):
    """{first cell: the other cells} of the markdown table whose header starts with
    ``header``."""
    lines = text[text.index(header):].split("\n\n")[0].splitlines()[2:]
    out = {}
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        out[cells[0]] = cells[1:]
    return out


def test_regime_measure_tables_of_claims_14_and_15_are_the_stored_outputs():
    """The two tables of docs/regime_measure.md that rows 14 and 15 cite, cell by cell
    (an interval that is one value, 0.000 [0.000, 0.000], is written as the value)."""
    text = (DOCS / "regime_measure.md").read_text()
    d, b = stored(15), stored(14)
    defence = table_after(text, "| network (seeds 0–2, ε = 0.3) |")
    names = {"natural": "natural", "PGD-trained": "pgd_trained",
             "natural behind the threshold": "threshold"}
    assert set(defence) == set(names)
    for label, key in names.items():
        net, ind = d["networks"][key], d["independent"][key]["0.3"]
        expected = [ival(net["clean_accuracy"]), ival(net["0.3"]["gradient_attacks"]),
                    ival(net["0.3"]["worst"]), ival(ind, True)]
        for got, want in zip(defence[label], expected):
            mean, rest = want.split(" [")
            if rest == ", ".join([mean] * 2) + "]":
                want = mean
            assert got.split(" (")[0] == want, (label, got, want)
    keys = ("median_q_clean", "median_q_attack", "near_attack", "median_q_random",
            "near_random", "median_approach_attack")
    boundary = table_after(text, "| network | clean q |")
    assert set(boundary) == {"natural", "PGD-trained"}
    for label, key in (("natural", "natural"), ("PGD-trained", "pgd_trained")):
        net = b["networks"][key]
        assert boundary[label] == [ival(net[k], k.startswith("median")) for k in keys], label
