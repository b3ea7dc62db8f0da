"""Following the player: a phrase moved to the corpus's tempo, loudness and register, and
the answer moved back."""

from __future__ import annotations

import numpy as np
import pytest

from musicgen_live.follow import FollowMap, Reference, onset_groups, pulse
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY

REFERENCE = Reference(pulse=0.2, velocity=70.0, pitch=64.0)


def phrase(step: float = 0.4, velocity: float = 40.0, pitch: int = 52) -> np.ndarray:
    """Chords of two notes every `step` seconds."""
    rows = []
    for index in range(16):
        rows.append([pitch + index % 5, step if index % 2 == 0 else 0.0, step, velocity])
    return np.array(rows, dtype=np.float32)


def test_the_pulse_is_the_median_gap_between_onset_groups() -> None:
    rows = phrase(step=0.4)
    assert len(onset_groups(rows[:, STEP])) == 8  # chords are one group each
    assert pulse(rows) == pytest.approx(0.4)
    rows[3, STEP] = 0.02  # a rolled chord: still one group
    assert pulse(rows) == pytest.approx(0.4, abs=0.03)
    assert pulse(rows[:3]) is None


def test_a_slow_soft_low_phrase_is_read_at_the_reference_and_the_answer_moved_back() -> None:
    rows = phrase(step=0.4, velocity=40, pitch=52)
    full = FollowMap.between(rows, REFERENCE, 1.0)
    into = full.into(rows)
    assert pulse(into) == pytest.approx(REFERENCE.pulse, rel=1e-5)
    assert into[:, VELOCITY].mean() == pytest.approx(REFERENCE.velocity, abs=0.5)
    assert abs(into[:, PITCH].mean() - REFERENCE.pitch) <= 0.5
    drawn = np.array([66, 0.2, 0.3, 72], dtype=np.float32)  # what the model plays
    heard = full.back(drawn)
    assert heard[STEP] == pytest.approx(0.4)  # at the player's pulse
    assert heard[VELOCITY] == pytest.approx(72 - (70 - 40), abs=1)
    assert heard[PITCH] == 66 - full.pitch
    assert 0.3 < heard[DURATION] < 0.6  # durations follow part of the way (DURATION_SHARE)


def test_half_the_speed_gives_half_the_pace_and_none_follows_nothing() -> None:
    at_one = FollowMap.between(phrase(step=0.2), REFERENCE, 1.0)
    at_half = FollowMap.between(phrase(step=0.4), REFERENCE, 1.0)
    drawn = np.array([64, 0.2, 0.3, 70], dtype=np.float32)
    assert at_half.back(drawn)[STEP] == pytest.approx(2 * at_one.back(drawn)[STEP])
    assert FollowMap.between(phrase(step=0.4), REFERENCE, 0.0).identity()
    assert FollowMap.between(phrase(step=0.4), None, 1.0).identity()
    halfway = FollowMap.between(phrase(step=0.4), REFERENCE, 0.5)
    assert halfway.time == pytest.approx(0.5**0.5)


def test_the_map_never_stretches_time_beyond_its_range() -> None:
    crawl = FollowMap.between(phrase(step=3.9), REFERENCE, 1.0)
    assert crawl.time >= 0.25


def test_a_reference_is_measured_from_windows() -> None:
    windows = [phrase(step=0.2, velocity=60, pitch=50), phrase(step=0.4, velocity=80, pitch=70)]
    measured = Reference.measured(windows + [phrase(step=0.3, velocity=70, pitch=60)])
    assert measured.pulse == pytest.approx(0.3, abs=1e-3)
    assert measured.velocity == pytest.approx(70)
