"""Scheduler: timed note events on absolute deadlines, with open-note tracking (pure).

Events at the same instant go note-off first; a re-struck pitch first ends the sounding note,
and that note's own (now stale) note-off is dropped so it cannot cut the new one. A note placed
on a MIDI clock's grid keeps its place there (`tick`): `retime` moves it when the clock's
tempo or phase is known better.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import mido

NOTE_OFF, NOTE_ON = 0, 1


@dataclass(order=True, slots=True)
class Event:
    time: float  # moved in place by `retime` only (then the queue is heapified again)
    kind: int  # NOTE_OFF sorts before NOTE_ON at the same time
    sequence: int
    note_id: int = field(compare=False)
    pitch: int = field(compare=False)
    velocity: int = field(compare=False)
    channel: int = field(compare=False)
    tick: float | None = field(default=None, compare=False)  # its note's onset on a clock grid
    offset: float = field(default=0.0, compare=False)  # seconds after that onset


@dataclass(frozen=True)
class Due:
    """A message to send now, with how late it is against its deadline."""

    message: mido.Message
    deadline: float
    late: float
    note_id: int


class Scheduler:
    def __init__(self, late_tolerance: float = 0.003) -> None:
        self._queue: list[Event] = []
        self._sequence = itertools.count()
        self._ids = itertools.count(1)
        self._sounding: dict[tuple[int, int], int] = {}  # (channel, pitch) -> note id
        self.late_tolerance = late_tolerance
        self.late_events = 0
        self.channels_used: set[int] = set()

    def add_note(
        self,
        pitch: int,
        velocity: int,
        start: float,
        end: float,
        channel: int = 0,
        tick: float | None = None,
    ) -> int:
        """Schedule a note; returns its id. `tick`: where its onset falls on a MIDI clock's
        grid, for `retime`."""
        note_id = next(self._ids)
        heapq.heappush(
            self._queue,
            Event(start, NOTE_ON, next(self._sequence), note_id, pitch, velocity, channel, tick),
        )
        end = max(end, start)
        sequence = next(self._sequence)
        off = Event(end, NOTE_OFF, sequence, note_id, pitch, 0, channel, tick, end - start)
        heapq.heappush(self._queue, off)
        self.channels_used.add(channel)
        return note_id

    def retime(self, time_of: Callable[[float], float]) -> bool:
        """Move the events of notes placed on a clock grid to where `time_of` (tick -> time)
        now puts their onsets, durations kept; whether any moved."""
        moved = False
        for event in self._queue:
            if event.tick is not None:
                at = time_of(event.tick) + event.offset
                moved |= at != event.time
                event.time = at
        if moved:
            heapq.heapify(self._queue)
        return moved

    def next_deadline(self) -> float | None:
        return self._queue[0].time if self._queue else None

    @property
    def open_notes(self) -> int:
        return len(self._sounding)

    @property
    def pending(self) -> int:
        return len(self._queue)

    def due(self, now: float) -> list[Due]:
        """Messages whose time has come, in order; late ones are counted."""
        messages: list[Due] = []
        while self._queue and self._queue[0].time <= now:
            event = heapq.heappop(self._queue)
            late = now - event.time
            key = (event.channel, event.pitch)
            if event.kind == NOTE_ON:
                if key in self._sounding:  # re-struck: end the sounding note first
                    messages.append(Due(self._off(event), event.time, late, self._sounding[key]))
                self._sounding[key] = event.note_id
                message = mido.Message(
                    "note_on", channel=event.channel, note=event.pitch, velocity=event.velocity
                )
            elif self._sounding.get(key) == event.note_id:
                del self._sounding[key]
                message = self._off(event)
            else:
                continue  # stale: this note was already ended by a re-strike
            if late > self.late_tolerance:
                self.late_events += 1
            messages.append(Due(message, event.time, late, event.note_id))
        return messages

    def flush(self) -> list[mido.Message]:
        """Drop everything pending; note-offs for every sounding note."""
        self._queue.clear()
        offs = [
            mido.Message("note_off", channel=channel, note=pitch, velocity=0)
            for channel, pitch in sorted(self._sounding)
        ]
        self._sounding.clear()
        return offs

    @staticmethod
    def _off(event: Event) -> mido.Message:
        return mido.Message("note_off", channel=event.channel, note=event.pitch, velocity=0)


def silence_messages(channels: set[int] | list[int]) -> list[mido.Message]:
    """Sustain pedal up, then All Notes Off, on every channel given."""
    messages = []
    for channel in sorted(set(channels) or {0}):
        messages.append(mido.Message("control_change", channel=channel, control=64, value=0))
        messages.append(mido.Message("control_change", channel=channel, control=123, value=0))
    return messages
