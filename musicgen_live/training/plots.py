"""Pictures: loss curves per head and piano rolls (matplotlib, drawn off-screen)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from musicgen_live.live.control_kinds import note_name  # noqa: E402
from musicgen_live.notes import Note  # noqa: E402

CURVES = ("loss", "pitch_loss", "step_loss", "duration_loss", "velocity_loss")
# The piano roll shows the seed's last SEED_SECONDS, or its last SEED_NOTES notes when they
# reach further back, and the whole continuation.
SEED_SECONDS = 8.0
SEED_NOTES = 32
SEED_COLOUR, CONTINUATION_COLOUR = "tab:blue", "tab:orange"
BLACK_KEYS = frozenset({1, 3, 6, 8, 10})  # pitch classes


def plot_history(history_csv: Path, out: Path) -> None:
    """One panel per head (and the total): training and validation loss by epoch."""
    if not history_csv.exists():
        return
    with history_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return
    epochs = [int(row["epoch"]) + 1 for row in rows]
    figure, axes = plt.subplots(1, len(CURVES), figsize=(4 * len(CURVES), 3.2))
    for axis, name in zip(axes, CURVES, strict=True):
        for prefix, label in (("", "train"), ("val_", "validation")):
            if prefix + name in rows[0]:
                axis.plot(
                    epochs, [float(row[prefix + name]) for row in rows], marker="o", label=label
                )
        axis.set_title(name.replace("_", " "))
        axis.set_xlabel("epoch")
        axis.legend()
    figure.tight_layout()
    figure.savefig(out, dpi=80)
    plt.close(figure)


def plot_piano_roll(out: Path, seed: Sequence[Note], continuation: Sequence[Note]) -> None:
    """A piano roll PNG of the end of the seed and the model's whole continuation."""
    figure = piano_roll_figure(seed, continuation)
    figure.savefig(out, dpi=90)
    plt.close(figure)


def answer_start(seed: Sequence[Note], continuation: Sequence[Note]) -> float:
    """Where the phrase ends and the answer begins: the continuation's first onset, or the
    seed's last release when there is no continuation."""
    if continuation:
        return min(note.start for note in continuation)
    return max((note.end for note in seed), default=0.0)


def seed_shown_from(
    seed: Sequence[Note], boundary: float, seconds: float = SEED_SECONDS, notes: int = SEED_NOTES
) -> float:
    """When the roll starts: `seconds` before the answer, or earlier when that holds fewer
    than the seed's last `notes` notes; never before the seed's first note. A song's seed
    would otherwise squeeze its answer into a sliver at the edge."""
    onsets = sorted(note.start for note in seed)
    if not onsets:
        return boundary
    return max(onsets[0], min(boundary - seconds, onsets[-notes:][0]))


def pitch_ticks(low: int, high: int) -> list[tuple[int, str]]:
    """Every C from `low` to `high` with its name (C4 = 60)."""
    return [(pitch, note_name(pitch)) for pitch in range(low, high + 1) if pitch % 12 == 0]


def pitch_span(notes: Sequence[Note]) -> tuple[int, int]:
    """The pitches the roll shows: the notes' with a semitone each side, reaching down to a C
    when none is in between, so the axis always names one."""
    if not notes:
        return 59, 73
    low = min(note.pitch for note in notes) - 1
    high = max(note.pitch for note in notes) + 1
    if not pitch_ticks(low, high):
        low -= low % 12
    return low, high


def piano_roll_figure(seed: Sequence[Note], continuation: Sequence[Note]) -> Figure:
    """The end of the seed and the whole continuation as bars in two colours, opaque as they
    are loud, on rows shaded like a keyboard's, with a line where the answer begins; the
    legend sits outside, off the notes."""
    boundary = answer_start(seed, continuation)
    start = seed_shown_from(seed, boundary)
    shown = [note for note in seed if note.end > start]
    low, high = pitch_span(shown + list(continuation))
    end = max((note.end for note in continuation), default=boundary)
    figure, axis = plt.subplots(figsize=(12, 4.5))
    for pitch in range(low, high + 1):
        if pitch % 12 in BLACK_KEYS:
            axis.axhspan(pitch - 0.5, pitch + 0.5, color="0.94", linewidth=0, zorder=0)
    axis.grid(axis="y", which="major", color="0.7", linewidth=0.6)
    axis.set_axisbelow(True)
    _bars(axis, shown, SEED_COLOUR, "seed")
    _bars(axis, continuation, CONTINUATION_COLOUR, "continuation")
    axis.axvline(boundary, color="0.15", linestyle="--", linewidth=1)
    axis.annotate(
        "phrase ends | answer begins",
        xy=(boundary, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
    )
    margin = 0.01 * max(end - start, 1.0)
    axis.set_xlim(start - margin, end + margin)
    axis.set_ylim(low - 0.5, high + 0.5)
    ticks = pitch_ticks(low, high)
    axis.set_yticks([pitch for pitch, _ in ticks], [name for _, name in ticks])
    axis.set_xlabel("time (s)")
    axis.set_ylabel("pitch")
    counted = len([note for note in seed if note.start >= start])
    seed_label = "seed" + (f"\nlast {counted} of {len(seed)} notes" if counted < len(seed) else "")
    labels = ((SEED_COLOUR, seed_label), (CONTINUATION_COLOUR, "continuation"))
    # bars have a shade per note, so the legend gets patches of the full colour
    axis.legend(
        handles=[Patch(color=colour, label=label) for colour, label in labels],
        loc="upper left",
        bbox_to_anchor=(1.005, 1.0),
        frameon=False,
    )
    figure.tight_layout()
    return figure


def _bars(axis: Axes, notes: Sequence[Note], colour: str, label: str) -> None:
    """One bar per note, more opaque the louder it is; white edges part repeated notes."""
    axis.barh(
        [note.pitch for note in notes],
        [note.duration for note in notes],
        left=[note.start for note in notes],
        height=0.8,
        color=[to_rgba(colour, 0.35 + 0.65 * note.velocity / 127) for note in notes],
        edgecolor="white",
        linewidth=0.5,
        label=label,
    )
