"""Distributional output heads, sampled jointly: each attribute of a note is a categorical
conditioned on the network's hidden state and on the attributes already chosen.

Pitch reads the hidden state alone; step, duration and velocity (in the contract's order)
each add embeddings of the earlier attributes' classes and go through a small MLP.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers, ops

from musicgen_live.contract import FEATURES, ORDER, SIZES, conditions

EMBEDDING = 32
HEAD_UNITS = 128


@keras.saving.register_keras_serializable(package="musicgen_live")
class NoteHeads(layers.Layer):
    """Logits for every attribute of the next note; training conditions on the true classes."""

    def __init__(self, order: tuple[str, ...] | list[str] = ORDER, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.order = tuple(order)
        self.pitch = layers.Dense(SIZES["pitch"], name="pitch_logits")
        given = self.order[:-1]
        self.embeddings = [
            layers.Embedding(SIZES[name], EMBEDDING, name=f"{name}_given") for name in given
        ]
        self.hidden_layers = [
            layers.Dense(HEAD_UNITS, activation="relu", name=f"{name}_hidden")
            for name in self.order[1:]
        ]
        self.outputs = [layers.Dense(SIZES[name], name=f"{name}_logits") for name in self.order[1:]]

    def build(self, hidden_shape: Any, classes_shape: Any = None) -> None:
        units = hidden_shape[-1]
        self.pitch.build((None, units))
        for embedding in self.embeddings:
            embedding.build((None,))
        for index, name in enumerate(self.order[1:]):
            given = len(conditions(name, self.order))
            self.hidden_layers[index].build((None, units + given * EMBEDDING))
            self.outputs[index].build((None, HEAD_UNITS))
        super().build(hidden_shape)

    def logits(self, attribute: str, hidden: Any, given: dict[str, Any]) -> Any:
        """One head's logits, from the hidden state and the classes of the earlier attributes."""
        if attribute == "pitch":
            return self.pitch(hidden)
        parts = [hidden] + [
            self.embeddings[self.order.index(name)](given[name])
            for name in conditions(attribute, self.order)
        ]
        index = self.order.index(attribute) - 1
        return self.outputs[index](self.hidden_layers[index](ops.concatenate(parts, axis=-1)))

    def call(self, hidden: Any, classes: Any) -> dict[str, Any]:
        """classes: (..., 4) int classes of the true next note, in FEATURES order."""
        given = {name: classes[..., FEATURES.index(name)] for name in self.order}
        return {name: self.logits(name, hidden, given) for name in self.order}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "order": list(self.order)}
