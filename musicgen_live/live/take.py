"""One take: the player's notes and the answers as one MIDI file, two tracks.

The file is rewritten whole (to a temporary name, then renamed) every few seconds while
notes end (`live/recording.py`), so a killed process keeps all but those last seconds, and a
failed write never corrupts the last good file. A take that stops ends what it holds: every
key still down gets its note-off, and a pedal still down its release.
A take made while the session follows or sends MIDI clock is written on that clock's tempo
and bars (`live/tempo_map.py`); any other at 120 bpm, one beat every half second.
`--record PATH` records into a folder (an existing one, or a new name without `.mid`), or into
one new file when PATH ends in `.mid`.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from pathlib import Path

import mido

from musicgen_live.errors import UserError
from musicgen_live.live.tempo_map import TICKS_PER_BEAT, TempoMap

TEMPO = 500_000  # 120 bpm: one tick is 1/960 s
TRACKS = ("player", "model")
SUSTAIN = 64


def check_recording_path(path: Path) -> Path:
    """PATH itself, or a one-line UserError when recording there would destroy something."""
    if path.suffix.lower() == ".mid":
        if path.exists():
            raise UserError(f"--record {path}: the file exists; give a new name or a folder")
    elif path.exists() and not path.is_dir():
        raise UserError(f"--record {path}: not a folder and not a .mid file")
    return path


def recording_file(path: Path) -> Path:
    """The file to write: PATH when it ends in .mid, else a new session file in folder PATH."""
    if path.suffix.lower() == ".mid":
        return path
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return path / f"session-{stamp}.mid"


class Take:
    """Records into `path` (a .mid file); its folder is created. Raises OSError when it
    cannot be, or UserError when the file exists."""

    def __init__(self, path: Path, started: float) -> None:
        self.path = recording_file(check_recording_path(path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.started = started
        self.events: dict[str, list[tuple[float, mido.Message]]] = {t: [] for t in TRACKS}
        self.failed: str | None = None
        self.sounding: dict[str, set[tuple[int, int]]] = {t: set() for t in TRACKS}
        self.pedalled: dict[str, set[int]] = {t: set() for t in TRACKS}  # channels
        self.grid = TempoMap()  # the MIDI clock's beats, if one ran
        self._lock = threading.Lock()
        self._writing = threading.Lock()

    def add(self, source: str, message: mido.Message, at: float) -> None:
        """Remember one message; a note ending triggers a write (call `flush` off the hot path)."""
        with self._lock:
            self.events[source].append((max(0.0, at - self.started), message))
            self._follow(source, message)

    def _follow(self, source: str, message: mido.Message) -> None:
        """Keep what is held: notes sounding and pedals down, by channel."""
        if message.type in ("note_on", "note_off"):
            key = (message.channel, message.note)
            if message.type == "note_on" and message.velocity:
                self.sounding[source].add(key)
            else:
                self.sounding[source].discard(key)
        elif message.type == "control_change" and message.control == SUSTAIN:
            held = self.pedalled[source]
            (held.add if message.value >= 64 else held.discard)(message.channel)

    def end_held(self, at: float) -> None:
        """Note-offs for every key still down, then pedals up, at `at` (the take stops)."""
        for source in TRACKS:
            for channel, note in sorted(self.sounding[source]):
                self.add(source, mido.Message("note_off", channel=channel, note=note), at)
            for channel in sorted(self.pedalled[source]):
                message = mido.Message("control_change", channel=channel, control=SUSTAIN)
                self.add(source, message, at)

    def beat(self, at: float, number: int, beats_per_bar: int) -> None:
        """Beat `number` of the session's MIDI clock fell at `at`."""
        with self._lock:
            self.grid.beat(at - self.started, number, beats_per_bar)

    def midi_file(self) -> mido.MidiFile:
        midi = mido.MidiFile(ticks_per_beat=TICKS_PER_BEAT)
        with self._lock:  # copies: the loop adds to them meanwhile
            snapshot = {name: list(events) for name, events in self.events.items()}
            grid = self.grid.copy() if self.grid.synced else None
        if grid is not None:
            tempos = grid.tempos()
            ticks = {name: [grid.tick(at) for at, _ in events] for name, events in snapshot.items()}
        else:
            tempos = [(0, TEMPO)]
            ticks = {
                name: [round(mido.second2tick(at, TICKS_PER_BEAT, TEMPO)) for at, _ in events]
                for name, events in snapshot.items()
            }
        for name, events in snapshot.items():
            timed = [
                (tick, 1, at, message)
                for tick, (at, message) in zip(ticks[name], events, strict=True)
            ]
            if name == TRACKS[0]:  # the tempo (and, on a clock's grid, the bar) goes first
                timed += [(t, 0, 0.0, mido.MetaMessage("set_tempo", tempo=us)) for t, us in tempos]
                if grid is not None:
                    bar = mido.MetaMessage("time_signature", numerator=grid.beats_per_bar)
                    timed.append((0, 0, 0.0, bar))
            track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
            previous = 0
            for tick, _, _, message in sorted(timed, key=lambda e: e[:3]):
                track.append(message.copy(time=tick - previous))
                previous = tick
            midi.tracks.append(track)
        return midi

    def flush(self) -> str | None:
        """Write the whole session; on failure (a full disk) keep the last good file and
        return what went wrong."""
        temporary = self.path.with_suffix(".mid.tmp")
        with self._writing:  # one writer at a time: they share the temporary file
            try:
                self.midi_file().save(temporary)
                temporary.replace(self.path)
            except OSError as error:
                self.failed = f"recording to {self.path} failed: {error.strerror or error}"
                with contextlib.suppress(OSError):  # a read-only disk refuses this too
                    temporary.unlink(missing_ok=True)
                return self.failed
            self.failed = None
            return None
