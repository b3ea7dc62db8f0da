from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pytest

from musicgen_live.notes import Note
from musicgen_live.training.music import HeldOutPhrase
from musicgen_live.training.music_follow import (
    CONDITIONS,
    PLAIN,
    TEMPI,
    Answers,
    at_tempo,
    follow_figures,
    off_pulse,
    played_as,
    pulse_of,
    real_answers,
)


def playing(count: int, start: float = 0.0, velocity: int | None = None) -> list[Note]:
    """Notes that breathe: chords, uneven gaps, varied lengths and loudness."""
    gaps = [0.0, 0.01, 0.4, 0.2, 0.9, 0.0, 0.15]
    notes, time = [], start
    for i in range(count):
        time += gaps[i % len(gaps)]
        loud = 40 + (i * 13) % 60 if velocity is None else velocity
        notes.append(Note(48 + (i * 7) % 24, loud, time, time + 0.1 + 0.3 * (i % 5)))
    return notes


def phrases(count: int = 3, velocity: int | None = None) -> list[HeldOutPhrase]:
    found = []
    for index in range(count):
        notes = playing(64 + 3 * index, start=1.0 + index, velocity=velocity)
        found.append(HeldOutPhrase(f"piece {index}", notes[:32], notes[32:]))
    return found


Answer = Callable[[str, HeldOutPhrase, HeldOutPhrase], Sequence[Note]]


def answered(held_out: list[HeldOutPhrase], answer: Answer) -> Answers:
    """One answer per phrase and condition: answer(condition, phrase as played, at x1)."""
    return {
        condition: [[answer(condition, played_as(held, condition), held)] for held in held_out]
        for condition in CONDITIONS
    }


def test_conditions_play_the_phrase_and_its_continuation_alike() -> None:
    (held,) = phrases(1, velocity=64)
    slow = played_as(held, "x0.5")
    assert pulse_of(slow.phrase) == pytest.approx(2 * pulse_of(held.phrase))
    assert slow.real[0].start - slow.phrase[-1].start == pytest.approx(
        2 * (held.real[0].start - held.phrase[-1].start)
    )
    assert slow.phrase[0].start == held.phrase[0].start  # scaled from the first onset
    assert slow.real[3].duration == pytest.approx(2 * held.real[3].duration)
    soft, loud = played_as(held, "soft"), played_as(held, "loud")
    assert {n.velocity for n in soft.phrase + soft.real} == {40}
    assert {n.velocity for n in loud.phrase + loud.real} == {100}
    (varied,) = phrases(1)
    for condition, mean in (("soft", 40), ("loud", 100)):
        played = played_as(varied, condition).phrase
        assert np.mean([n.velocity for n in played]) == pytest.approx(mean, abs=0.5)
    up = played_as(held, "+12")
    assert [n.pitch for n in up.real] == [n.pitch + 12 for n in held.real]
    assert played_as(held, PLAIN) == held


def test_the_real_continuation_follows_fully() -> None:
    held_out = phrases()
    figures = follow_figures(held_out, real_answers(held_out))
    assert figures["tempo_slope"] == pytest.approx(1.0)
    assert figures["loudness_slope"] == pytest.approx(1.0, abs=0.01)  # velocities are whole
    assert figures["register_slope"] == pytest.approx(1.0)
    assert figures["off_pulse"] == 1.0  # its pulse is 0.66x the phrase's (0.2 s against 0.305)


def test_an_answer_that_ignores_the_player_scores_zero() -> None:
    held_out = phrases()
    figures = follow_figures(held_out, answered(held_out, lambda c, played, plain: plain.real))
    assert figures["tempo_slope"] == pytest.approx(0.0, abs=1e-9)
    assert figures["loudness_slope"] == 0.0 and figures["register_slope"] == 0.0


def test_half_following_answers_score_a_half() -> None:
    held_out = phrases(velocity=64)

    def half(condition: str, played: HeldOutPhrase, plain: HeldOutPhrase) -> list[Note]:
        factor = TEMPI.get(condition, 1.0) ** 0.5  # tempo followed half way, in log
        notes = at_tempo(plain, factor)(plain.real)
        velocity = {"soft": 55, "loud": 85}.get(condition, 64)  # 30 of the phrase's 60
        shift = {"-12": -3, "+12": 3}.get(condition, 0)  # 6 of 24 semitones
        return [replace(n, velocity=velocity, pitch=n.pitch + shift) for n in notes]

    figures = follow_figures(held_out, answered(held_out, half))
    assert figures["tempo_slope"] == pytest.approx(0.5)
    assert figures["loudness_slope"] == pytest.approx(0.5)
    assert figures["register_slope"] == pytest.approx(0.25)


def test_tempo_slope_averages_pulses_in_log_over_samples() -> None:
    held_out = phrases(1)
    answers = real_answers(held_out)
    # at x2, two samples at twice and half the real pulse there: their mean in log is the
    # real one (plainly averaged, the pulse would be 1.25x too slow and the slope below 1)
    (held,) = held_out
    fast = played_as(held, "x2")
    answers["x2"] = [[at_tempo(fast, 0.5)(fast.real), at_tempo(fast, 2.0)(fast.real)]]
    assert follow_figures(held_out, answers)["tempo_slope"] == pytest.approx(1.0)


def test_off_the_pulse_counts_single_answers_more_than_1_5x_off() -> None:
    held_out = phrases(2)
    first, second = held_out

    def samples(held: HeldOutPhrase) -> list[Sequence[Note]]:
        return [
            held.phrase,  # on the phrase's pulse
            at_tempo(held, 1.4)(held.phrase),  # 1/1.4 of it: still on
            at_tempo(held, 0.6)(held.phrase),  # 1.67x: off
            held.phrase[:3],  # no pulse at all: off
        ]

    answers: Answers = {PLAIN: [samples(first), samples(second)]}
    assert off_pulse(held_out, answers) == pytest.approx(0.5)
    assert pulse_of(first.phrase[:3]) is None
