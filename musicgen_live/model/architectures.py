"""The architectures by name: the notebook's four for its table, its full model, and ours.

Every architecture is a body that reads raw feature windows (batch, window, 4) into a hidden
state; the same distributional heads (`NoteHeads`) turn it into the next note. Causal
bodies (`SEQUENCE_ARCHITECTURES`) return a hidden state per position and train on every
position's next note; the others read the whole window and predict the note after it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
from keras import layers

from musicgen_live.contract import ORDER
from musicgen_live.model.heads import NoteHeads
from musicgen_live.model.layers import NoteEncoding, PitchEmbedding, ScaleFeatures
from musicgen_live.model.losses import head_losses, head_metrics

UNITS = 128


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
    """The first default: a learned pitch embedding feeding one wide LSTM."""
    h = layers.LSTM(256)(PitchEmbedding(48)(x))
    return layers.Dropout(0.1)(h)


def _note_lstm(x: Any, every_position: bool = True) -> Any:
    """Ours: pitch embedding and log-scaled times into two causal LSTMs, read at every note
    in training; the exported copy keeps only the last position's state."""
    h = NoteEncoding(64)(x)
    h = layers.LSTM(192, return_sequences=True)(h)
    h = layers.Dropout(0.1)(h)
    h = layers.LSTM(192, return_sequences=every_position)(h)
    return layers.Dropout(0.1)(h)


ARCHITECTURES: dict[str, Callable[..., Any]] = {
    "rnn": _rnn,
    "lstm": _lstm,
    "bilstm": _bilstm,
    "lstm_attention": _lstm_attention,
    "seed": _seed,
    "embed_lstm": _embed_lstm,
    "note_lstm": _note_lstm,
}
SEQUENCE_ARCHITECTURES = frozenset({"note_lstm"})
# Those exported with a runtime that carries the LSTM state from note to note.
STATEFUL_ARCHITECTURES = frozenset({"note_lstm"})
# Those whose body has dropout layers that `--dropout` can set.
DROPOUT_ARCHITECTURES = frozenset({"seed", "embed_lstm", "note_lstm"})


def build_body(
    arch: str, window: int, batch_size: int | None = None, last_only: bool = False
) -> keras.Model:
    """Notes (batch, window, 4) to a hidden state: per position for sequence bodies unless
    `last_only` (the exported runtime wants only the state after the last note)."""
    notes = keras.Input(shape=(window, 4), batch_size=batch_size, name="notes")
    if arch in SEQUENCE_ARCHITECTURES:
        return keras.Model(notes, ARCHITECTURES[arch](notes, not last_only), name="body")
    return keras.Model(notes, ARCHITECTURES[arch](notes), name="body")


def build_model(arch: str, window: int, order: tuple[str, ...] = ORDER) -> keras.Model:
    """An uncompiled model: inputs `notes` and the true next notes' `classes`, one logits
    output per attribute. Sequence bodies predict every position's next note."""
    positions = (window,) if arch in SEQUENCE_ARCHITECTURES else ()
    notes = keras.Input(shape=(window, 4), name="notes")
    classes = keras.Input(shape=(*positions, 4), dtype="int32", name="classes")
    hidden = build_body(arch, window)(notes)
    logits = NoteHeads(order, name="heads")(hidden, classes)
    return keras.Model({"notes": notes, "classes": classes}, logits, name=arch)


def compile_model(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss=head_losses(),
        metrics=head_metrics(),
    )
    return model


def set_dropout(model: keras.Model, rate: float) -> None:
    """Set the rate of every dropout layer of the model's body, before it trains (a resumed
    run may change it: dropout has no weights)."""
    for layer in model.get_layer("body").layers:
        if isinstance(layer, layers.Dropout):
            layer.rate = rate


def load_checkpoint(path: Path) -> keras.Model:
    """A saved .keras model; importing this module registers the custom layers and losses."""
    return keras.saving.load_model(path)
