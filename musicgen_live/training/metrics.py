"""Per-head metrics from predictions, the same for Keras and exported models (numpy only)."""

from __future__ import annotations

import numpy as np

from musicgen_live.model.heads import LOSS_WEIGHTS

METRIC_NAMES = (
    "loss",
    "pitch_nll",
    "pitch_accuracy",
    "step_loss",
    "step_mae",
    "duration_loss",
    "duration_mae",
    "velocity_loss",
    "velocity_mae",
)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _positive_pressure_mse(true: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean((true - predicted) ** 2 + 10 * np.maximum(-predicted, 0.0)))


def head_metrics(outputs: np.ndarray, next_notes: np.ndarray) -> dict[str, float]:
    """Metrics of stacked outputs (n, 131: logits, step, duration, velocity 0-1).

    Losses are in the units the models train on; MAEs in seconds and MIDI velocity.
    """
    logits, step, duration, velocity = (
        outputs[:, :128],
        outputs[:, 128],
        outputs[:, 129],
        outputs[:, 130],
    )
    pitch = next_notes[:, 0].astype(np.int64)
    log_probabilities = log_softmax(logits.astype(np.float64))
    metrics = {
        "pitch_nll": float(-log_probabilities[np.arange(len(pitch)), pitch].mean()),
        "pitch_accuracy": float((logits.argmax(axis=-1) == pitch).mean()),
        "step_loss": _positive_pressure_mse(next_notes[:, 1], step),
        "step_mae": float(np.abs(next_notes[:, 1] - step).mean()),
        "duration_loss": _positive_pressure_mse(next_notes[:, 2], duration),
        "duration_mae": float(np.abs(next_notes[:, 2] - duration).mean()),
        "velocity_loss": float(np.mean((next_notes[:, 3] / 127.0 - velocity) ** 2)),
        "velocity_mae": float(np.abs(next_notes[:, 3] - velocity * 127.0).mean()),
    }
    metrics["loss"] = sum(
        LOSS_WEIGHTS[head] * metrics["pitch_nll" if head == "pitch" else f"{head}_loss"]
        for head in LOSS_WEIGHTS
    )
    return {name: metrics[name] for name in METRIC_NAMES}
