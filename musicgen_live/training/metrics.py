"""Per-head metrics from logits, the same for Keras and exported models (numpy only).

Every head is a categorical over the contract's classes, so every figure is a negative
log-likelihood in nats; the total loss is their sum, the NLL of a whole note.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from musicgen_live.contract import FEATURES, ORDER, SIZES, feature_bins
from musicgen_live.notes import PITCH

METRIC_NAMES = ("loss", "pitch_nll", "pitch_accuracy", "step_nll", "duration_nll", "velocity_nll")


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def head_metrics(logits: Mapping[str, np.ndarray], next_notes: np.ndarray) -> dict[str, float]:
    """NLL per head (nats) and pitch top-1 of logits (n, classes) for next-note rows (n, 4)."""
    classes = feature_bins(next_notes)
    metrics: dict[str, float] = {}
    for column, name in enumerate(FEATURES):
        log_probabilities = log_softmax(np.asarray(logits[name], dtype=np.float64))
        target = classes[:, column]
        metrics[f"{name}_nll"] = float(-log_probabilities[np.arange(len(target)), target].mean())
    metrics["pitch_accuracy"] = float((logits["pitch"].argmax(axis=-1) == classes[:, PITCH]).mean())
    metrics["loss"] = sum(metrics[f"{name}_nll"] for name in ORDER)
    return {name: metrics[name] for name in METRIC_NAMES}


def histogram_baseline(train_notes: np.ndarray, next_notes: np.ndarray) -> dict[str, float]:
    """Each head's NLL when it always predicts the training set's class frequencies."""
    train_classes, classes = feature_bins(train_notes), feature_bins(next_notes)
    metrics = {}
    for column, name in enumerate(FEATURES):
        counts = np.bincount(train_classes[:, column], minlength=SIZES[name]) + 1.0
        log_probabilities = np.log(counts / counts.sum())
        metrics[f"{name}_nll"] = float(-log_probabilities[classes[:, column]].mean())
    metrics["loss"] = sum(metrics[f"{name}_nll"] for name in FEATURES)
    return metrics


def classes_of_windows(inputs: np.ndarray, next_notes: np.ndarray) -> np.ndarray:
    """The classes of the note after every position of each window (what sequence models
    condition their heads on in training)."""
    following = np.concatenate([inputs[:, 1:], next_notes[:, None]], axis=1)
    return feature_bins(following)
