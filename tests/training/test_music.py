from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from musicgen_live.notes import STEP, Note, features_to_notes, notes_to_features
from musicgen_live.training.music import (
    IOI_EDGES,
    HeldOutPhrase,
    estimate_key,
    held_out_phrases,
    inter_onset_intervals,
    ioi_histogram,
    key_related,
    music_column,
    music_figures,
    ngram_continuation,
    piece_endings,
    pooled_ioi_distance,
    real_column,
    real_floor,
    scale_pitch_classes,
    summarise,
)
from musicgen_live.training.music_tables import (
    format_music_table,
    format_music_tables,
    ratios_to_real,
)
from musicgen_live.training.ngram import NGramModel

C_MAJOR_SCALE = [60, 62, 64, 65, 67, 69, 71, 72]


def line(pitches: Sequence[int], step: float = 0.25, start: float = 0.0) -> list[Note]:
    """An even single line at one loudness."""
    return [Note(p, 64, start + i * step, start + i * step + 0.2) for i, p in enumerate(pitches)]


def playing(count: int, start: float = 0.0) -> list[Note]:
    """Notes that breathe: chords, uneven gaps, varied lengths and loudness."""
    gaps = [0.0, 0.01, 0.4, 0.2, 0.9, 0.0, 0.15]
    notes, time = [], start
    for i in range(count):
        time += gaps[i % len(gaps)]
        duration = 0.1 + 0.3 * (i % 5)
        notes.append(Note(48 + (i * 7) % 24, 40 + (i * 13) % 60, time, time + duration))
    return notes


def test_key_is_c_major_on_its_scale_and_a_minor_on_a_harmonic_minor_passage() -> None:
    assert estimate_key(C_MAJOR_SCALE) == (0, True)
    assert estimate_key([57, 59, 60, 62, 64, 65, 68, 69, 72, 76, 69, 64, 68, 69]) == (9, False)


def test_related_keys() -> None:
    c_major = (0, True)
    assert key_related(c_major, (7, True))  # G major: dominant
    assert key_related(c_major, (5, True))  # F major: subdominant
    assert key_related(c_major, (9, False))  # A minor: relative
    assert key_related((9, False), c_major)
    assert not key_related(c_major, (6, True))  # F# major
    assert not key_related(c_major, (7, False))  # G minor: dominant tonic, wrong mode


def test_minor_scale_has_the_leading_tone() -> None:
    assert scale_pitch_classes((0, True)) == {0, 2, 4, 5, 7, 9, 11}
    assert scale_pitch_classes((9, False)) == {9, 11, 0, 2, 4, 5, 7, 8}


def test_first_ioi_is_the_gap_from_the_phrase_and_chords_are_counted() -> None:
    phrase = line([60, 62], step=0.5)  # last onset 0.5
    onsets = [1.0, 1.01, 1.01, 1.1, 1.5, 1.52]
    continuation = [Note(60 + i, 64, t, t + 0.1) for i, t in enumerate(onsets)][::-1]
    iois = inter_onset_intervals(phrase, continuation)
    np.testing.assert_allclose(iois, [0.5, 0.01, 0.0, 0.09, 0.4, 0.02], atol=1e-9)
    assert music_figures(phrase, continuation)["chord_onsets"] == pytest.approx(3 / 6)


def test_ioi_histogram_has_twelve_bins_and_sums_to_one() -> None:
    assert len(IOI_EDGES) == 13 and IOI_EDGES[-2] == pytest.approx(2.628, abs=1e-3)
    histogram = ioi_histogram(np.array([0.0, 0.029, 0.03, 0.05, 0.5, 3.0, 10.0]))
    assert histogram.shape == (12,)
    assert histogram.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(histogram[[0, 1, 7, 11]] * 7, [2, 2, 1, 2])


