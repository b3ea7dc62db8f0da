"""The piano roll shows the end of the seed and the whole continuation, tells them apart in
its bars and its legend, marks where the answer begins and names the Cs on its pitch axis."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.container import BarContainer
from matplotlib.patches import Patch

from musicgen_live.notes import Note
from musicgen_live.training.plots import (
    answer_start,
    note_name,
    piano_roll_figure,
    pitch_span,
    pitch_ticks,
    plot_piano_roll,
    seed_shown_from,
)


def notes_every(gap: float, count: int, start: float = 0.0, pitch: int = 60) -> list[Note]:
    return [
        Note(pitch + i % 24, 40 + i % 80, start + i * gap, start + i * gap + 0.8 * gap)
        for i in range(count)
    ]


def test_the_roll_shows_the_seeds_last_8_seconds_or_32_notes_whichever_reach_further() -> None:
    slow = notes_every(0.5, 200)  # 32 notes span 15.5 s
    assert seed_shown_from(slow, 100.0) == 84.0
    fast = notes_every(0.1, 200)  # 32 notes span 3.1 s
    assert seed_shown_from(fast, 20.0) == 12.0
    short = notes_every(0.5, 10, start=1.0)
    assert seed_shown_from(short, 6.0) == 1.0  # all of it, from its first note
    assert seed_shown_from([], 0.0) == 0.0


def test_the_answer_begins_at_its_first_onset_or_after_the_seed() -> None:
    seed = notes_every(0.5, 8)
    assert answer_start(seed, notes_every(0.25, 4, start=3.7)) == 3.7
    assert answer_start(seed, []) == seed[-1].end


def test_the_pitch_axis_names_every_c_counting_c4_as_60() -> None:
    assert (note_name(60), note_name(21), note_name(108), note_name(61)) == (
        "C4",
        "A0",
        "C8",
        "C#4",
    )
    assert pitch_ticks(55, 75) == [(60, "C4"), (72, "C5")]
    assert pitch_ticks(21, 108)[0] == (24, "C1") and pitch_ticks(21, 108)[-1] == (108, "C8")
    assert pitch_ticks(61, 71) == []
    assert pitch_span([Note(62, 80, 0, 1), Note(70, 80, 1, 2)]) == (60, 71)  # down to a C


def fill(bar: BarContainer, index: int) -> tuple[float, ...]:
    """The colour of one note's bar, with its opacity."""
    patch = bar.patches[index]
    assert patch is not None
    return to_rgba(patch.get_facecolor())


def test_a_songs_roll_shows_its_end_the_answer_a_line_between_and_the_legend_off_the_notes() -> (
    None
):
    seed = notes_every(0.5, 200, pitch=48)  # 100 s of seed
    continuation = notes_every(0.25, 64, start=100.0)
    figure = piano_roll_figure(seed, continuation)
    axis = figure.axes[0]
    bars = {bar.get_label(): bar for bar in axis.containers if isinstance(bar, BarContainer)}
    assert len(bars["seed"]) == 32 and len(bars["continuation"]) == 64
    left, right = axis.get_xlim()
    assert 83.0 < left < 84.0 and right > continuation[-1].end
    [line] = axis.get_lines()
    assert np.asarray(line.get_xdata()).tolist() == [100.0, 100.0]
    assert any("answer begins" in text.get_text() for text in axis.texts)
    assert [label.get_text() for label in axis.get_yticklabels()] == ["C3", "C4", "C5", "C6"]
    legend = axis.get_legend()
    assert legend is not None
    colours = {
        text.get_text().split("\n")[0]: to_rgb(handle.get_facecolor())
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
        if isinstance(handle, Patch)
    }
    assert colours["seed"] == fill(bars["seed"], 0)[:3]
    assert colours["continuation"] == fill(bars["continuation"], 0)[:3]
    assert colours["seed"] != colours["continuation"]
    assert "last 32 of 200 notes" in legend.get_texts()[0].get_text()
    assert fill(bars["seed"], 11)[3] > fill(bars["seed"], 0)[3]  # velocity 59 over 48
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    assert legend.get_window_extent(renderer).x0 >= axis.get_window_extent(renderer).x1
    plt.close(figure)


def test_the_roll_is_written_as_a_png(tmp_path: Path) -> None:
    out = tmp_path / "roll.png"
    plot_piano_roll(out, notes_every(0.5, 16), notes_every(0.25, 8, start=8.0))
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    plot_piano_roll(out, notes_every(0.5, 16), [])  # an empty answer still draws
