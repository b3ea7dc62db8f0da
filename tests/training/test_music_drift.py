from __future__ import annotations

import numpy as np
import pytest

from musicgen_live.notes import Note, features_to_notes, notes_to_features
from musicgen_live.training.music import HeldOutPhrase
from musicgen_live.training.music_drift import (
    drift_rows,
    format_drift,
    long_phrases,
    span_label,
    spans,
)

C_MAJOR = [60, 62, 64, 65, 67, 69, 71]
F_SHARP_MAJOR = [66, 68, 70, 71, 73, 75, 77]  # B and F (E#) lie in C major too


def line(pitches: list[int], count: int, step: float, velocity: int, start: float) -> list[Note]:
    return [
        Note(pitches[i % len(pitches)], velocity, start + i * step, start + i * step + 0.1)
        for i in range(count)
    ]


def test_spans_are_blocks_of_100_then_the_last_third() -> None:
    found = spans(1500)
    assert len(found) == 16 and found[0] == (0, 100) and found[14] == (1400, 1500)
    assert found[-1] == (1000, 1500) and span_label(found[-1]) == "1,001-1,500"
    assert spans(250) == [(0, 100), (100, 200), (200, 250), (167, 250)]


def test_drift_per_block_and_over_the_last_third() -> None:
    phrase = line(C_MAJOR, 32, 0.25, 56, 0.0)
    steady = line(C_MAJOR, 1000, 0.25, 60, 8.0)
    # then louder, at half the tempo, in F sharp major
    wandering = steady + line(F_SHARP_MAJOR, 500, 0.5, 80, 258.0)
    short = line(C_MAJOR, 250, 0.25, 70, 8.0)  # another phrase's answer, ending at 250 notes
    rows = drift_rows(
        [HeldOutPhrase("a", phrase, []), HeldOutPhrase("b", phrase, [])],
        [wandering, short],
        1500,
    )
    first, eleventh, late = rows[0], rows[10], rows[-1]
    assert first.phrases == 2 and rows[2].phrases == 1  # the short one reaches 200 notes
    assert first.velocity == pytest.approx(9.0)  # +4 and +14, averaged
    assert first.pulse == pytest.approx(1.0) and first.out_of_scale == 0.0
    assert first.key_related == 1.0
    assert eleventh.velocity == pytest.approx(24.0) and eleventh.pulse == pytest.approx(2.0)
    assert eleventh.out_of_scale == pytest.approx(5 / 7, abs=0.01)
    assert eleventh.key_related == 0.0
    assert late.span == (1000, 1500) and late.phrases == 1
    assert late.velocity == pytest.approx(24.0) and late.pulse == pytest.approx(2.0)


def test_pulse_drift_averages_phrases_in_log() -> None:
    phrase = line(C_MAJOR, 32, 0.25, 60, 0.0)
    faster, slower = line(C_MAJOR, 100, 0.125, 60, 8.0), line(C_MAJOR, 100, 0.5, 60, 8.0)
    held = HeldOutPhrase("a", phrase, [])
    (row, _) = drift_rows([held, held], [faster, slower], 100)
    assert row.pulse == pytest.approx(1.0)


def test_long_phrases_continue_as_far_as_the_piece_goes() -> None:
    notes = line(C_MAJOR, 400, 0.25, 60, 0.0)
    rows = notes_to_features(notes)
    played = features_to_notes(rows)
    found = long_phrases([("piece", rows)], count=4, notes=300)
    assert [held.start for held in found] == [0, 112, 224, 336]  # 4 of the 10 phrases
    assert found[0].real == played[32:332]
    assert found[-1].real == played[368:]  # 32 notes left in the piece


def test_the_drift_table_sets_each_figure_beside_the_real_one() -> None:
    phrase = line(C_MAJOR, 32, 0.25, 60, 0.0)
    held = HeldOutPhrase("a", phrase, [])
    answers = drift_rows([held], [line(C_MAJOR, 200, 0.25, 64, 8.0)], 200)
    real = drift_rows([held], [line(C_MAJOR, 150, 0.25, 60, 8.0)], 200)
    table = format_drift(answers, real, markdown=True).splitlines()
    assert table[0].startswith("| notes | velocity - phrase's | real | pulse / phrase's | real |")
    assert table[2] == "| 1-100 | +4.0 | +0.0 | 1.00 | 1.00 | 0.000 | 0.000 | 1.00 | 1.00 | 1 |"
    assert table[3].endswith("| - | 1.00 | - | 0 |")  # the real one ended at 150
    assert np.isnan(real[1].velocity)
