"""An answer's hand, pulse and ending, as they steer the draw."""

from __future__ import annotations

import math

import numpy as np
import pytest

from musicgen_live import contract
from musicgen_live.answer_shape import CHARACTER_MEMORY, LONG, Character, Ending, Hand, Pulse
from musicgen_live.sampling import sample_step


def row(pitch: int, step: float, duration: float, velocity: int = 64) -> np.ndarray:
    return np.array([pitch, step, duration, velocity], dtype=np.float32)


def test_the_hand_leaves_out_keys_held_on_and_keys_of_the_same_chord() -> None:
    hand = Hand()
    hand.play(row(60, 0.0, 2.0))  # held for two seconds
    hand.play(row(64, 0.5, 0.1))  # struck now, short
    bias = hand.held_bias(beyond=0.2)
    assert bias[60] == -np.inf  # still down well past the next onset
    assert bias[64] == -np.inf  # struck in this very chord: a flam
    assert bias[67] == 0
    hand.play(row(67, 0.3, 0.1))
    assert hand.held_bias(beyond=0.2)[64] == 0  # released by now: free to repeat


def test_the_ending_leans_to_the_tonic_and_long_notes_and_closes_on_one() -> None:
    c_major = np.array([[p, 0.2, 0.3, 64] for p in (60, 62, 64, 65, 67, 69, 71, 72)] * 2)
    ending = Ending.of(c_major, target=16)
    assert ending.tonic == 0
    assert ending.pitch_bias()[60] > 0 and ending.pitch_bias()[61] == 0
    hand = Hand()
    for _ in range(4):
        hand.play(row(64, 0.2, 0.25))
    lean = ending.duration_bias(72, hand)
    assert lean is not None and lean[-1] > 0 and lean[0] == 0
    assert ending.duration_bias(74, hand) is None  # not the tonic: durations as drawn
    hand.play(row(72, 0.2, 0.25 * LONG))
    assert ending.closes(row(72, 0.2, 0.25 * LONG), hand)
    hand.play(row(67, 0.2, 1.0))
    assert not ending.closes(row(67, 0.2, 1.0), hand)


def test_the_pulse_tilts_the_gaps_toward_the_phrase() -> None:
    steady = np.array([[60, 0.25, 0.2, 64]] * 12, dtype=np.float32)
    pulse = Pulse(steady)
    assert pulse.target == pytest.approx(0.25)
    for _ in range(8):
        pulse.play(row(60, 1.0, 0.2))  # the answer drags: gaps of a second
    lean = pulse.bias()
    assert lean is not None
    centres = pulse.centres
    shorter, longer = lean[np.argmin(abs(centres - 0.2))], lean[np.argmin(abs(centres - 1.0))]
    assert shorter > longer  # toward the phrase's pulse


def test_a_lower_rhythm_temperature_steadies_gaps_but_keeps_the_chord_share() -> None:
    logits = np.log(np.full(contract.SIZES["step"], 1.0))
    logits[0] = math.log(40)  # the chord class is the mode
    logits[20:24] = math.log(10)

    def draws(temperature: float) -> np.ndarray:
        rng = np.random.default_rng(0)
        return np.array([sample_step(logits, temperature, rng) for _ in range(4000)])

    warm, cool = draws(1.0), draws(0.5)
    assert np.mean(cool == 0) == pytest.approx(np.mean(warm == 0), abs=0.03)  # chords as many
    assert np.std(cool[cool > 0]) < 0.7 * np.std(warm[warm > 0])  # gaps steadier


def test_a_long_answer_that_strays_from_the_key_or_the_touch_leans_back() -> None:
    c_major = np.array([[p, 0.2, 0.3, 50] for p in (60, 62, 64, 65, 67, 69, 71, 72)] * 4)
    character = Character(c_major)
    assert not character.pitch_bias().any()  # nothing heard yet
    assert character.velocity_bias() is None
    for _ in range(CHARACTER_MEMORY):
        character.play(row(61, 0.2, 0.3, velocity=90))  # out of the scale, and loud
    bias = character.pitch_bias()
    assert bias[60] > 0 and bias[67] > 0 and bias[61] == 0 and bias[66] == 0
    lean = character.velocity_bias()
    assert lean is not None
    assert lean[2] > 0 > lean[-2]  # soft velocities likelier, loud ones less
    for _ in range(CHARACTER_MEMORY):
        character.play(row(64, 0.2, 0.3, velocity=50))  # back in the key, at its loudness
    assert not character.pitch_bias().any()
    assert not np.asarray(character.velocity_bias()).any()
