"""Losses per head: pitch cross-entropy, positive-pressure MSE for times, MSE for velocity."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="musicgen_live")
def mse_with_positive_pressure(y_true: Any, y_pred: Any) -> Any:
    """Squared error plus a penalty on negative predictions (times cannot be negative)."""
    squared_error = (y_true - y_pred) ** 2
    positive_pressure = 10 * ops.maximum(-y_pred, 0.0)
    return ops.mean(squared_error + positive_pressure, axis=-1)


def head_losses() -> dict[str, Any]:
    return {
        "pitch": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        "step": mse_with_positive_pressure,
        "duration": mse_with_positive_pressure,
        "velocity": keras.losses.MeanSquaredError(),
    }


def head_metrics() -> dict[str, list[Any]]:
    return {
        "pitch": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        "step": [keras.metrics.MeanAbsoluteError(name="mae")],
        "duration": [keras.metrics.MeanAbsoluteError(name="mae")],
        "velocity": [keras.metrics.MeanAbsoluteError(name="mae")],
    }
