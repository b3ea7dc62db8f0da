"""The numbers in the evaluation table: per-head NLL, the histogram baseline, and the same
figures from a Keras model and from its export."""

from pathlib import Path

import numpy as np
import pytest

from musicgen_live import contract
from musicgen_live.training.metrics import head_metrics, histogram_baseline


def one_hot_logits(classes: np.ndarray, size: int, confidence: float) -> np.ndarray:
    logits = np.zeros((len(classes), size))
    logits[np.arange(len(classes)), classes] = confidence
    return logits


def test_head_nll_is_the_mean_negative_log_probability_of_the_true_class() -> None:
    next_notes = np.array([[60, 0.0, 0.5, 64], [62, 0.25, 1.0, 80]], np.float32)
    classes = contract.feature_bins(next_notes)
    logits = {
        name: one_hot_logits(classes[:, i], contract.SIZES[name], np.log(3.0))
        for i, name in enumerate(contract.FEATURES)
    }
    logits["pitch"][1] = 0.0  # second note: uniform over 128 pitches, and the argmax misses
    metrics = head_metrics(logits, next_notes)
    for name in ("step", "duration", "velocity"):
        # true class weight 3 against 1 for each other class
        expected = -np.log(3.0 / (3.0 + contract.SIZES[name] - 1))
        assert metrics[f"{name}_nll"] == pytest.approx(expected)
    pitch_first = -np.log(3.0 / (3.0 + 127))
    assert metrics["pitch_nll"] == pytest.approx((pitch_first + np.log(128)) / 2)
    assert metrics["pitch_accuracy"] == 0.5
    heads = ("pitch_nll", "step_nll", "duration_nll", "velocity_nll")
    assert metrics["loss"] == pytest.approx(sum(metrics[name] for name in heads))


def test_the_histogram_baseline_predicts_training_frequencies() -> None:
    train = np.array([[60, 0.0, 0.5, 64]] * 9 + [[61, 0.5, 0.5, 64]], np.float32)
    metrics = histogram_baseline(train, train[:1])
    steps = contract.SIZES["step"]
    # the chord bin was seen 9 times in 10, plus one for every bin (add-one smoothing)
    assert metrics["step_nll"] == pytest.approx(-np.log(10 / (10 + steps)))
    assert metrics["pitch_nll"] == pytest.approx(-np.log(10 / (10 + 128)))


@pytest.mark.slow
def test_keras_and_exported_models_give_the_same_table(tiny_run: Path, tmp_path: Path) -> None:
    """Read once, as Keras reads it (a model read in several keys is another model: its
    agreement with Keras is test_export's)."""
    from musicgen_live.model.architectures import load_checkpoint
    from musicgen_live.model.export import export_run
    from musicgen_live.runtime import ModelRunner
    from musicgen_live.training.datasets import load_corpus
    from musicgen_live.training.evaluate import evaluate_keras, evaluate_runner
    from musicgen_live.training.windows import index_windows

    runner = ModelRunner.load(export_run(tiny_run, tmp_path / "once", transposition=0))
    assert len(runner.readings) == 1 and runner.stateful
    corpus = load_corpus(runner.card["training"]["data"], progress=False)
    inputs, next_notes = index_windows(corpus.pieces["train"], runner.window, 40).arrays()
    keras_model = load_checkpoint(tiny_run / "checkpoints" / "best.keras")
    from_keras = evaluate_keras(keras_model, inputs, next_notes, sequence=True)
    from_export = evaluate_runner(runner, inputs, next_notes)
    assert from_keras.keys() == from_export.keys()
    for name, value in from_keras.items():
        assert from_export[name] == pytest.approx(value, abs=1e-4), name
