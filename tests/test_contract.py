"""The model contract: bins, values drawn inside them, and what model.json must say."""

import numpy as np
import pytest

from musicgen_live import contract


def test_step_bins_put_chord_notes_first_and_cover_every_gap() -> None:
    steps = np.array([0.0, 0.01, 0.029, 0.03, 0.5, 3.99, 4.0, 60.0])
    bins = contract.to_bins("step", steps)
    assert bins[:3].tolist() == [0, 0, 0]  # with the previous note
    assert bins[3] == 1
    assert bins[-1] == bins[-2] == contract.SIZES["step"] - 1
    assert np.all(np.diff(bins) >= 0)


def test_values_drawn_from_a_bin_fall_back_into_it() -> None:
    rng = np.random.default_rng(0)
    for name in ("step", "duration", "velocity"):
        for index in range(contract.SIZES[name]):
            value = contract.from_bin(name, index, rng)
            assert contract.to_bins(name, np.array([value]))[0] == index, (name, index, value)
    assert contract.from_bin("step", 0, rng) == 0.0  # a chord's notes leave together


def test_velocity_classes_cover_midi_velocity() -> None:
    bins = contract.to_bins("velocity", np.arange(1, 128))
    assert bins[0] == 0 and bins[-1] == contract.SIZES["velocity"] - 1
    assert len(set(bins.tolist())) == contract.SIZES["velocity"]


def test_heads_are_conditioned_on_the_attributes_sampled_before_them() -> None:
    assert contract.conditions("pitch") == ()
    assert contract.conditions("velocity") == ("pitch", "step", "duration")
    assert contract.signatures()["duration"]["inputs"] == ["hidden", "pitch", "step"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": 1}, "format"),
        ({"window": "32"}, "window"),
        ({"window": 0}, "window"),
        ({"order": ["step", "pitch", "duration", "velocity"]}, "order"),
        ({"order": [1, 2, 3, 4]}, "order"),
        ({"max_seconds": 8.0}, "max_seconds"),
        ({"bins": {}}, "bins"),
        ({"signatures": {"body": {}}}, "signatures"),
        ({"transpositions": [1, 2]}, "transpositions"),  # not read in its own key
        ({"transpositions": [0, 0]}, "transpositions"),
        ({"transpositions": [0, 13]}, "transpositions"),
        ({"transpositions": "0"}, "transpositions"),
        ({"stateful": "yes"}, "stateful"),
        ({"stateful": True}, "signatures"),  # without the advance signature
        ({"reference": {"pulse": 0.17, "velocity": 78.5}}, "reference"),
        ({"reference": {"pulse": 0.17, "velocity": 300, "pitch": 65.5}}, "reference"),
    ],
)
def test_a_card_that_does_not_match_names_the_field(change: dict, field: str) -> None:
    card = contract.describe(32) | change
    problem = contract.mismatch(card)
    assert problem is not None and problem.startswith(field)
    assert contract.mismatch(contract.describe(32)) is None


def test_a_format_2_card_reads_every_window_once_and_carries_no_state() -> None:
    card = contract.describe(32)
    old = {k: v for k, v in card.items() if k not in ("transpositions", "stateful")}
    old["format"] = 2
    assert contract.mismatch(old) is None
    assert contract.transpositions(old) == (0,) and not contract.is_stateful(old)
    assert contract.mismatch({**card, "format": 3, "transpositions": None}) is not None


def test_a_stateful_model_has_a_signature_that_advances_its_state() -> None:
    signatures = contract.signatures(stateful=True)
    assert signatures["body"]["outputs"] == ["hidden", "pitch", "state"]
    assert signatures["advance"] == {
        "inputs": ["note", "state"],
        "outputs": ["hidden", "pitch", "state"],
    }
    assert contract.shifts_within(2) == [-2, -1, 0, 1, 2] and contract.shifts_within(0) == [0]
