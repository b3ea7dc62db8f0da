"""Exported TFLite models agree with their Keras originals in every signature (LiteRT runs
them), and model.json records the contract the runtime checks."""

import dataclasses
import datetime
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from musicgen_live import contract
from musicgen_live.follow import Reference
from musicgen_live.notes import PITCH, clip_features
from musicgen_live.runtime import ModelRunner
from musicgen_live.training.windows import index_windows
from tests.helpers import exit_code

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
    # a recurrent model carries its state; trained on pieces transposed by up to 2 semitones,
    # it reads each window at -2..2
    assert card["stateful"] is True and card["transpositions"] == [-2, -1, 0, 1, 2]
    assert set(card["signatures"]) == {"body", "advance", "step", "duration", "velocity"}
    assert contract.mismatch(card) is None
    validation = card["metrics"]["splits"]["validation"]
    heads = {"pitch_nll", "pitch_accuracy", "step_nll", "duration_nll", "velocity_nll"}
    assert set(validation["model"]) >= heads
    assert set(validation["ngram"]) == {"pitch_nll", "pitch_accuracy"}
    assert set(validation["histogram"]) >= heads - {"pitch_accuracy"}
    assert card["training"]["augmentation"] == [{"from_epoch": 0, "transpose": 2, "stretch": 0.1}]
    assert card["training"]["checkpoint"] == "best" and card["training"]["epochs_trained"] == 2
    exported = datetime.datetime.fromisoformat(card["exported"])
    assert exported.utcoffset() == datetime.timedelta(0)
    assert exported <= datetime.datetime.now(datetime.UTC)


def test_the_card_holds_the_reference_of_the_runs_training_windows(
    tiny_run: Path, tiny_model: Path
) -> None:
    """What follow.py moves a phrase toward is measured on the run's own training pieces,
    in windows of the card's length, one every half window."""
    from musicgen_live.training.datasets import load_corpus

    card = json.loads((tiny_model / "model.json").read_text())
    config = json.loads((tiny_run / "config.json").read_text())
    corpus = load_corpus(config["data"], cache_dir=Path(config["cache_dir"]), progress=False)
    windows = [
        clip_features(rows)[start : start + 8]
        for _, rows in corpus.pieces["train"]
        for start in range(0, len(rows) - 8 + 1, 4)
    ]
    assert card["reference"] == dataclasses.asdict(Reference.measured(windows))
    assert list(card).index("reference") == list(card).index("stateful") + 1
    assert contract.mismatch(card) is None
    assert ModelRunner.load(tiny_model).reference == Reference(**card["reference"])


