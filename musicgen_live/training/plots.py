"""Pictures: loss curves per head and piano rolls (matplotlib, drawn off-screen)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from musicgen_live.notes import Note  # noqa: E402

CURVES = ("loss", "pitch_loss", "step_loss", "duration_loss", "velocity_loss")


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
    """A piano roll PNG of the seed and the model's continuation."""
    figure = piano_roll_figure(seed, continuation)
    figure.savefig(out, dpi=90)
    plt.close(figure)


def piano_roll_figure(seed: Sequence[Note], continuation: Sequence[Note]) -> Figure:
    """The seed and the model's continuation as bars in two colours; alpha follows velocity."""
    figure, axis = plt.subplots(figsize=(12, 4))
    parts = ((seed, "tab:blue", "seed"), (continuation, "tab:orange", "continuation"))
    for notes, colour, _ in parts:
        for note in notes:
            axis.barh(
                note.pitch,
                note.duration,
                left=note.start,
                height=0.8,
                color=colour,
                alpha=0.35 + 0.65 * note.velocity / 127,
            )
    axis.set_xlabel("time (s)")
    axis.set_ylabel("MIDI pitch")
    # an empty bar plot has no colour of its own, so the legend gets explicit patches
    axis.legend(
        handles=[Patch(color=colour, label=label) for _, colour, label in parts],
        loc="upper right",
    )
    figure.tight_layout()
    return figure
