"""The recurrent body written out as plain operations for a runtime that carries its state.

`note_lstm`'s body is a note encoding and two LSTMs. Exported this way, `body` reads a
window from a zero state and also returns the state after it, and `advance` takes one more
note and a state: an answer costs one window read, then one LSTM step per note instead of
re-reading the whole window. The state is the two layers' (h, c) side by side.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from musicgen_live.model.layers import NoteEncoding


class RecurrentBody:
    """A trained `note_lstm` body's weights, run one note at a time with TF operations."""

    def __init__(self, body: keras.Model) -> None:
        encodings = [layer for layer in body.layers if isinstance(layer, NoteEncoding)]
        recurrent = [layer for layer in body.layers if isinstance(layer, layers.LSTM)]
        if len(encodings) != 1 or not recurrent:
            raise ValueError(f"{body.name}: not a note encoding followed by LSTMs")
        self.encoding = encodings[0]
        self.cells = [
            [tf.constant(np.asarray(weight)) for weight in layer.get_weights()]
            for layer in recurrent
        ]
        self.units = [int(layer.units) for layer in recurrent]
        for layer in recurrent:
            cell = layer.cell
            if cell.activation is not keras.activations.tanh or (
                cell.recurrent_activation is not keras.activations.sigmoid
            ):
                raise ValueError(f"{layer.name}: only tanh/sigmoid LSTMs run one note at a time")

    @property
    def state_size(self) -> int:
        return 2 * sum(self.units)

    def step(self, note: Any, state: Any) -> tuple[Any, Any]:
        """One note (readings, 4) from a state: the last layer's output and the new state."""
        parts = tf.split(state, [size for units in self.units for size in (units, units)], -1)
        x, new_state = self.encoding(note[:, None, :])[:, 0, :], []
        for index, (kernel, recurrent, bias) in enumerate(self.cells):
            h, c = parts[2 * index], parts[2 * index + 1]
            x, c = _cell(tf.matmul(x, kernel) + bias, h, c, recurrent)
            new_state += [x, c]
        return x, tf.concat(new_state, axis=-1)

    def read(self, notes: Any) -> tuple[Any, Any]:
        """A window (readings, window, 4) from the zero state, unrolled at trace time, one
        layer after the other: each layer's inputs for the whole window are one product."""
        readings, length = notes.shape[0], notes.shape[1]
        sequence, state = self.encoding(notes), []
        for (kernel, recurrent, bias), units in zip(self.cells, self.units, strict=True):
            flat = tf.reshape(sequence, [readings * length, sequence.shape[-1]])
            projected = tf.reshape(tf.matmul(flat, kernel) + bias, [readings, length, 4 * units])
            h = c = tf.zeros([readings, units], tf.float32)
            outputs = []
            for inputs in tf.unstack(projected, axis=1):
                h, c = _cell(inputs, h, c, recurrent)
                outputs.append(h)
            sequence = tf.stack(outputs, axis=1)
            state += [h, c]
        return h, tf.concat(state, axis=-1)


def _cell(projected: Any, h: Any, c: Any, recurrent: Any) -> tuple[Any, Any]:
    """One LSTM step from the input's projection: the new (h, c)."""
    # Keras orders the gates input, forget, cell, output
    gate_in, forget, candidate, gate_out = tf.split(projected + tf.matmul(h, recurrent), 4, -1)
    c = tf.sigmoid(forget) * c + tf.sigmoid(gate_in) * tf.tanh(candidate)
    return tf.sigmoid(gate_out) * tf.tanh(c), c
