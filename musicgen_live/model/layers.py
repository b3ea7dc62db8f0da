"""Small custom layers the architectures share; registered so saved models load."""

from __future__ import annotations

from typing import Any

import keras
from keras import layers, ops

from musicgen_live.contract import CHORD_SECONDS
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY

# Input scaling of the notebook: pitch / 128, step and duration in seconds, velocity / 127.
INPUT_SCALE = (1 / 128, 1.0, 1.0, 1 / 127)


@keras.saving.register_keras_serializable(package="musicgen_live")
class ScaleFeatures(layers.Layer):
    """Raw (pitch, step, duration, velocity) rows to the scale the networks train on."""

    def call(self, inputs: Any) -> Any:
        return inputs * ops.convert_to_tensor(INPUT_SCALE, dtype=inputs.dtype)


@keras.saving.register_keras_serializable(package="musicgen_live")
class PitchEmbedding(layers.Layer):
    """A learned vector per pitch, concatenated with the scaled timing and velocity."""

    def __init__(self, dimension: int = 48, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dimension = dimension
        self.embedding = layers.Embedding(128, dimension)

    def build(self, input_shape: Any) -> None:
        self.embedding.build(tuple(input_shape[:-1]))
        super().build(input_shape)

    def call(self, inputs: Any) -> Any:
        pitch = ops.cast(ops.clip(inputs[..., PITCH], 0, 127), "int32")
        rest = inputs[..., STEP:] * ops.convert_to_tensor(INPUT_SCALE[STEP:], dtype=inputs.dtype)
        return ops.concatenate([self.embedding(pitch), rest], axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dimension": self.dimension}


@keras.saving.register_keras_serializable(package="musicgen_live")
class NoteEncoding(PitchEmbedding):
    """A learned vector per pitch; times on a log scale (a 10 ms gap and a 2 s rest both
    matter); velocity 0-1; and whether the note sounds with the previous one."""

    def __init__(self, dimension: int = 64, **kwargs: Any) -> None:
        super().__init__(dimension, **kwargs)

    def call(self, inputs: Any) -> Any:
        pitch = ops.cast(ops.clip(inputs[..., PITCH], 0, 127), "int32")
        times = (ops.log(inputs[..., STEP : DURATION + 1] + 0.01) + 1.5) / 1.5
        chord = ops.cast(inputs[..., STEP : STEP + 1] < CHORD_SECONDS, inputs.dtype)
        velocity = inputs[..., VELOCITY : VELOCITY + 1] / 127.0
        return ops.concatenate([self.embedding(pitch), times, velocity, chord], axis=-1)
