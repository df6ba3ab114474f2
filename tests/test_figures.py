"""The figures' print measures (text overlaps, width, smallest font, panel letters), and every
quick figure at print size: 3.4 or 7 in wide, at most 9 in tall, every font >= 6 pt, panels
lettered, no text overprinted or cut at the edge."""
import json

import pytest
from helpers import run_cli_process

from antagonism.numerics.figures.common import (
    MIN_FONT_PT,
    ONE_COLUMN,
    TWO_COLUMN,
    label_panels,
    new_figure,
    print_measures,
    pyplot,
    style,
    text_overlaps,
)


def test_overlap_counter_counts_deliberate_overlaps():
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "first label", fontsize=12)
    ax.text(0.5, 0.5, "second label", fontsize=12)  # drawn on top of the first
    ax.set_title("title")
    count, pairs = text_overlaps(fig, details=True)
    assert count >= 1
    assert ("first label", "second label") in pairs or ("second label", "first label") in pairs
    plt.close(fig)


def test_overlap_counter_sees_tick_labels_and_ignores_empty_text():
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "")  # empty strings are not texts
    assert text_overlaps(fig) == 0
    # an axis label pushed onto the tick labels overprints them
    ax.set_xlabel("x label on the ticks", fontsize=20)
    ax.xaxis.set_label_coords(0.5, -0.02)
    assert text_overlaps(fig) > 0
    plt.close(fig)


def test_overlap_counter_sees_lines_markers_bars_and_contours():
    """A text that a line, a marker, a histogram's outline, a bar or a contour line runs
    through is an overprint; the same text moved clear of them, and a legend's own handles,
    are not."""
    import numpy as np

    plt = pyplot()
    fig, axes = plt.subplots(1, 5, figsize=(10, 2), layout="constrained")
    axes[0].plot([0, 1], [0, 1], label="diagonal")
    axes[1].plot([0.5], [0.5], "o", ms=8)
    axes[2].hist([0.5] * 50 + [0.1], bins=np.linspace(0, 1, 11), histtype="step")
    axes[3].bar([0.5], [1.0], width=0.3)
    axes[3].set(xlim=(0, 1), ylim=(0, 2))
    x = np.linspace(-1, 1, 40)
    axes[4].contour(x, x, x[None, :] ** 2 + x[:, None] ** 2, [0.25])
    at = [(0.5, 0.5), (0.5, 0.5), (0.5, 10.0), (0.5, 0.5), (0.0, 0.5)]
    texts = [ax.text(*xy, "crossed", ha="center", va="center") for ax, xy in zip(axes, at)]
    count, pairs = text_overlaps(fig, details=True)
    assert count == 5 and [p[0] for p in pairs] == ["crossed"] * 5
    assert ("crossed", "line: diagonal") in pairs
    assert text_overlaps(fig, marks=False) == 0  # texts against texts only
    for t, ax in zip(texts, axes):  # clear of every mark: the top-left corner, outside data
        t.set_position((0.02, 0.98))
        t.set_transform(ax.transAxes)
        t.set_ha("left")
        t.set_va("top")
        t.set_fontsize(5)
    axes[2].set_ylim(0, 100)
    axes[0].legend(loc="lower right")  # its handle line is not a mark of the axes
    assert text_overlaps(fig, details=True) == (0, [])
    plt.close(fig)


def font_subtypes(pdf_bytes):
    """The /Subtype of every /Type /Font dictionary of a PDF, read from its objects and from
    its deflated streams (a plain parse with re and zlib, independent of matplotlib)."""
    import re
    import zlib

    texts = [pdf_bytes]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf_bytes, flags=re.S):
        try:
            texts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    found = []
    for t in texts:
        for d in re.finditer(rb"<<(?:(?!>>).)*?/Type\s*/Font\b.*?>>", t, flags=re.S):
            sub = re.search(rb"/Subtype\s*/(\w+)", d.group(0))
            if sub:
                found.append(sub.group(1).decode())
    return found


def test_figures_embed_truetype_fonts_never_type3(tmp_path):
    """The house style writes PDFs with TrueType fonts (pdf.fonttype 42): text and mathtext
    of a saved figure; the parser finds Type 3 when matplotlib's default is forced."""
    import matplotlib

    from antagonism.numerics.figures.common import save

    def draw(name, math=True):
        fig, ax = new_figure(ONE_COLUMN, 2.0)
        ax.plot([1, 10], [1, 2])
        ax.set(xscale="log", xlabel=r"binding time $\tau_2$ (s)" if math else "time (s)",
               title=r"$T_{5,3}$ at $L_1$" if math else "T at L")
        return save(fig, tmp_path, name, {})

    with style():
        draw("house")
        with matplotlib.rc_context({"pdf.fonttype": 3}):
            draw("type3", math=False)
    house = font_subtypes((tmp_path / "house.pdf").read_bytes())
    assert house and "Type3" not in house and set(house) <= {"TrueType", "Type0",
                                                              "CIDFontType2"}
    assert "Type3" in font_subtypes((tmp_path / "type3.pdf").read_bytes())


