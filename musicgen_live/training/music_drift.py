"""How a long answer drifts: endless answers of many notes, judged per block of 100 notes
against the phrase they answer (loudness, pulse, key), and over their last third, beside the
pieces' own real continuations as far as the pieces go (numpy only; README, "Judging
answers as music").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from musicgen_live.notes import Note, features_to_notes, sort_notes
from musicgen_live.training.music import (
    PHRASE_NOTES,
    PHRASES_PER_PIECE,
    HeldOutPhrase,
    held_out_phrases,
    music_figures,
)
from musicgen_live.training.music_tables import format_cells

BLOCK = 100
LONG_NOTES = 1500
LONG_PHRASES = 20


def long_phrases(
    pieces: Sequence[tuple[str, np.ndarray]], count: int, notes: int, length: int = PHRASE_NOTES
) -> list[HeldOutPhrase]:
    """`count` held-out phrases, evenly spaced over the pieces, each with the piece's real
    continuation of up to `notes` notes (shorter where the piece ends first)."""
    per_piece = max(PHRASES_PER_PIECE, -(-count // max(1, len(pieces))))
    phrases = held_out_phrases(pieces, per_piece, length)
    if not phrases:
        return []
    picks = np.unique(np.linspace(0, len(phrases) - 1, count).round().astype(int))
    played = {name: features_to_notes(rows) for name, rows in pieces}
    return [
        replace(held, real=played[held.piece][held.start + length : held.start + length + notes])
        for held in (phrases[index] for index in picks)
    ]


def spans(notes: int) -> list[tuple[int, int]]:
    """Blocks of BLOCK notes, then the last third (notes 1,001-1,500 of 1,500) as one span."""
    blocks = [(start, min(start + BLOCK, notes)) for start in range(0, notes, BLOCK)]
    return blocks + [(notes - notes // 3, notes)]


def span_label(span: tuple[int, int]) -> str:
    return f"{span[0] + 1:,}-{span[1]:,}"


def span_figures(phrase: Sequence[Note], notes: Sequence[Note]) -> dict[str, float]:
    """One span against its phrase: mean velocity minus the phrase's, log of pulse over the
    phrase's (nan without one), out-of-scale share and key related."""
    figures = music_figures(phrase, notes)
    phrase_velocity = float(np.mean([note.velocity for note in phrase]))
    ratio = figures["pulse_ratio"]
    return {
        "velocity": figures["velocity_mean"] - phrase_velocity,
        "log_pulse": math.log(ratio) if ratio > 0 else math.nan,
        "out_of_scale": figures["out_of_scale"],
        "key_related": figures["key_related"],
    }


@dataclass(frozen=True)
class DriftRow:
    """A span's figures averaged over the phrases whose continuation reaches its end: the
    velocity difference, out-of-scale and key related plainly, the pulse ratio in log."""

    span: tuple[int, int]
    velocity: float
    pulse: float
    out_of_scale: float
    key_related: float
    phrases: int


def drift_rows(
    phrases: Sequence[HeldOutPhrase], continuations: Sequence[Sequence[Note]], notes: int
) -> list[DriftRow]:
    """One row per span of `spans(notes)`."""
    rows = []
    for span in spans(notes):
        figures = [
            span_figures(held.phrase, sort_notes(continuation)[span[0] : span[1]])
            for held, continuation in zip(phrases, continuations, strict=True)
            if len(continuation) >= span[1]
        ]

        def mean(name: str, figures: list[dict[str, float]] = figures) -> float:
            known = [row[name] for row in figures if not math.isnan(row[name])]
            return float(np.mean(known)) if known else math.nan

        rows.append(
            DriftRow(
                span,
                mean("velocity"),
                math.exp(mean("log_pulse")),
                mean("out_of_scale"),
                mean("key_related"),
                len(figures),
            )
        )
    return rows


SHOWN = (("velocity", "+.1f"), ("pulse", ".2f"), ("out_of_scale", ".3f"), ("key_related", ".2f"))


def _cell(value: float, digits: str = ".2f") -> str:
    return "-" if math.isnan(value) else format(value, digits)


def format_drift(
    answers: Sequence[DriftRow], real: Sequence[DriftRow], markdown: bool = False
) -> str:
    """Spans as rows; each figure of the answers beside the real continuation's."""
    header = ["notes", "velocity - phrase's", "real", "pulse / phrase's", "real"]
    header += ["out-of-scale", "real", "key related", "real", "real phrases"]
    body = []
    for answer, truth in zip(answers, real, strict=True):
        cells = [span_label(answer.span)]
        for name, digits in SHOWN:
            cells += [_cell(getattr(answer, name), digits), _cell(getattr(truth, name), digits)]
        body.append([*cells, str(truth.phrases)])
    return format_cells([header, *body], markdown)