def test_a_run_whose_data_is_gone_exports_without_a_reference(
    tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from musicgen_live.model.export import corpus_reference
    from musicgen_live.train_config import TrainConfig, load_dataclass

    config = load_dataclass(TrainConfig, tiny_run / "config.json")
    moved = dataclasses.replace(config, data=str(tmp_path / "moved"))
    assert corpus_reference(moved) is None
    assert "no reference in the card, the model will not follow the player: no such data" in (
        capsys.readouterr().err
    )


def test_a_card_without_a_reference_loads_and_answers_as_the_model_plays(
    tiny_model: Path, tmp_path: Path, midi_folder: Path
) -> None:
    """A model exported before cards had a reference: follow then moves nothing."""
    from musicgen_live.sampling import Sampling

    model = tmp_path / "older"
    shutil.copytree(tiny_model, model)
    card = json.loads((model / "model.json").read_text())
    del card["reference"]
    (model / "model.json").write_text(json.dumps(card))
    # a slow, soft phrase: the model with its reference answers it slowly and softly
    seed = real_windows(midi_folder, 8, 1)[0][0] * np.array([1, 3, 3, 0.5], np.float32)

    def answer(runner: ModelRunner, follow: float) -> np.ndarray:
        rows = runner.generate(seed, Sampling(follow=follow), np.random.default_rng(1), 8)
        return np.stack(list(rows))

    with_reference = ModelRunner.load(tiny_model)
    assert not np.array_equal(answer(with_reference, 0.0), answer(with_reference, 1.0))
    runner = ModelRunner.load(model)
    assert runner.reference is None
    np.testing.assert_array_equal(answer(runner, 0.0), answer(runner, 1.0))


def test_export_replaces_a_model_only_with_force_and_whole(
    tiny_run: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "mine"
    shutil.copytree(tiny_model, model)
    (model / "notes.txt").write_text("mine")
    argv = ["export", str(tiny_run), "--out", str(model), "--transpositions", "0"]
    assert exit_code(argv) == 2
    assert "holds a model (model.json, model.tflite): add --force" in capsys.readouterr().err
    assert exit_code([*argv, "--force"]) == 0
    assert json.loads((model / "model.json").read_text())["transpositions"] == [0]
    assert ModelRunner.load(model).window == 8
    names = sorted(path.name for path in model.iterdir())
    assert names == ["model.json", "model.keras", "model.tflite", "notes.txt"]  # no partials


def test_the_export_writes_one_model_for_litert_and_keras(
    tiny_model: Path, midi_folder: Path
) -> None:
    """model.keras is the model model.tflite runs: read in the card's keys, their
    distributions for the next note agree."""
    from musicgen_live.model.architectures import load_checkpoint
    from musicgen_live.training.metrics import log_softmax

    card = json.loads((tiny_model / "model.json").read_text())
    original = load_checkpoint(tiny_model / "model.keras")
    assert card["parameters"] == original.count_params()
    runner = ModelRunner.load(tiny_model)
    inputs, next_notes = real_windows(midi_folder, card["window"], 6)
    pitches = inputs[..., PITCH]
    assert pitches.min() >= 2 and pitches.max() <= 125  # no shift leaves 0-127
    expected = keras_readings(original, inputs, next_notes, card["transpositions"])
    for i, (notes, following) in enumerate(zip(inputs, next_notes, strict=True)):
        exported = runner.logits(notes, following)
        for name in contract.ORDER:
            got = log_softmax(exported[name][None].astype(np.float64))[0]
            np.testing.assert_allclose(got, expected[name][i], atol=1e-4, rtol=0)


def keras_readings(
    model: object, inputs: np.ndarray, next_notes: np.ndarray, shifts: list[int]
) -> dict[str, np.ndarray]:
    """What a model read at every shift predicts at each window's last note, averaged in the
    windows' own key (the runtime's readings, computed independently from Keras)."""
    from musicgen_live.training.metrics import classes_of_windows, log_softmax

    total = {name: np.zeros((len(inputs), contract.SIZES[name])) for name in contract.ORDER}
    for shift in shifts:
        moved, following = inputs.copy(), next_notes.copy()
        moved[..., PITCH] += shift
        following[:, PITCH] += shift
        classes = classes_of_windows(moved, following)
        out = model.predict({"notes": moved, "classes": classes}, verbose=0)  # type: ignore[attr-defined]
        for name in contract.ORDER:
            chances = np.exp(log_softmax(out[name][:, -1].astype(np.float64)))
            if name == "pitch":  # this reading's class q + shift is the window's pitch q
                moved_back = np.zeros_like(chances)
                source = np.arange(128) + shift
                inside = (source >= 0) & (source < 128)
                moved_back[:, inside] = chances[:, source[inside]]
                chances = moved_back
            total[name] += chances / len(shifts)
    # a pitch moved outside 0-127 by a reading is lost: compare distributions, renormalised
    return {name: np.log(values / values.sum(-1, keepdims=True)) for name, values in total.items()}


@pytest.mark.slow
def test_a_stateful_model_read_in_several_keys_agrees_with_keras(
    tmp_path: Path, midi_folder: Path
) -> None:
    from musicgen_live.model.architectures import build_model
    from musicgen_live.model.export import convert
    from musicgen_live.training.metrics import log_softmax

    window, shifts = 8, [-1, 0, 1]
    keras_model = build_model("note_lstm", window)
    (tmp_path / "model.tflite").write_bytes(
        convert(keras_model, "note_lstm", window, len(shifts), stateful=True)
    )
    card = contract.describe(window, contract.ORDER, shifts, stateful=True)
    (tmp_path / "model.json").write_text(json.dumps({**card, "arch": "note_lstm"}))
    runner = ModelRunner.load(tmp_path)
    # windows one note longer: the runtime reads the first 8 notes, then advances by one
    inputs, next_notes = real_windows(midi_folder, window + 1, 12)
    pitches = inputs[..., PITCH]
    assert pitches.min() >= 1 and pitches.max() <= 126  # no shift leaves 0-127
    longer = build_model("note_lstm", window + 1)
    longer.set_weights(keras_model.get_weights())
    read = keras_readings(keras_model, inputs[:, :-1], inputs[:, -1], shifts)
    advanced = keras_readings(longer, inputs, next_notes, shifts)
    for i, (notes, following) in enumerate(zip(inputs, next_notes, strict=True)):
        exported = runner.logits(notes[:-1], notes[-1])  # body, then every head signature
        for name in contract.ORDER:
            got = log_softmax(exported[name][None].astype(np.float64))[0]
            np.testing.assert_allclose(got, read[name][i], atol=1e-4, rtol=0)
        reading = runner.step(notes[-1], runner.body(notes[:-1]).state)
        got = log_softmax(reading.pitch[None].astype(np.float64))[0]
        np.testing.assert_allclose(got, advanced["pitch"][i], atol=1e-4, rtol=0)
        given = dict(zip(contract.FEATURES, contract.feature_bins(following).tolist(), strict=True))
        for name in contract.ORDER[1:]:
            got = log_softmax(runner.head(name, reading.hidden, given)[None].astype(np.float64))[0]
            np.testing.assert_allclose(got, advanced[name][i], atol=1e-4, rtol=0)
