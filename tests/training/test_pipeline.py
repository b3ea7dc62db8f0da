"""Training batches: classes as the contract bins them, and augmentation that moves a
window and the notes it predicts together."""

import numpy as np

from musicgen_live import contract
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY
from musicgen_live.training.windows import index_windows


def piece(length: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.stack(
        [
            rng.integers(40, 90, length),
            rng.choice([0.0, 0.01, 0.12, 0.5, 1.3], length),
            rng.uniform(0.05, 2.0, length),
            rng.integers(1, 128, length),
        ],
        axis=1,
    ).astype(np.float32)


def test_sequence_batches_target_the_next_note_of_every_position() -> None:
    from musicgen_live.training.pipeline import window_dataset

    index = index_windows([("a", piece(60))], 8)
    inputs, labels = next(iter(window_dataset(index, 16, shuffle=False, sequence=True)))
    notes = index.notes
    expected = contract.feature_bins(notes[index.starts[:16, None] + np.arange(1, 9)[None, :]])
    np.testing.assert_array_equal(inputs["classes"].numpy(), expected)
    np.testing.assert_array_equal(labels["step"].numpy(), expected[..., STEP])
    np.testing.assert_allclose(
        inputs["notes"].numpy()[:, 1:], notes[index.starts[:16, None] + np.arange(1, 8)]
    )


def test_augmentation_shifts_and_stretches_windows_and_targets_alike() -> None:
    from musicgen_live.training.pipeline import Augmentation, window_dataset

    index = index_windows([("a", piece(80))], 8)
    data = window_dataset(
        index, 32, shuffle=False, sequence=True, augmentation=Augmentation(5, 0.1)
    )
    inputs, _ = next(iter(data))
    notes = inputs["notes"].numpy()
    original = index.notes[index.starts[:32, None] + np.arange(8)[None, :]]
    shifts = notes[..., PITCH] - original[..., PITCH]
    assert np.all(shifts == shifts[:, :1]) and np.abs(shifts).max() <= 5 and shifts.std() > 0
    moving = original[..., STEP] > 0.05
    ratios = notes[..., STEP][moving] / original[..., STEP][moving]
    assert ratios.min() >= 0.9 - 1e-4 and ratios.max() <= 1.1 + 1e-4 and ratios.std() > 0
    # the classes are those of the augmented next notes, which are the window shifted by one
    classes = inputs["classes"].numpy()
    np.testing.assert_array_equal(classes[:, :-1, PITCH], notes[:, 1:, PITCH].astype(int))


def test_values_on_bin_edges_get_the_same_class_in_training_and_at_run_time() -> None:
    from musicgen_live.training.pipeline import classes

    rows = np.zeros((len(contract.EDGES["step"]), 4), np.float32)
    rows[:, PITCH] = 60
    rows[:, STEP] = contract.EDGES["step"]
    rows[:, DURATION] = contract.EDGES["duration"]
    rows[:, VELOCITY] = 64
    np.testing.assert_array_equal(classes(rows).numpy(), contract.feature_bins(rows))


def test_stretching_keeps_chords_chords_and_moves_every_class_with_its_value() -> None:
    from musicgen_live.training.pipeline import Augmentation, window_dataset

    index = index_windows([("a", piece(80))], 8)
    for sequence in (True, False):
        data = window_dataset(
            index, 32, shuffle=False, sequence=sequence, augmentation=Augmentation(0, 0.5)
        )
        inputs, labels = next(iter(data))
        notes = inputs["notes"].numpy()
        original = index.notes[index.starts[:32, None] + np.arange(8)[None, :]]
        chords = original[..., STEP] < contract.CHORD_SECONDS
        np.testing.assert_array_equal(notes[..., STEP][chords], original[..., STEP][chords])
        assert (notes[..., STEP][~chords] >= contract.CHORD_SECONDS).all()
        durations = notes[..., DURATION], original[..., DURATION]
        assert not np.allclose(*durations)  # durations did stretch
        if sequence:  # the targets are the stretched window shifted by one
            expected = contract.feature_bins(notes[:, 1:])
            for name, column in (("step", STEP), ("duration", DURATION)):
                np.testing.assert_array_equal(labels[name].numpy()[:, :-1], expected[..., column])
        else:
            assert labels["step"].shape == (32,)
