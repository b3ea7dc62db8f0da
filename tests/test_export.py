"""Exported TFLite models agree with their Keras originals (LiteRT runs them)."""

import json
from pathlib import Path

import numpy as np
import pytest

from musicgen_live.model.heads import OUTPUT_WIDTH
from musicgen_live.runtime import ModelRunner
from musicgen_live.training.windows import index_windows

ARCHITECTURES = ["rnn", "lstm", "bilstm", "lstm_attention", "seed", "embed_lstm"]


def real_windows(folder: Path, window: int, count: int) -> np.ndarray:
    from musicgen_live.training.datasets import load_corpus

    corpus = load_corpus(str(folder), progress=False)
    return index_windows(corpus.pieces["train"], window, count).arrays()[0]


@pytest.mark.slow
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_tflite_agrees_with_keras(arch: str, tmp_path: Path, midi_folder: Path) -> None:
    from musicgen_live.model.architectures import build_model
    from musicgen_live.model.export import convert, inference_model
    from musicgen_live.training.evaluate import stack_outputs

    window = 8
    keras_model = build_model(arch, window)
    flatbuffer = convert(inference_model(keras_model, arch, window))
    (tmp_path / "model.tflite").write_bytes(flatbuffer)
    (tmp_path / "model.json").write_text(json.dumps({"window": window, "arch": arch}))
    runner = ModelRunner.load(tmp_path)
    inputs = real_windows(midi_folder, window, 16)
    expected = stack_outputs(keras_model.predict(inputs, verbose=0))
    exported = np.stack([runner.predict(x) for x in inputs])
    assert exported.shape == (16, OUTPUT_WIDTH)
    np.testing.assert_allclose(exported, expected, atol=1e-4, rtol=0)


def test_model_card_describes_the_export(tiny_model: Path) -> None:
    card = json.loads((tiny_model / "model.json").read_text())
    assert card["arch"] == "embed_lstm" and card["window"] == 8
    assert card["input"]["features"] == ["pitch", "step", "duration", "velocity"]
    validation = card["metrics"]["splits"]["validation"]
    assert set(validation["model"]) >= {
        "pitch_nll",
        "pitch_accuracy",
        "step_mae",
        "duration_mae",
        "velocity_mae",
    }
    assert set(validation["ngram"]) == {"pitch_nll", "pitch_accuracy"}
    assert card["exported"]
