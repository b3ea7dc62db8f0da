"""Reading and writing MIDI files as notes (pretty_midi does the parsing)."""

from __future__ import annotations

import bisect
import contextlib
import io
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# pyfluidsynth, which pretty_midi imports when present, may announce on stdout where it found
# its library; stdout carries --json events and must stay clean.
with contextlib.redirect_stdout(io.StringIO()):
    import pretty_midi

from musicgen_live.errors import MidiFileError
from musicgen_live.notes import Note, notes_to_features, sort_notes

SUSTAIN_PEDAL = 64


def _pedal_intervals(instrument: pretty_midi.Instrument) -> list[tuple[float, float]]:
    """(down, up) times of the sustain pedal; a pedal left down lasts forever."""
    intervals = []
    down_at: float | None = None
    for change in sorted(instrument.control_changes, key=lambda c: c.time):
        if change.number != SUSTAIN_PEDAL:
            continue
        if change.value >= 64 and down_at is None:
            down_at = change.time
        elif change.value < 64 and down_at is not None:
            intervals.append((down_at, change.time))
            down_at = None
    if down_at is not None:
        intervals.append((down_at, float("inf")))
    return intervals


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


def notes_from_midi(path: str | Path, sustain: bool = True) -> list[Note]:
    """All non-drum notes of a file, merged and in start order.

    Raises MidiFileError with the reason when the file cannot be parsed.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = pretty_midi.PrettyMIDI(str(path))
    except Exception as error:  # pretty_midi/mido raise many types for broken files
        reason = str(error) or type(error).__name__
        raise MidiFileError(f"{path}: not a readable MIDI file ({reason})") from error
    notes: list[Note] = []
    for instrument in midi.instruments:
        if instrument.is_drum:
            continue
        played = [Note(n.pitch, n.velocity, n.start, n.end) for n in instrument.notes]
        if sustain:
            played = apply_sustain(played, _pedal_intervals(instrument))
        notes.extend(played)
    return sort_notes(notes)


def features_from_midi(path: str | Path, sustain: bool = True) -> np.ndarray:
    """Feature rows of a file; MidiFileError when it has no notes."""
    notes = notes_from_midi(path, sustain=sustain)
    if not notes:
        raise MidiFileError(f"{path}: no notes")
    return notes_to_features(notes)


def write_midi(path: str | Path, *parts: Sequence[Note], program: int = 0) -> None:
    """Write one piano track per part (e.g. the seed and the continuation)."""
    midi = pretty_midi.PrettyMIDI()
    for index, notes in enumerate(parts):
        track = pretty_midi.Instrument(program=program, name=f"part {index + 1}")
        for note in notes:
            track.notes.append(pretty_midi.Note(note.velocity, note.pitch, note.start, note.end))
        midi.instruments.append(track)
    midi.write(str(path))
