"""Reading and writing MIDI files as notes (pretty_midi does the parsing)."""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np

# pyfluidsynth, which pretty_midi imports when present, may announce on stdout where it found
# its library; stdout carries --json events and must stay clean.
with contextlib.redirect_stdout(io.StringIO()):
    import pretty_midi

from musicgen_live.errors import MidiFileError
from musicgen_live.files import whole_file
from musicgen_live.notes import Note, apply_sustain, note_events, notes_to_features, sort_notes

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


BASS_PROGRAMS = range(32, 40)
PAD_PROGRAMS = range(88, 96)
EFFECT_PROGRAMS = (*range(96, 104), *range(120, 128))
TRACK_SELECTORS_HELP = (
    "track numbers (1 = first), program:N (GM program 0-127) or names, comma-separated"
)


def read_midi(path: str | Path) -> pretty_midi.PrettyMIDI:
    """Parse a file; MidiFileError with the reason when it cannot be parsed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pretty_midi.PrettyMIDI(str(path))
    except Exception as error:  # pretty_midi/mido raise many types for broken files
        reason = str(error) or type(error).__name__
        raise MidiFileError(f"{path}: not a readable MIDI file ({reason})") from error


def track_role(instrument: pretty_midi.Instrument) -> str:
    """drums, bass, pad, effects or melodic: what a track does in a band arrangement."""
    if instrument.is_drum:
        return "drums"
    if instrument.program in BASS_PROGRAMS or "bass" in instrument.name.lower():
        return "bass"
    if instrument.program in PAD_PROGRAMS:
        return "pad"
    return "effects" if instrument.program in EFFECT_PROGRAMS else "melodic"


def program_name(program: int) -> str:
    return str(pretty_midi.program_to_instrument_name(program))


def describe_track(number: int, instrument: pretty_midi.Instrument) -> str:
    name = instrument.name.strip()
    if not name:
        name = "drums" if instrument.is_drum else program_name(instrument.program)
    return f"{number} {name!r} ({track_role(instrument)})"


def parse_track_selectors(text: str) -> list[tuple[str, int | str]]:
    """("number", 2), ("program", 33) or ("name", "piano") for each comma-separated item."""
    selectors: list[tuple[str, int | str]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            raise ValueError(f"an empty item; use {TRACK_SELECTORS_HELP}")
        if item.isdigit():
            if int(item) < 1:
                raise ValueError("track numbers start at 1")
            selectors.append(("number", int(item)))
        elif item.lower().startswith("program:"):
            program = item.split(":", 1)[1]
            if not program.isdigit() or int(program) > 127:
                raise ValueError(f"{item}: a GM program is a number from 0 to 127")
            selectors.append(("program", int(program)))
        else:
            selectors.append(("name", item.lower()))
    return selectors


def _matches(
    selector: tuple[str, int | str], number: int, instrument: pretty_midi.Instrument
) -> bool:
    kind, value = selector
    if kind == "number":
        return number == value
    if kind == "program":
        return not instrument.is_drum and instrument.program == value
    return str(value) in instrument.name.lower()


@dataclass(frozen=True)
class TrackChoice:
    """The numbered tracks a file's notes are taken from, those left out, and when none is
    chosen, why."""

    chosen: list[tuple[int, pretty_midi.Instrument]]
    left_out: list[tuple[int, pretty_midi.Instrument]]
    empty_because: str = ""

    def describe(self) -> str:
        used = ", ".join(describe_track(n, i) for n, i in self.chosen)
        if not self.left_out:
            return f"tracks {used}"
        others = ", ".join(describe_track(n, i) for n, i in self.left_out)
        return f"tracks {used}; left out {others}"

    def notes(self, sustain: bool = True) -> list[Note]:
        return sort_notes([n for _, i in self.chosen for n in instrument_notes(i, sustain)])


def choose_tracks(
    midi: pretty_midi.PrettyMIDI, tracks: str | None, melodic: bool = False
) -> TrackChoice:
    """The tracks named by `tracks`, else every pitched track (only the melodic ones when
    `melodic` and there are any: no bass, pads or effects). Drums are never chosen."""
    numbered = [(n, i) for n, i in enumerate(midi.instruments, start=1) if i.notes]
    if tracks is not None:
        selectors = parse_track_selectors(tracks)
        wanted = [(n, i) for n, i in numbered if any(_matches(s, n, i) for s in selectors)]
    elif melodic:
        pitched = [(n, i) for n, i in numbered if not i.is_drum]
        wanted = [(n, i) for n, i in pitched if track_role(i) == "melodic"] or pitched
    else:
        wanted = numbered
    chosen = [(n, i) for n, i in wanted if not i.is_drum]
    left_out = [(n, i) for n, i in numbered if all(i is not c for _, c in chosen)]
    every = ", ".join(describe_track(n, i) for n, i in numbered)
    if chosen:
        reason = ""
    elif not numbered:
        reason = "the file holds no notes"
    elif tracks is None:
        reason = f"the file holds only drums ({every}), and drums are never used"
    elif wanted:
        drums = ", ".join(describe_track(n, i) for n, i in wanted)
        reason = f"--tracks {tracks} chooses only drums ({drums}), and drums are never used"
    else:
        reason = f"--tracks {tracks} matches no track; tracks: {every}"
    return TrackChoice(chosen, left_out, reason)


def instrument_notes(instrument: pretty_midi.Instrument, sustain: bool) -> list[Note]:
    played = [Note(n.pitch, n.velocity, n.start, n.end) for n in instrument.notes]
    return apply_sustain(played, _pedal_intervals(instrument)) if sustain else played


def notes_from_midi(
    path: str | Path, sustain: bool = True, tracks: str | None = None
) -> list[Note]:
    """The non-drum notes of a file (of the `tracks` chosen, else all), merged in start order.

    Raises MidiFileError with the reason when the file cannot be parsed.
    """
    return choose_tracks(read_midi(path), tracks).notes(sustain)


def seed_from_midi(path: str | Path, tracks: str | None = None) -> tuple[list[Note], TrackChoice]:
    """The notes to continue: the `tracks` chosen, else the melodic ones (see choose_tracks);
    MidiFileError saying why when there are none."""
    choice = choose_tracks(read_midi(path), tracks, melodic=True)
    if not choice.chosen:
        raise MidiFileError(f"{path}: no notes to continue: {choice.empty_because}")
    return choice.notes(), choice


def features_from_midi(
    path: str | Path, sustain: bool = True, tracks: str | None = None
) -> np.ndarray:
    """Feature rows of a file; MidiFileError saying why when it has no usable notes."""
    choice = choose_tracks(read_midi(path), tracks)
    if not choice.chosen:
        raise MidiFileError(f"{path}: no notes ({choice.empty_because})")
    return notes_to_features(choice.notes(sustain))


def note_messages(notes: Sequence[Note], since: float = 0.0) -> list[tuple[float, mido.Message]]:
    """(seconds from `since`, message) to play the notes on channel 1, note-offs first at
    equal times (`note_events`)."""
    messages = []
    for event in note_events(notes, since):
        kind = "note_on" if event.starts else "note_off"
        messages.append((event.time, mido.Message(kind, note=event.pitch, velocity=event.velocity)))
    return messages


def write_midi(path: str | Path, *parts: Sequence[Note], program: int = 0) -> None:
    """Write one piano track per part (e.g. the seed and the continuation)."""
    midi = pretty_midi.PrettyMIDI()
    for index, notes in enumerate(parts):
        track = pretty_midi.Instrument(program=program, name=f"part {index + 1}")
        for note in notes:
            track.notes.append(pretty_midi.Note(note.velocity, note.pitch, note.start, note.end))
        midi.instruments.append(track)
    with whole_file(Path(path)) as partial:
        midi.write(str(partial))
