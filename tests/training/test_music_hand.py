from __future__ import annotations

import numpy as np
import pytest

from musicgen_live.notes import Note
from musicgen_live.training.music_hand import (
    ends_long,
    ends_on_tonic,
    hand_figures,
    heard_durations,
    last_onset_group,
)

C_MAJOR = [Note(p, 64, 0.5 * i, 0.5 * i + 0.4) for i, p in enumerate([60, 62, 64, 65, 67] * 3)]


def at(pitch: int, start: float, duration: float = 0.2) -> Note:
    return Note(pitch, 64, start, start + duration)


def test_the_last_onset_group_counts_30_ms_from_its_first_onset() -> None:
    # 1.50 and 1.52 are one group; 1.54 is 40 ms after the group's first: a group of its own
    notes = [at(60, 1.0), at(64, 1.5), at(67, 1.52), at(72, 1.54)]
    assert last_onset_group(notes) == [at(72, 1.54)]
    assert last_onset_group(notes[:3]) == [at(64, 1.5), at(67, 1.52)]
    assert last_onset_group([]) == []


def test_ends_on_the_tonic_when_the_last_group_holds_it() -> None:
    closing = [at(62, 1.0), at(64, 1.5), at(67, 1.51), at(72, 1.52)]  # C in the last chord
    assert ends_on_tonic(C_MAJOR, closing)
    open_ended = [at(60, 1.0), at(62, 1.5), at(67, 1.51)]  # C only before the last chord
    assert not ends_on_tonic(C_MAJOR, open_ended)
    assert ends_on_tonic(C_MAJOR, [at(48, 3.0)])  # any octave
    assert not ends_on_tonic(C_MAJOR, [])


def test_ends_long_when_the_last_struck_lasts_twice_the_median() -> None:
    body = [at(60, 0.25 * i, 0.2) for i in range(5)]
    assert ends_long([*body, at(60, 2.0, 0.41)])
    assert not ends_long([*body, at(60, 2.0, 0.39)])
    # in a last chord, the note drawn last is the last struck
    assert not ends_long([*body, at(60, 2.0, 1.0), at(64, 2.0, 0.2)])
    assert ends_long([*body, at(64, 2.0, 0.2), at(60, 2.0, 1.0)])
    assert not ends_long([])


def test_restrikes_flams_and_durations_as_heard() -> None:
    notes = [
        at(60, 0.0, 1.0),  # struck again at 0.5 while it sounds
        at(60, 0.5, 0.2),
        at(62, 1.0, 0.2 + 1e-7),  # struck again as it ends (give or take rounding): not cut
        at(62, 1.2, 0.2),
        at(64, 2.0, 0.1),  # struck again 10 ms later: a flam, and re-struck
        at(64, 2.01, 0.19),
        at(65, 3.0, 0.1),  # struck again 40 ms later: re-struck, not a flam
        at(65, 3.04, 0.1),
    ]
    figures = hand_figures(C_MAJOR, notes[::-1])  # the order given does not matter
    assert figures["restruck"] == pytest.approx(3 / 8)
    assert figures["flams"] == pytest.approx(1 / 8)
    heard = [0.5, 0.2, 0.2, 0.2, 0.01, 0.19, 0.04, 0.1]
    np.testing.assert_allclose(heard_durations(notes), heard, atol=1e-6)
    assert figures["duration_std_heard"] == pytest.approx(np.std(heard), abs=1e-6)


def test_a_clean_line_has_no_restrikes() -> None:
    figures = hand_figures(C_MAJOR, C_MAJOR)
    assert figures["restruck"] == 0.0 and figures["flams"] == 0.0
    assert figures["duration_std_heard"] == pytest.approx(0.0)
