"""Exported TFLite models agree with their Keras originals in every signature (LiteRT runs
them), and model.json records the contract the runtime checks."""

import json
from pathlib import Path

import numpy as np
import pytest

from musicgen_live import contract
from musicgen_live.runtime import ModelRunner
from musicgen_live.training.windows import index_windows

ARCHITECTURES = ["rnn", "lstm", "bilstm", "lstm_attention", "seed", "embed_lstm", "note_lstm"]


def real_windows(folder: Path, window: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    from musicgen_live.training.datasets import load_corpus

    corpus = load_corpus(str(folder), progress=False)
    return index_windows(corpus.pieces["train"], window, count).arrays()


@pytest.mark.slow
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_every_signature_agrees_with_keras(arch: str, tmp_path: Path, midi_folder: Path) -> None:
    from musicgen_live.model.architectures import SEQUENCE_ARCHITECTURES, build_model
    from musicgen_live.model.export import convert
    from musicgen_live.training.metrics import classes_of_windows

    window = 8
    keras_model = build_model(arch, window)
    (tmp_path / "model.tflite").write_bytes(convert(keras_model, arch, window))
    (tmp_path / "model.json").write_text(json.dumps({**contract.describe(window), "arch": arch}))
    runner = ModelRunner.load(tmp_path)
    inputs, next_notes = real_windows(midi_folder, window, 16)
    sequence = arch in SEQUENCE_ARCHITECTURES
    classes = (
        classes_of_windows(inputs, next_notes) if sequence else contract.feature_bins(next_notes)
    )
    expected = keras_model.predict({"notes": inputs, "classes": classes}, verbose=0)
    for i, (notes, following) in enumerate(zip(inputs, next_notes, strict=True)):
        exported = runner.logits(notes, following)  # body, then every head signature
        for name in contract.ORDER:
            keras_logits = expected[name][i, -1] if sequence else expected[name][i]
            assert exported[name].shape == (contract.SIZES[name],)
            np.testing.assert_allclose(exported[name], keras_logits, atol=1e-4, rtol=0)


def test_model_card_describes_the_export(tiny_model: Path) -> None:
    card = json.loads((tiny_model / "model.json").read_text())
    assert card["arch"] == "note_lstm" and card["window"] == 8
    assert card["format"] == contract.FORMAT
    assert card["features"] == ["pitch", "step", "duration", "velocity"]
    assert card["order"] == list(contract.ORDER)
    assert set(card["signatures"]) == {"body", "step", "duration", "velocity"}
    assert contract.mismatch(card) is None
    validation = card["metrics"]["splits"]["validation"]
    heads = {"pitch_nll", "pitch_accuracy", "step_nll", "duration_nll", "velocity_nll"}
    assert set(validation["model"]) >= heads
    assert set(validation["ngram"]) == {"pitch_nll", "pitch_accuracy"}
    assert set(validation["histogram"]) >= heads - {"pitch_accuracy"}
    assert card["training"]["augmentation"] == [{"from_epoch": 0, "transpose": 2, "stretch": 0.1}]
    assert card["exported"]
