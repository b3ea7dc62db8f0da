"""The LiteRT runner: notes drawn from the heads, readings in several keys, and refusing a
model whose card does not match."""

import json
import shutil
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from musicgen_live import contract
from musicgen_live.answer_shape import AnswerShape
from musicgen_live.errors import ModelError
from musicgen_live.follow import pulse
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY, clip_features
from musicgen_live.readings import Readings
from musicgen_live.runtime import CARRY_NOTES, ModelRunner, fill_window
from musicgen_live.sampling import Sampling


def test_notes_come_out_in_range_with_chords_and_reproducibly(tiny_model: Path) -> None:
    runner = ModelRunner.load(tiny_model)
    seed = np.array([[60 + i % 12, 0.1 * (i % 3), 0.3, 50 + i] for i in range(12)], np.float32)
    sampling = Sampling(low=48, high=72)
    first = np.stack(
        [
            row
            for _, row in zip(
                range(200), runner.generate(seed, sampling, np.random.default_rng(3)), strict=False
            )
        ]
    )
    again = np.stack(
        [
            row
            for _, row in zip(
                range(200), runner.generate(seed, sampling, np.random.default_rng(3)), strict=False
            )
        ]
    )
    np.testing.assert_array_equal(first, again)
    assert first[:, PITCH].min() >= 48 and first[:, PITCH].max() <= 72
    assert (first[:, STEP] == 0).any() and (first[:, STEP] > 0).any()
    assert first[:, STEP].max() <= contract.MAX_SECONDS and first[:, DURATION].min() > 0
    assert first[:, VELOCITY].min() >= 1 and first[:, VELOCITY].max() <= 127


def copy_with(tiny_model: Path, folder: Path, **fields: object) -> Path:
    shutil.copytree(tiny_model, folder)
    card = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(card | fields))
    return folder


def test_a_card_whose_window_differs_from_the_model_is_refused(
    tiny_model: Path, tmp_path: Path
) -> None:
    with pytest.raises(ModelError, match="window") as error:
        ModelRunner.load(copy_with(tiny_model, tmp_path / "m", window=32))
    assert "\n" not in str(error.value)


def test_a_card_of_another_format_is_refused_naming_the_field(
    tiny_model: Path, tmp_path: Path
) -> None:
    with pytest.raises(ModelError, match="field format"):
        ModelRunner.load(copy_with(tiny_model, tmp_path / "m", format=1))


def test_answers_stay_within_the_register_of_the_seed(tiny_model: Path) -> None:
    runner = ModelRunner.load(tiny_model)
    seed = np.array([[p, 0.2, 0.3, 70] for p in (72, 74, 76, 79, 81, 84)], np.float32)
    rows = np.stack(
        [
            row
            for _, row in zip(
                range(300),
                runner.generate(seed, Sampling(register=3), np.random.default_rng(0)),
                strict=False,
            )
        ]
    )
    assert rows[:, PITCH].min() >= 69 and rows[:, PITCH].max() <= 87


def test_readings_in_other_keys_are_moved_back_to_the_phrases_key() -> None:
    readings = Readings((-1, 0, 2))
    window = np.array([[60, 0.1, 0.2, 80], [127, 0.0, 0.5, 90]], np.float32)
    batch = readings.rows(window)
    assert batch[:, 0, PITCH].tolist() == [59, 60, 62]
    assert batch[:, 1, PITCH].tolist() == [126, 127, 127]
    assert np.all(batch[:, :, STEP:] == window[:, STEP:])  # only pitch moves
    logits = np.full((3, 128), -50.0)
    logits[0, 63], logits[1, 64], logits[2, 66] = 50.0, 50.0, 50.0  # each says the same pitch
    chances = np.exp(readings.pitch(logits))
    assert chances[64] == pytest.approx(1.0, abs=1e-6)
    assert readings.given("pitch", 64).tolist() == [63, 64, 66]  # heads see it in their key
    assert readings.given("step", 5).tolist() == [5, 5, 5]
    step_logits = np.log(np.array([[0.5, 0.5], [1.0, 1e-9], [1.0, 1e-9]]))
    assert np.exp(readings.head(step_logits)) == pytest.approx([5 / 6, 1 / 6], abs=1e-6)
    once = Readings((0,))
    assert np.array_equal(once.pitch(logits[:1]), logits[0])  # read once: the logits as they are


