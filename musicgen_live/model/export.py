"""`musicgen-live export`: a trained run to model.tflite + model.json for the live runtime.

The flatbuffer holds one signature per step of sampling a note (see `contract.signatures`):
`body` reads the window once, then a small head per attribute after pitch; a recurrent
body also gives its state, and `advance` carries it one note on (`model/stateful.py`). With
`--transpositions N` every signature runs a batch of 2N+1 readings, the window transposed
by -N..N semitones, which the runtime averages.
"""

from __future__ import annotations

import datetime
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from musicgen_live import contract
from musicgen_live.errors import UserError
from musicgen_live.files import whole_files
from musicgen_live.follow import Reference, pulse
from musicgen_live.model.architectures import STATEFUL_ARCHITECTURES, build_body, load_checkpoint
from musicgen_live.model.heads import NoteHeads
from musicgen_live.model.stateful import RecurrentBody
from musicgen_live.notes import clip_features
from musicgen_live.train_config import TRANSPOSITION, TrainConfig, load_dataclass, save_json
from musicgen_live.training.datasets import run_corpus
from musicgen_live.training.run_folder import run_checkpoint


def _body_function(trained: keras.Model, arch: str, window: int, readings: int) -> Any:
    """notes (readings, window, 4) -> hidden state after the last note and pitch logits.

    The body is rebuilt with a static batch, which lets the converter use TFLite's fused
    LSTM kernels.
    """
    body = build_body(arch, window, batch_size=readings, last_only=True)
    body.set_weights(trained.get_layer("body").get_weights())
    heads: NoteHeads = trained.get_layer("heads")

    def run(notes: Any) -> dict[str, Any]:
        hidden = body(notes, training=False)
        return {"hidden": hidden, "pitch": heads.logits("pitch", hidden, {})}

    return run, body


def _stateful_functions(trained: keras.Model, recurrent: RecurrentBody) -> tuple[Any, Any]:
    """`body` (a window from the zero state) and `advance` (one note from a state), each giving
    the hidden state, pitch logits and the state after it."""
    heads: NoteHeads = trained.get_layer("heads")

    def outputs(hidden: Any, state: Any) -> dict[str, Any]:
        return {"hidden": hidden, "pitch": heads.logits("pitch", hidden, {}), "state": state}

    def read(notes: Any) -> dict[str, Any]:
        return outputs(*recurrent.read(notes))

    def step(note: Any, state: Any) -> dict[str, Any]:
        return outputs(*recurrent.step(note, state))

    return read, step


def _head_function(heads: NoteHeads, attribute: str) -> Any:
    def run(hidden: Any, *given: Any) -> dict[str, Any]:
        named = dict(zip(contract.conditions(attribute, heads.order), given, strict=True))
        return {"logits": heads.logits(attribute, hidden, named)}

    return run


def convert(
    trained: keras.Model, arch: str, window: int, readings: int = 1, stateful: bool = False
) -> bytes:
    """TFLite flatbuffer with every signature of the contract, built-in ops only, each
    taking a batch of `readings`."""
    heads: NoteHeads = trained.get_layer("heads")
    archive = keras.export.ExportArchive()
    archive.track(heads)
    notes_spec = tf.TensorSpec([readings, window, 4], tf.float32, "notes")
    if stateful:
        recurrent = RecurrentBody(trained.get_layer("body"))
        archive.track(trained.get_layer("body"))  # the note encoding's embedding
        read, step = _stateful_functions(trained, recurrent)
        units = recurrent.units[-1]
        archive.add_endpoint(contract.BODY, read, input_signature=[notes_spec])
        archive.add_endpoint(
            contract.ADVANCE,
            step,
            input_signature=[
                tf.TensorSpec([readings, 4], tf.float32, "note"),
                tf.TensorSpec([readings, recurrent.state_size], tf.float32, "state"),
            ],
        )
    else:  # the body rebuilt with a static batch, for the fused LSTM kernels
        run_body, body = _body_function(trained, arch, window, readings)
        units = body.output.shape[-1]
        archive.track(body)
        archive.add_endpoint(contract.BODY, run_body, input_signature=[notes_spec])
    for attribute in heads.order[1:]:
        specs = [tf.TensorSpec([readings, units], tf.float32, "hidden")] + [
            tf.TensorSpec([readings], tf.int32, name)
            for name in contract.conditions(attribute, heads.order)
        ]
        archive.add_endpoint(attribute, _head_function(heads, attribute), input_signature=specs)
    with tempfile.TemporaryDirectory() as folder:
        archive.write_out(folder, verbose=False)
        keys = list(contract.signatures(heads.order, stateful))
        converter = tf.lite.TFLiteConverter.from_saved_model(folder, signature_keys=keys)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        return bytes(converter.convert())