def test_answering_with_the_real_continuation_scores_like_real() -> None:
    notes = playing(64)
    held_out = HeldOutPhrase("piece", notes[:32], notes[32:])
    figures = music_figures(held_out.phrase, held_out.real, held_out.real)
    assert figures["ioi_distance"] == 0.0
    assert figures["ioi_cv"] > 0.5 and figures["chord_onsets"] > 0.2
    generated = music_column([held_out] * 2, [[held_out.real] * 2] * 2)
    real = real_column([held_out] * 2)
    assert generated["pooled_ioi_distance"] == 0.0
    ratios = ratios_to_real(generated, real)
    assert set(ratios) == {
        "ioi_cv",
        "chord_onsets",
        "pulse",
        "duration_std",
        "duration_std_heard",
        "velocity_std",
    }
    assert all(ratio == pytest.approx(1.0) for ratio in ratios.values())
    table = format_music_table([("real", real), ("default", generated)])
    assert "IOI coefficient of variation" in table and "(1.00x)" in table


def test_an_even_line_scores_unlike_real_and_the_table_says_so() -> None:
    notes = playing(64)
    held_out = HeldOutPhrase("piece", notes[:32], notes[32:])
    even = line(range(60, 92), step=0.25, start=held_out.phrase[-1].start + 0.25)
    figures = music_figures(held_out.phrase, even, held_out.real)
    assert figures["ioi_cv"] == pytest.approx(0.0, abs=1e-9)  # one gap throughout
    assert figures["velocity_std"] == 0.0 and figures["duration_std"] == pytest.approx(0.0)
    assert figures["chord_onsets"] == 0.0 and figures["ioi_distance"] > 0.5
    real = real_column([held_out])
    default = summarise([[figures]], [inter_onset_intervals(held_out.phrase, even)], [])
    markdown = format_music_table([("real", real), ("default", default)], markdown=True)
    assert markdown.splitlines()[0] == "| figure | real | default |"
    assert "| chord onsets |" in markdown and "(0.00x)" in markdown


def test_pooled_distance_and_the_real_floor() -> None:
    short, long = np.full(32, 0.01), np.full(32, 1.0)
    assert pooled_ioi_distance([short, long], [long, short]) == 0.0
    assert pooled_ioi_distance([short], [long]) == 1.0
    assert real_floor([short, short, long, long]) == 0.0  # evens and odds hold the same IOIs
    assert real_floor([short, long, short, long]) == 1.0


def test_summary_averages_samples_then_phrases() -> None:
    figures = [[{"ioi_cv": 0.0}, {"ioi_cv": 1.0}], [{"ioi_cv": 1.0}]]
    assert summarise(figures, [], [])["ioi_cv"] == pytest.approx(0.75)


def test_summary_leaves_out_what_could_not_be_measured() -> None:
    nan = float("nan")
    figures = [[{"pulse": 0.2}, {"pulse": nan}], [{"pulse": nan}], [{"pulse": 0.4}]]
    assert summarise(figures, [], [])["pulse"] == pytest.approx(0.3)
    assert np.isnan(summarise([[{"pulse": nan}]], [], [])["pulse"])


def test_pulse_is_the_median_gap_between_onset_groups() -> None:
    phrase = line(range(60, 68), step=0.5)
    # chords of three (onsets 10 ms apart) every 0.25 s: the plain median IOI would be 0.01
    chords = [
        Note(60 + 4 * k, 64, 4.0 + 0.25 * i + 0.01 * k, 4.2 + 0.25 * i)
        for i in range(8)
        for k in range(3)
    ]
    figures = music_figures(phrase, chords)
    assert figures["pulse"] == pytest.approx(0.25)
    assert figures["pulse_ratio"] == pytest.approx(0.5)
    assert np.isnan(music_figures(phrase, chords[:6])["pulse"])  # two groups: no pulse


def test_piece_endings_are_the_last_notes_after_the_ones_before() -> None:
    rows = notes_to_features(playing(100))
    notes = features_to_notes(rows)
    (ending,) = piece_endings([("piece", rows), ("short", rows[:63])])
    assert ending.phrase == notes[36:68] and ending.real == notes[68:]


