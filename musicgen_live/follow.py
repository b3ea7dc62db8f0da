"""Following the player: the phrase is moved to the corpus's own tempo, loudness and register
before the model reads it, and every note of the answer is moved back by the same amount,
so a phrase played at half speed, softly or an octave up is answered at half speed, softly
and an octave up. The corpus's reference values are in the model's card (`reference`);
`amount` 0 reads the phrase as it is (the model's own tempo and touch), 1 follows fully
(numpy only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from musicgen_live.contract import CHORD_SECONDS
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY

# A phrase's pulse is read from its last notes; a map never stretches time further than this.
PULSE_NOTES = 32
TIME_RANGE = (0.25, 4.0)
PITCH_RANGE = 24  # semitones the register is moved at most
DURATION_SHARE = 0.5  # durations move by this power of the time factor (see below)


def onset_groups(steps: np.ndarray) -> np.ndarray:
    """The onset of each group of notes struck together (onsets less than CHORD_SECONDS
    after the group's first), from feature rows' steps."""
    onsets = np.cumsum(np.asarray(steps, dtype=np.float64))
    groups: list[float] = []
    for onset in onsets:
        if not groups or onset - groups[-1] >= CHORD_SECONDS:
            groups.append(float(onset))
    return np.asarray(groups)


def pulse(rows: np.ndarray) -> float | None:
    """The median gap between onset groups of feature rows; None with fewer than 3 groups
    (the plain median onset gap is often 0 in piano music: chords)."""
    gaps = np.diff(onset_groups(np.asarray(rows)[:, STEP]))
    return float(np.median(gaps)) if len(gaps) >= 2 else None


@dataclass(frozen=True)
class Reference:
    """The corpus's typical phrase: median pulse (s), mean velocity and mean pitch of its
    windows, as `export` measures them on the training pieces."""

    pulse: float
    velocity: float
    pitch: float

    @classmethod
    def of_card(cls, card: dict[str, Any]) -> Reference | None:
        found = card.get("reference")
        return None if found is None else cls(**found)

    @classmethod
    def measured(cls, windows: list[np.ndarray]) -> Reference:
        """The reference of a corpus, from its training windows of feature rows."""
        pulses = [p for p in (pulse(rows) for rows in windows) if p is not None]
        return cls(
            pulse=round(float(np.median(pulses)), 4),
            velocity=round(float(np.median([rows[:, VELOCITY].mean() for rows in windows])), 2),
            pitch=round(float(np.median([rows[:, PITCH].mean() for rows in windows])), 2),
        )


@dataclass(frozen=True)
class FollowMap:
    """Player -> model: times multiplied by `time`, velocities moved by `velocity`, pitches
    by `pitch` semitones. `back` undoes it for the model's notes."""

    time: float = 1.0
    velocity: float = 0.0
    pitch: int = 0

    @classmethod
    def between(cls, rows: np.ndarray, reference: Reference | None, amount: float) -> FollowMap:
        """The map that brings the phrase (its last PULSE_NOTES rows) `amount` of the way to
        the reference; the identity without a reference or a readable pulse."""
        rows = np.asarray(rows)[-PULSE_NOTES:]
        if reference is None or amount <= 0 or len(rows) == 0:
            return cls()
        played = pulse(rows)
        time = 1.0 if played is None else float(np.clip(reference.pulse / played, *TIME_RANGE))
        velocity = reference.velocity - float(rows[:, VELOCITY].mean())
        pitch = float(np.clip(reference.pitch - rows[:, PITCH].mean(), -PITCH_RANGE, PITCH_RANGE))
        return cls(time**amount, velocity * amount, round(pitch * amount))

    def into(self, rows: np.ndarray) -> np.ndarray:
        """The player's rows as the model is to read them."""
        moved = np.array(rows, dtype=np.float32, copy=True)
        moved[:, STEP] *= self.time
        moved[:, DURATION] *= self.time**DURATION_SHARE
        moved[:, VELOCITY] = np.clip(moved[:, VELOCITY] + self.velocity, 1, 127)
        moved[:, PITCH] = np.clip(moved[:, PITCH] + self.pitch, 0, 127)
        return moved

    def back(self, row: np.ndarray) -> np.ndarray:
        """A row the model drew, as the player is to hear it."""
        moved = np.array(row, dtype=np.float32, copy=True)
        moved[STEP] /= self.time
        moved[DURATION] /= self.time**DURATION_SHARE
        moved[VELOCITY] = np.clip(round(float(moved[VELOCITY]) - self.velocity), 1, 127)
        moved[PITCH] = np.clip(moved[PITCH] - self.pitch, 0, 127)
        return moved

    def pitch_range(self, low: int, high: int) -> tuple[int, int]:
        """A playable range of the player's, in the model's pitches."""
        return max(0, low + self.pitch), min(127, high + self.pitch)

    def identity(self) -> bool:
        return self == FollowMap()