def export_run(
    run_dir: Path, out: Path, checkpoint: str | None = None, transposition: int | None = None
) -> Path:
    """Write out/model.tflite, model.json and model.keras from a run folder: the checkpoint
    named, or by default the weight average of a run that averages, else the best epoch.

    The model reads each window transposed by up to `transposition` semitones either way;
    by default as far as the run's transposition augmentation, at most TRANSPOSITION."""
    config = load_dataclass(TrainConfig, run_dir / "config.json")
    if transposition is None:
        transposition = min(TRANSPOSITION, config.transpose)
    checkpoint = checkpoint or run_checkpoint(config)
    path = run_dir / "checkpoints" / f"{checkpoint}.keras"
    if not path.exists():
        raise UserError(f"{run_dir}: no {checkpoint} checkpoint to export (train first)")
    trained = load_checkpoint(path)
    shifts = contract.shifts_within(transposition)
    stateful = config.arch in STATEFUL_ARCHITECTURES
    flatbuffer = convert(trained, config.arch, config.window, len(shifts), stateful)
    metrics, state = _run_record(run_dir, checkpoint)
    card = model_card(config, trained, metrics, state, shifts, stateful, corpus_reference(config))
    out.mkdir(parents=True, exist_ok=True)
    names = ("model.tflite", "model.keras", "model.json")  # renamed in this order: the card last
    with whole_files(*(out / name for name in names)) as (tflite, keras_file, card_file):
        tflite.write_bytes(flatbuffer)
        trained.save(keras_file)  # the Keras original, for benchmarks and fine-tuning
        save_json(card_file, card)
    return out


def _run_record(run_dir: Path, checkpoint: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the run measured of this checkpoint, and how it trained: for the model card."""
    metrics_file, state_file = run_dir / "metrics.json", run_dir / "state.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else {}
    if metrics.get("checkpoint", "best") != checkpoint:
        metrics = {}  # measured on another checkpoint: `eval` measures this one
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    state["checkpoint"] = checkpoint
    stages_file = run_dir / "stages.json"
    if stages_file.exists():
        state["stages"] = json.loads(stages_file.read_text())
    return metrics, state


def reference_windows(pieces: Sequence[tuple[str, np.ndarray]], window: int) -> list[np.ndarray]:
    """Windows of `window` notes every half window through each piece, as the models read
    them: what the corpus's reference is measured on."""
    stride = max(1, window // 2)
    windows = []
    for _, features in pieces:
        rows = clip_features(features)
        windows += [
            rows[start : start + window] for start in range(0, len(rows) - window + 1, stride)
        ]
    return windows


def corpus_reference(config: TrainConfig) -> Reference | None:
    """The typical phrase of the run's training pieces, which the runtime moves a player's
    phrase toward (follow.py); None, said on stderr, when they cannot be read: the model
    then plays at its own tempo, loudness and register whatever the player does."""
    try:
        corpus = run_corpus(config)
    except UserError as error:
        why = str(error)
    else:
        windows = reference_windows(corpus.pieces["train"], config.window)
        if any(pulse(rows) is not None for rows in windows):
            return Reference.measured(windows)
        why = f"no training piece of {config.data} has a pulse in {config.window} notes"
    print(f"no reference in the card, the model will not follow the player: {why}", file=sys.stderr)
    return None


def model_card(
    config: TrainConfig,
    trained: keras.Model,
    metrics: dict[str, Any],
    state: dict[str, Any],
    shifts: list[int],
    stateful: bool,
    reference: Reference | None = None,
) -> dict[str, Any]:
    """What the runtime and a reader need to know about an exported model; the corpus's
    reference, when there is one, next to the contract's `stateful`."""
    order = tuple(trained.get_layer("heads").order)
    fields = list(contract.describe(config.window, order, shifts, stateful).items())
    if reference is not None:
        after = [name for name, _ in fields].index("stateful") + 1
        fields.insert(after, ("reference", asdict(reference)))
    return {
        **dict(fields),
        "arch": config.arch,
        "parameters": int(trained.count_params()),
        "training": {
            "data": config.data,
            "split": "hannds test folder held out; validation cut from train by piece"
            if config.data == "hannds"
            else "dataset split (MAESTRO's split column, or by file hash)",
            "sustain_pedal": config.sustain,
            "dropout": config.dropout,
            "augmentation": state.get("stages")
            or {"transpose": config.transpose, "stretch": config.stretch},
            "batch_size": config.batch_size,
            "epochs": config.epochs,
            "max_windows": config.max_windows,
            "steps_per_epoch": config.steps_per_epoch,
            "max_minutes": config.max_minutes,
            "checkpoint": state.get("checkpoint"),
            "epochs_trained": state.get("epoch"),
            "seconds_trained": state.get("seconds"),
        },
        "metrics": metrics,
        "exported": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
