"""The figures' text-overlap measure, and every quick figure free of overprinted text."""
import json

import pytest
from helpers import run_cli_process

from antagonism.numerics.figures.common import pyplot, text_overlaps


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


@pytest.mark.slow
def test_every_quick_figure_has_no_text_overlaps(tmp_path):
    from antagonism.numerics.figures import figure_names

    p = run_cli_process("figures", "--quick", "--out", tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    for name in (*figure_names(), "descent_ligand_images"):
        meta = json.loads((tmp_path / f"{name}.json").read_text())
        assert meta["text_overlaps"] == 0, (name, meta["overlapping_text"])


def test_figures_only_lists_the_names_on_a_bad_name(tmp_path):
    from helpers import run_cli

    from antagonism.numerics.figures import figure_names

    p = run_cli("figures", "--out", tmp_path, "--only", "nope")
    assert p.returncode == 2
    assert all(name in p.stderr for name in figure_names())


def test_figure_models_option_parses_registry_models():
    from antagonism.cli.figures import parse_models
    from antagonism.derivations import AdaptiveProofreading

    (a,) = parse_models(["adaptive:N=4,m=2"], tau_c=2.0)
    assert isinstance(a, AdaptiveProofreading)
    assert (float(a.N), float(a.m), float(a.tau_c)) == (4.0, 2.0, 2.0)
