"""Notes in absolute seconds and the model's per-note feature rows (numpy only)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from musicgen_live.contract import MAX_SECONDS

# Column indexes of a feature row (FEATURES order): the order every model reads and writes.
PITCH, STEP, DURATION, VELOCITY = range(4)


@dataclass(frozen=True, slots=True)
class Note:
    """One played note: MIDI pitch and velocity, start and end in seconds."""

    pitch: int
    velocity: int
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True, order=True)
class NoteEvent:
    """A note starting or ending `time` seconds in; an end has velocity 0."""

    time: float
    starts: bool  # False sorts first: at one instant, notes end before others start
    pitch: int
    velocity: int


def note_events(notes: Iterable[Note], since: float = 0.0) -> list[NoteEvent]:
    """Every note's start and end in time order, timed from `since`. At one instant the ends
    come first, so a pitch struck again as it ends sounds anew instead of being cut."""
    events = []
    for note in notes:
        events.append(NoteEvent(note.start - since, True, note.pitch, note.velocity))
        events.append(NoteEvent(note.end - since, False, note.pitch, 0))
    return sorted(events)


def sort_notes(notes: Iterable[Note]) -> list[Note]:
    """Start order; inside a chord, low to high, so features are deterministic."""
    return sorted(notes, key=lambda n: (n.start, n.pitch, n.end))


def notes_to_features(notes: Sequence[Note]) -> np.ndarray:
    """Rows of (pitch, step, duration, velocity); step is 0 for the first note."""
    ordered = sort_notes(notes)
    rows = np.zeros((len(ordered), 4), dtype=np.float32)
    previous_start = ordered[0].start if ordered else 0.0
    for i, note in enumerate(ordered):
        rows[i] = (note.pitch, note.start - previous_start, note.duration, note.velocity)
        previous_start = note.start
    return rows


def features_to_notes(rows: np.ndarray, start: float = 0.0) -> list[Note]:
    """Inverse of `notes_to_features`: the first note starts `step` after `start`."""
    notes = []
    time = start
    for pitch, step, duration, velocity in np.asarray(rows, dtype=np.float64):
        time += max(0.0, float(step))
        notes.append(
            Note(
                pitch=int(np.clip(round(pitch), 0, 127)),
                velocity=int(np.clip(round(velocity), 1, 127)),
                start=time,
                end=time + max(0.0, float(duration)),
            )
        )
    return notes


def clip_features(rows: np.ndarray) -> np.ndarray:
    """Feature rows as the models see them: pitch and velocity in MIDI range, times capped."""
    clipped = np.array(rows, dtype=np.float32, copy=True)
    clipped[..., PITCH] = np.clip(clipped[..., PITCH], 0, 127)
    clipped[..., STEP] = np.clip(clipped[..., STEP], 0, MAX_SECONDS)
    clipped[..., DURATION] = np.clip(clipped[..., DURATION], 0, MAX_SECONDS)
    clipped[..., VELOCITY] = np.clip(clipped[..., VELOCITY], 1, 127)
    return clipped


def apply_sustain(notes: Sequence[Note], pedal: Sequence[tuple[float, float]]) -> list[Note]:
    """Lengthen notes released under the pedal to the pedal's release.

    A held note stops early when the same pitch is struck again, as on a piano.
    """
    if not pedal:
        return list(notes)
    downs = [down for down, _ in pedal]
    onsets: dict[int, list[float]] = {}
    for note in sort_notes(notes):
        onsets.setdefault(note.pitch, []).append(note.start)
    result = []
    for note in notes:
        end = note.end
        index = bisect.bisect_right(downs, note.end) - 1
        if index >= 0 and note.end < pedal[index][1] != float("inf"):
            end = pedal[index][1]
        same_pitch = onsets[note.pitch]
        after = bisect.bisect_right(same_pitch, note.start)
        if after < len(same_pitch):
            end = min(end, max(note.end, same_pitch[after]))
        result.append(Note(note.pitch, note.velocity, note.start, end))
    return result
