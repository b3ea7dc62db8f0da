"""The architectures by name: the notebook's four for its table, its full model, and ours.

Every model reads raw feature windows (batch, window, 4) and has four heads: pitch logits
(128), step and duration in seconds, and velocity scaled to 0-1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
from keras import layers

from musicgen_live.model.heads import LOSS_WEIGHTS
from musicgen_live.model.layers import PitchEmbedding, ScaleFeatures
from musicgen_live.model.losses import head_losses, head_metrics

UNITS = 128


def _heads(hidden: Any) -> dict[str, Any]:
    return {
        "pitch": layers.Dense(128, name="pitch")(hidden),
        "step": layers.Dense(1, name="step")(hidden),
        "duration": layers.Dense(1, name="duration")(hidden),
        "velocity": layers.Dense(1, name="velocity")(hidden),
    }


def _rnn(x: Any) -> Any:
    return layers.SimpleRNN(UNITS)(ScaleFeatures()(x))


def _lstm(x: Any) -> Any:
    return layers.LSTM(UNITS)(ScaleFeatures()(x))


def _bilstm(x: Any) -> Any:
    return layers.Bidirectional(layers.LSTM(UNITS))(ScaleFeatures()(x))


def _lstm_attention(x: Any) -> Any:
    sequence = layers.LSTM(UNITS, return_sequences=True)(ScaleFeatures()(x))
    attended = layers.Attention()([sequence, sequence])
    return layers.GlobalAveragePooling1D()(layers.Concatenate()([sequence, attended]))


def _seed(x: Any) -> Any:
    """The notebook's full model."""
    h = layers.Bidirectional(layers.LSTM(UNITS, return_sequences=True))(ScaleFeatures()(x))
    h = layers.Dropout(0.3)(h)
    h = layers.Bidirectional(layers.LSTM(UNITS, return_sequences=True))(h)
    h = layers.Dropout(0.3)(h)
    attended = layers.Attention()([h, h])
    h = layers.BatchNormalization()(layers.Concatenate()([h, attended]))
    return layers.Flatten()(h)


def _embed_lstm(x: Any) -> Any:
    """Ours: a learned pitch embedding feeding one wide LSTM (pitch identity matters)."""
    h = layers.LSTM(256)(PitchEmbedding(48)(x))
    return layers.Dropout(0.1)(h)


ARCHITECTURES: dict[str, Callable[[Any], Any]] = {
    "rnn": _rnn,
    "lstm": _lstm,
    "bilstm": _bilstm,
    "lstm_attention": _lstm_attention,
    "seed": _seed,
    "embed_lstm": _embed_lstm,
}


def build_model(arch: str, window: int, batch_size: int | None = None) -> keras.Model:
    """An uncompiled model; a fixed batch size (1) is what the TFLite export wants."""
    inputs = keras.Input(shape=(window, 4), batch_size=batch_size, name="notes")
    return keras.Model(inputs, _heads(ARCHITECTURES[arch](inputs)), name=arch)


def compile_model(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=head_losses(),
        loss_weights=LOSS_WEIGHTS,
        metrics=head_metrics(),
    )
    return model


def load_checkpoint(path: Path) -> keras.Model:
    """A saved .keras model; importing this module registers the custom layers and losses."""
    return keras.saving.load_model(path)
