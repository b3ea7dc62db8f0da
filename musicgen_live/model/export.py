"""`musicgen-live export`: a trained run to model.tflite + model.json for the live runtime."""

from __future__ import annotations

import datetime
import functools
import json
import tempfile
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf
from keras import layers

from musicgen_live.config import TrainConfig, load_dataclass, save_json
from musicgen_live.errors import UserError
from musicgen_live.model.architectures import build_model, load_checkpoint
from musicgen_live.model.heads import HEADS, LOSS_WEIGHTS, OUTPUT_WIDTH, VELOCITY_SCALE
from musicgen_live.model.layers import INPUT_SCALE
from musicgen_live.notes import FEATURES, MAX_SECONDS


def inference_model(trained: keras.Model, arch: str, window: int) -> keras.Model:
    """The same weights with a static batch of 1 and one output row per window.

    A static batch lets the converter use TFLite's fused LSTM kernels.
    """
    single = build_model(arch, window, batch_size=1)
    single.set_weights(trained.get_weights())
    outputs = single(single.inputs[0], training=False)
    row = layers.Concatenate(name="next_note")([outputs[head] for head in HEADS])
    return keras.Model(single.inputs, row, name=f"{arch}_inference")


def convert(model: keras.Model) -> bytes:
    """TFLite flatbuffer of a Keras model, built-in ops only (what LiteRT runs).

    The SavedModel step takes a static input shape so the LSTMs become fused TFLite ops.
    """
    shape = [1, *model.inputs[0].shape[1:]]
    with tempfile.TemporaryDirectory() as folder:
        archive = keras.export.ExportArchive()
        archive.track(model)
        archive.add_endpoint(
            "serve",
            functools.partial(model.__call__, training=False),
            input_signature=[tf.TensorSpec(shape, tf.float32, name="notes")],
        )
        archive.write_out(folder, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(folder)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        return bytes(converter.convert())


def export_run(run_dir: Path, out: Path, checkpoint: str = "best") -> Path:
    """Write out/model.tflite, model.json and model.keras from a run folder."""
    path = run_dir / "checkpoints" / f"{checkpoint}.keras"
    if not path.exists():
        raise UserError(f"{run_dir}: no {checkpoint} checkpoint to export (train first)")
    config = load_dataclass(TrainConfig, run_dir / "config.json")
    trained = load_checkpoint(path)
    model = inference_model(trained, config.arch, config.window)
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.tflite").write_bytes(convert(model))
    trained.save(out / "model.keras")  # the Keras original, for benchmarks and fine-tuning
    metrics_file, state_file = run_dir / "metrics.json", run_dir / "state.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else {}
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    save_json(out / "model.json", model_card(config, trained, metrics, state))
    return out


def model_card(
    config: TrainConfig, trained: keras.Model, metrics: dict[str, Any], state: dict[str, Any]
) -> dict[str, Any]:
    """What the runtime and a reader need to know about an exported model."""
    return {
        "format": 1,
        "arch": config.arch,
        "window": config.window,
        "input": {
            "features": list(FEATURES),
            "max_seconds": MAX_SECONDS,
            "scale": list(INPUT_SCALE),
        },
        "output": {"width": OUTPUT_WIDTH, "heads": list(HEADS), "velocity_scale": VELOCITY_SCALE},
        "loss_weights": LOSS_WEIGHTS,
        "parameters": int(trained.count_params()),
        "training": {
            "data": config.data,
            "split": "hannds test folder held out; validation cut from train by piece"
            if config.data == "hannds"
            else "dataset split (MAESTRO's split column, or by file hash)",
            "sustain_pedal": config.sustain,
            "batch_size": config.batch_size,
            "epochs": config.epochs,
            "max_windows": config.max_windows,
            "steps_per_epoch": config.steps_per_epoch,
            "max_minutes": config.max_minutes,
            "epochs_trained": state.get("epoch"),
            "seconds_trained": state.get("seconds"),
        },
        "metrics": metrics,
        "exported": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