def test_a_card_whose_transpositions_differ_from_the_model_is_refused(
    tiny_model: Path, tmp_path: Path
) -> None:
    with pytest.raises(ModelError, match="transpositions say") as error:
        ModelRunner.load(copy_with(tiny_model, tmp_path / "m", transpositions=[-1, 0, 1]))
    assert "\n" not in str(error.value)


def test_a_stateful_runner_reads_the_seed_once_then_advances_note_by_note(
    tiny_model: Path,
) -> None:
    runner = ModelRunner.load(tiny_model)
    assert runner.stateful and len(runner.readings) == 5
    seed = np.array([[60 + i % 7, 0.15 * (i % 3), 0.3, 60 + 3 * i] for i in range(12)], np.float32)
    as_played = Sampling(follow=0.0)  # the phrase read as it is (follow.py is tested apart)
    made = list(islice(runner.generate(seed, as_played, np.random.default_rng(3)), 6))

    rng, window = np.random.default_rng(3), fill_window(seed, runner.window)
    sampling = as_played.within(window[:, PITCH])
    reading, expected, shape = runner.body(window), [], AnswerShape(window)
    for _ in range(6):
        expected.append(runner.draw(reading, sampling, rng, shape))
        shape.play(expected[-1])
        assert reading.state is not None
        reading = runner.step(clip_features(expected[-1][None])[0], reading.state)
    np.testing.assert_array_equal(np.array(made), np.array(expected))


def test_a_stateful_runner_reads_its_window_afresh_once_its_memory_spans_carry_notes(
    tiny_model: Path,
) -> None:
    runner = ModelRunner.load(tiny_model)
    reads, steps = [], []
    body, step = runner.body, runner.step
    runner.body = lambda window: reads.append(len(steps)) or body(window)  # type: ignore[method-assign]
    runner.step = lambda row, state: steps.append(row) or step(row, state)  # type: ignore[method-assign]
    seed = np.array([[60 + i % 7, 0.1, 0.2, 70] for i in range(8)], np.float32)
    list(islice(runner.generate(seed, Sampling(), np.random.default_rng(0)), 600))
    carried = CARRY_NOTES - runner.window  # notes stepped after each read of 8
    assert reads == [0, carried, 2 * carried]
    assert len(steps) == 600 - 1 - 2  # every note after the first: a step or a read


def test_a_phrase_at_half_speed_is_answered_at_half_the_pace(tiny_model: Path) -> None:
    runner = ModelRunner.load(tiny_model)
    assert runner.reference is not None
    seed = np.array([[60 + i % 7, 0.2 * (i % 2), 0.3, 70] for i in range(16)], np.float32)
    slow = seed.copy()
    slow[:, STEP] *= 2
    slow[:, DURATION] *= 2

    def pace(rows: np.ndarray, follow: float) -> float:
        """The answers' pulse, averaged in log over a few draws."""
        pulses = []
        for draw in range(6):
            stream = runner.generate(rows, Sampling(follow=follow), np.random.default_rng(draw))
            pulses.append(pulse(np.array(list(islice(stream, 32)))) or np.nan)
        return float(np.exp(np.nanmean(np.log(pulses))))

    followed = pace(slow, 1.0) / pace(seed, 1.0)
    assert 1.6 < followed < 2.5  # half the speed: about half the pace
    assert pace(slow, 0.0) / pace(seed, 0.0) < followed  # read as played, it follows less
