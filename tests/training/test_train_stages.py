"""The stages of a run: weight averaging (the mean of every step's weights, kept across a
stopped session), a restarted learning rate and a new dropout rate, on real runs."""

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

from musicgen_live.model.architectures import load_checkpoint
from musicgen_live.training.averaging import WeightAverage
from tests.helpers import copy_of, exit_code, one_line_error


class Recorder(keras.callbacks.Callback):
    """The weights after every training step."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[list[np.ndarray]] = []

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.steps.append(self.model.get_weights())


def small_model() -> keras.Model:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def fit(model: keras.Model, run: Path, epochs: tuple[int, int], recorder: Recorder) -> None:
    rng = np.random.default_rng(epochs[0])
    x, y = rng.normal(size=(64, 3)), rng.normal(size=(64, 1))
    validation = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    average = WeightAverage(run, epochs[0], validation)
    model.fit(
        x, y, batch_size=16, initial_epoch=epochs[0], epochs=epochs[1], verbose=0,
        callbacks=[recorder, average],
    )  # fmt: skip


def saved_average(run: Path) -> list[np.ndarray]:
    return load_checkpoint(run / "checkpoints" / "average.keras").get_weights()


def assert_mean_of(steps: list[list[np.ndarray]], run: Path) -> None:
    for saved, *each in zip(saved_average(run), *steps, strict=True):
        np.testing.assert_allclose(saved, np.mean(each, axis=0), rtol=1e-5, atol=1e-6)


def test_the_average_is_the_mean_of_every_steps_weights_and_survives_a_stop(
    tmp_path: Path,
) -> None:
    (tmp_path / "checkpoints").mkdir()
    model, recorder = small_model(), Recorder()
    fit(model, tmp_path, (0, 2), recorder)
    assert len(recorder.steps) == 8
    assert_mean_of(recorder.steps, tmp_path)
    latest = model.get_weights()
    assert not np.allclose(latest[0], saved_average(tmp_path)[0])  # training went on unchanged
    record = json.loads((tmp_path / "average.json").read_text())
    assert (record["steps"], record["epoch"]) == (8, 2) and record["val_loss"] > 0

    resumed = Recorder()  # a new session resumes after epoch 2 and adds to the same mean
    fit(model, tmp_path, (2, 3), resumed)
    assert_mean_of(recorder.steps + resumed.steps, tmp_path)

    fresh = Recorder()  # an older mean (from epoch 3, resuming after 5) is not continued
    fit(model, tmp_path, (5, 6), fresh)
    assert_mean_of(fresh.steps, tmp_path)


@pytest.mark.slow
def test_a_resumed_run_restarts_its_learning_rate_averages_and_exports_the_average(
    tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = copy_of(tiny_run, tmp_path)
    argv = ["train", "--out", str(run), "--resume", "--epochs", "3", "--average"]
    assert exit_code([*argv, "--learning-rate", "0.002"]) == 0
    printed = capsys.readouterr().out
    assert "learning rate restarted at 0.002" in printed
    assert "weights averaged over 20 steps" in printed  # one epoch of 20 steps
    last = load_checkpoint(run / "checkpoints" / "last.keras")
    assert float(last.optimizer.learning_rate) == pytest.approx(0.002)  # constant: no decay
    stages = json.loads((run / "stages.json").read_text())
    assert stages[-1] == {
        "from_epoch": 2, "transpose": 2, "stretch": 0.1, "average": True, "learning_rate": 0.002
    }  # fmt: skip
    assert json.loads((run / "metrics.json").read_text())["checkpoint"] == "average"

    model = tmp_path / "model"
    assert exit_code(["export", str(run), "--out", str(model)]) == 0
    card = json.loads((model / "model.json").read_text())
    assert card["training"]["checkpoint"] == "average"
    assert card["metrics"]["checkpoint"] == "average"
    exported = load_checkpoint(model / "model.keras").get_weights()
    for saved, average in zip(exported, saved_average(run), strict=True):
        np.testing.assert_array_equal(saved, average)

    again = ["export", str(run), "--out", str(model), "--checkpoint", "best", "--force"]
    assert exit_code(again) == 0  # replaces the model exported above
    card = json.loads((model / "model.json").read_text())
    assert card["training"]["checkpoint"] == "best" and card["metrics"] == {}


def test_averaging_refuses_a_multi_worker_run(
    tmp_path: Path, midi_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["train", "--data", str(midi_folder), "--out", str(tmp_path / "run"), "--average"]
    line = one_line_error(capsys, [*argv, "--strategy", "multi-worker"])
    assert line.endswith("--average needs the default or mirrored strategy, not multi-worker")
    assert not (tmp_path / "run").exists()


def test_dropout_sets_every_dropout_layer_of_the_body_and_trains_at_that_rate() -> None:
    from musicgen_live.model.architectures import build_model, set_dropout

    model = build_model("note_lstm", 8)
    set_dropout(model, 0.5)
    body = model.get_layer("body")
    rates = [layer.rate for layer in body.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.5, 0.5]
    notes = np.tile([[60.0, 0.2, 0.3, 64.0]], (64, 8, 1)).astype("float32")
    dropped = np.mean(np.asarray(body(notes, training=True)) == 0)
    assert 0.45 < dropped < 0.55
    assert np.all(np.asarray(body(notes, training=False)) != 0)


def test_dropout_is_refused_for_a_network_without_dropout_layers(
    tmp_path: Path, midi_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["train", "--data", str(midi_folder), "--out", str(tmp_path / "run"), "--arch", "rnn"]
    line = one_line_error(capsys, [*argv, "--dropout", "0.2"])
    assert line.endswith("--dropout: the rnn architecture has no dropout layers")
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_a_resumed_run_may_raise_its_dropout(
    tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = copy_of(tiny_run, tmp_path)
    assert (
        exit_code(["train", "--out", str(run), "--resume", "--epochs", "3", "--dropout", "0.25"])
        == 0
    )
    body = load_checkpoint(run / "checkpoints" / "last.keras").get_layer("body")
    rates = [layer.rate for layer in body.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.25, 0.25]
    stages = json.loads((run / "stages.json").read_text())
    assert stages[-1] == {"from_epoch": 2, "transpose": 2, "stretch": 0.1, "dropout": 0.25}
    model = tmp_path / "model"
    assert exit_code(["export", str(run), "--out", str(model)]) == 0
    assert json.loads((model / "model.json").read_text())["training"]["dropout"] == 0.25
