"""How a note is drawn: temperature, nucleus and pitch range, and the values that cannot
sample."""

from dataclasses import replace

import numpy as np
import pytest

from musicgen_live.sampling import Sampling, sample_class, sample_pitch


def entropy(samples: list[int]) -> float:
    counts = np.bincount(samples) / len(samples)
    counts = counts[counts > 0]
    return float(-(counts * np.log(counts)).sum())


def test_a_higher_temperature_spreads_the_choices() -> None:
    logits = np.linspace(0, 6, 40)
    draws = {
        t: [sample_class(logits, t, np.random.default_rng(i)) for i in range(2000)]
        for t in (0.5, 1.0, 2.0)
    }
    assert entropy(draws[0.5]) < entropy(draws[1.0]) < entropy(draws[2.0])


def test_a_higher_pitch_temperature_spreads_the_pitches() -> None:
    logits = np.full(128, -30.0)
    logits[40:80] = np.linspace(0, 6, 40)
    everything = Sampling(top_p=1.0, register=None)  # no nucleus, no range: temperature only
    draws = {
        t: [
            sample_pitch(logits, replace(everything, temperature=t), np.random.default_rng(i))
            for i in range(2000)
        ]
        for t in (0.5, 1.0, 2.0)
    }
    assert entropy(draws[0.5]) < entropy(draws[1.0]) < entropy(draws[2.0])


def test_top_p_keeps_only_the_nucleus_and_the_pitch_range() -> None:
    logits = np.full(128, -10.0)
    logits[[60, 64, 67]] = [3.0, 2.0, 1.0]  # these three hold nearly all the mass
    logits[40] = 2.5  # likely, but out of range
    rng = np.random.default_rng(1)
    narrow = Sampling(top_p=0.5, low=50, high=80)
    assert {sample_pitch(logits, narrow, rng) for _ in range(300)} == {60}
    wide = Sampling(top_p=0.99, low=50, high=80)
    assert {sample_pitch(logits, wide, rng) for _ in range(300)} == {60, 64, 67}


@pytest.mark.parametrize(
    "options",
    [
        {"temperature": float("nan")},
        {"rhythm_temperature": 0.0},
        {"dynamics_temperature": -1.0},
        {"top_p": 1.5},
        {"low": 90, "high": 80},
    ],
)
def test_sampling_refuses_values_that_cannot_sample(options: dict) -> None:
    with pytest.raises(ValueError):
        Sampling(**options)


def test_the_register_follows_the_seed_inside_the_users_range() -> None:
    melody = np.array([72, 76, 79, 84])
    assert Sampling(register=7).within(melody) == Sampling(register=7, low=65, high=91)
    assert Sampling(register=7, low=70, high=88).within(melody).low == 70  # the user's range wins
    assert Sampling(register=None).within(melody) == Sampling(register=None)
    # a seed outside the user's range keeps the user's range rather than an empty one
    assert Sampling(register=2, low=21, high=40).within(melody) == Sampling(
        register=2, low=21, high=40
    )