def test_the_tables_come_each_with_the_columns_that_have_its_figures() -> None:
    real = {"ioi_cv": 1.0, "tempo_slope": 0.97, "ends_on_tonic": 0.1, "restruck": 0.01}
    endings = {"ends_on_tonic": 0.75}
    model = {"ioi_cv": 0.5, "tempo_slope": 0.5, "ends_on_tonic": 0.5, "restruck": float("nan")}
    columns = [("real", real), ("real piece endings", endings), ("default", model)]
    text = format_music_tables(columns, markdown=True).split("\n\n")
    assert len(text) == 4
    assert text[0].splitlines()[0] == "| figure | real | default |"
    assert "| IOI coefficient of variation | 1 | 0.5 (0.50x) |" in text[0]
    assert text[1].startswith("Following the player") and "| tempo slope | 0.97 | 0.5 |" in text[1]
    assert "| figure | real | real piece endings | default |" in text[2]
    assert "| ends on the tonic | 0.1 | 0.75 | 0.5 |" in text[2]
    assert "| re-struck | 0.01 | - |" in text[3]


def test_held_out_phrases_are_evenly_spaced_with_their_real_continuation() -> None:
    rows = notes_to_features(playing(200))
    expected = features_to_notes(rows)
    pieces = [("long", rows), ("short", rows[:63]), ("exact", rows[:64])]
    phrases = held_out_phrases(pieces)
    long = [held for held in phrases if held.piece == "long"]
    assert len(long) == 10 and [held.piece for held in phrases[10:]] == ["exact"]
    for held in long:
        assert len(held.phrase) == 32 and len(held.real) == 32
        start = expected.index(held.phrase[0])
        assert held.phrase + held.real == expected[start : start + 64]
    assert long[0].phrase[0] == expected[0]
    assert long[-1].real[-1] == expected[-1]


def test_ngram_sampler_plays_with_the_phrases_timing_and_is_reproducible() -> None:
    model = NGramModel(order=2, strength=1.0).fit([C_MAJOR_SCALE * 10])
    phrase = playing(8, start=2.0)
    answer = ngram_continuation(model, phrase, 16, np.random.default_rng(7))
    assert answer == ngram_continuation(model, phrase, 16, np.random.default_rng(7))
    assert answer != ngram_continuation(model, phrase, 16, np.random.default_rng(8))
    timing = notes_to_features(phrase)[1:, STEP:]
    expected = np.concatenate([timing, timing, timing])[:16]
    onsets = [phrase[-1].start] + [note.start for note in answer]  # in the order sampled
    got = np.column_stack(
        [np.diff(onsets), [n.duration for n in answer], [n.velocity for n in answer]]
    )
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_out_of_scale_counts_chromatic_notes() -> None:
    phrase = line(C_MAJOR_SCALE * 4)
    assert music_figures(phrase, line([72, 71, 69, 67, 65, 64, 62, 60]))["out_of_scale"] == 0.0
    chromatic = line([72, 71, 70, 69, 67, 66, 64, 60])
    assert music_figures(phrase, chromatic)["out_of_scale"] == pytest.approx(2 / 8)


def test_repeated_and_reused_four_grams() -> None:
    phrase = line([60, 62, 64, 65] * 4)
    ascending = music_figures(phrase, line(range(60, 76)))
    assert ascending["repeated_4grams"] == 0.0 and ascending["reused_4grams"] == 0.0
    motif = music_figures(phrase, line([60, 62, 64, 65] * 4))
    assert motif["repeated_4grams"] == pytest.approx(9 / 13)
    assert motif["reused_4grams"] == 1.0
    too_short = music_figures(phrase, line([60, 62, 64]))
    assert too_short["repeated_4grams"] == 0.0 and too_short["reused_4grams"] == 0.0
