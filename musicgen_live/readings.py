"""A model read in several keys: the batch of transposed windows the network runs, and how
the readings' distributions are averaged back in the window's own key (numpy only).

A model trained on transposed pieces predicts a little differently for a phrase and the same
phrase a semitone up; averaging the readings is an ensemble of the model with itself.
"""

from __future__ import annotations

import numpy as np

from musicgen_live.notes import PITCH


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def log_mean(chances: np.ndarray) -> np.ndarray:
    """Logits of the average of the rows' distributions: (readings, classes) -> (classes,)."""
    return np.log(np.maximum(chances.mean(axis=0), 1e-30))


class Readings:
    """The transposed readings of a window: the batch the body runs, and how their pitch
    distributions and conditions map back to the window's own key."""

    def __init__(self, shifts: tuple[int, ...]) -> None:
        self.shifts = np.array(shifts, dtype=np.int64)
        # reading k predicts the window's pitch q as class q + shift k
        moved = np.arange(128)[None, :] + self.shifts[:, None]
        self._inside = (moved >= 0) & (moved <= 127)
        self._moved = np.clip(moved, 0, 127)

    def __len__(self) -> int:
        return len(self.shifts)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """(readings, *rows.shape): feature rows (a window, or one note) at every shift."""
        batch = np.repeat(rows[None].astype(np.float32), len(self.shifts), axis=0)
        if len(self.shifts) > 1:
            shifts = self.shifts.reshape((-1,) + (1,) * (rows.ndim - 1))
            batch[..., PITCH] = np.clip(batch[..., PITCH] + shifts, 0, 127)
        return batch

    def pitch(self, logits: np.ndarray) -> np.ndarray:
        """Pitch logits of the window's key from every reading's (readings, 128)."""
        if len(self.shifts) == 1:
            return np.asarray(logits[0])
        back = np.take_along_axis(softmax_rows(logits), self._moved, axis=1) * self._inside
        return log_mean(back)

    def given(self, attribute: str, value: int) -> np.ndarray:
        """An attribute's class as each reading sees it (pitch moves with the reading)."""
        if attribute == "pitch":
            return np.clip(value + self.shifts, 0, 127).astype(np.int32)
        return np.full(len(self.shifts), value, np.int32)

    def head(self, logits: np.ndarray) -> np.ndarray:
        """A later head's logits from every reading's (readings, classes)."""
        return np.asarray(logits[0]) if len(self.shifts) == 1 else log_mean(softmax_rows(logits))
