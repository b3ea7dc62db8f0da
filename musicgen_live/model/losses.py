"""Every head is a categorical: its loss is the negative log-likelihood of the true class."""

from __future__ import annotations

from typing import Any

import keras

from musicgen_live.contract import ORDER


def head_losses() -> dict[str, Any]:
    return {
        name: keras.losses.SparseCategoricalCrossentropy(from_logits=True, name=f"{name}_nll")
        for name in ORDER
    }


def head_metrics() -> dict[str, list[Any]]:
    return {"pitch": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]}
