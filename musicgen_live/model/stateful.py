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

    def zero_state(self, readings: int) -> Any:
        return tf.zeros([readings, self.state_size], tf.float32)

    def step(self, note: Any, state: Any) -> tuple[Any, Any]:
        """One note (readings, 4) from a state: the last layer's output and the new state."""
        return self._layers(self._inputs(note[:, None, :])[:, 0, :], state)

    def read(self, notes: Any) -> tuple[Any, Any]:
        """A window (readings, window, 4) from the zero state, unrolled at trace time; the
        first layer's inputs for every note are computed at once."""
        inputs, state = self._inputs(notes), self.zero_state(notes.shape[0])
        hidden = None
        for projected in tf.unstack(inputs, axis=1):
            hidden, state = self._layers(projected, state)
        return hidden, state

    def _inputs(self, notes: Any) -> Any:
        """The first layer's input projection of notes (readings, n, 4)."""
        kernel, _, bias = self.cells[0]
        encoded = self.encoding(notes)
        flat = tf.reshape(encoded, [-1, encoded.shape[-1]])
        return tf.reshape(tf.matmul(flat, kernel) + bias, [notes.shape[0], notes.shape[1], -1])

    def _layers(self, projected: Any, state: Any) -> tuple[Any, Any]:
        parts = tf.split(state, [size for units in self.units for size in (units, units)], -1)
        new_state, x = [], None
        for index, (kernel, recurrent, bias) in enumerate(self.cells):
            h, c = parts[2 * index], parts[2 * index + 1]
            z = (projected if index == 0 else tf.matmul(x, kernel) + bias) + tf.matmul(h, recurrent)
            # Keras orders the gates input, forget, cell, output
            gate_in, forget, candidate, gate_out = tf.split(z, 4, axis=-1)
            c = tf.sigmoid(forget) * c + tf.sigmoid(gate_in) * tf.tanh(candidate)
            x = tf.sigmoid(gate_out) * tf.tanh(c)
            new_state += [x, c]
        return x, tf.concat(new_state, axis=-1)