def test_clean_figure_has_no_overlaps():
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(6, 2.5), layout="constrained")
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="curve")
        ax.set(xlabel=r"$\tau$ (s)", ylabel="T", title="panel")
        ax.legend(loc="upper left")
    fig.suptitle("a clean figure")
    assert text_overlaps(fig) == 0
    plt.close(fig)


def test_print_measures_of_a_lettered_two_column_figure():
    with style():
        fig, axes = new_figure(TWO_COLUMN, 2.5, nrows=1, ncols=3)
        for ax in axes:
            ax.plot([0, 1], [0, 1])
            ax.set(xlabel="x (s)", ylabel="y")
        im = axes[2].imshow([[0, 1], [1, 0]])
        fig.colorbar(im, ax=axes[2])  # a colour bar is not a panel
        label_panels(axes)
        m = print_measures(fig)
    pyplot().close(fig)
    assert (m["width_in"], m["height_in"], m["panels"]) == (7.0, 2.5, 3)
    assert m["panel_letters"] and m["min_font_pt"] >= MIN_FONT_PT
    assert m["text_outside"] == [] and m["text_overlaps"] == 0


def test_print_measures_see_small_fonts_missing_letters_and_cut_text():
    with style():
        fig, axes = new_figure(ONE_COLUMN, 2.0, nrows=1, ncols=2)
        axes[0].text(0.5, 0.5, "tiny", fontsize=4)
        axes[1].annotate("cut at the edge", xy=(1, 1), xycoords="figure fraction")
        label_panels(axes[:1])  # b is missing
        m = print_measures(fig)
    pyplot().close(fig)
    assert m["min_font_pt"] == 4 and m["smallest_text"] == "tiny"
    assert m["panels"] == 2 and not m["panel_letters"]
    assert m["text_outside"] == ["cut at the edge"]
    with pytest.raises(ValueError, match="3.4 or 7"):
        new_figure(12.0, 4.0)


def _check_print_size(meta, name):
    assert meta["text_overlaps"] == 0, (name, meta["overlapping_text"])
    assert meta["text_outside"] == [], (name, meta["text_outside"])
    assert meta["width_in"] in (ONE_COLUMN, TWO_COLUMN) and meta["height_in"] <= 9, name
    assert meta["min_font_pt"] >= MIN_FONT_PT, (name, meta["smallest_text"])
    assert meta["panels"] == 1 or meta["panel_letters"], name


@pytest.mark.slow
def test_every_quick_figure_at_print_size_without_text_overlaps(tmp_path):
    from antagonism.numerics.figures import figure_names

    p = run_cli_process("figures", "--quick", "--out", tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    for name in (*figure_names(), "descent_ligand_images"):
        _check_print_size(json.loads((tmp_path / f"{name}.json").read_text()), name)
        fonts = font_subtypes((tmp_path / f"{name}.pdf").read_bytes())
        assert fonts and "Type3" not in fonts, (name, fonts)


def test_one_quick_figure_through_the_command_at_print_size(tmp_path):
    """The quickest built-in figure through the command (a hyphenated name, SVG next to the
    PNG), with progress on stderr, and the same print-size checks as every figure gets
    (-m slow)."""
    p = run_cli_process("figures", "--quick", "--out", tmp_path, "--only",
                        "immune-boundary-tilting", "--format", "svg")
    assert p.returncode == 0, p.stderr[-3000:]
    assert "[figures] 1/1 immune_boundary_tilting" in p.stderr  # progress
    for ext in ("png", "svg", "json"):
        assert (tmp_path / f"immune_boundary_tilting.{ext}").stat().st_size > 0
    meta = json.loads((tmp_path / "immune_boundary_tilting.json").read_text())
    assert meta["seed"] == 0 and meta["versions"]["numpy"]
    assert meta["formats"] == ["png", "svg"]
    _check_print_size(meta, "immune_boundary_tilting")


def test_figures_only_lists_the_names_on_a_bad_name(tmp_path):
    from helpers import run_cli

    from antagonism.numerics.figures import figure_names

    p = run_cli("figures", "--out", tmp_path, "--only", "nope")
    assert p.returncode == 2
    assert all(name.replace("_", "-") in p.stderr for name in figure_names())
    p = run_cli("figures", "--out", tmp_path, "--only", "descent-gird")
    assert p.returncode == 2 and "did you mean descent-grid" in p.stderr


def test_figure_models_option_parses_registry_models():
    from antagonism.cli.figures import parse_models
    from antagonism.derivations import AdaptiveProofreading

    (a,) = parse_models(["adaptive:N=4,m=2"], tau_c=2.0)
    assert isinstance(a, AdaptiveProofreading)
    assert (float(a.N), float(a.m), float(a.tau_c)) == (4.0, 2.0, 2.0)
