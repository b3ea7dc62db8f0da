"""The player: the scheduler's messages to the sinks at their absolute deadlines (time is
passed in); every stop ends with note-offs for the open notes, then CC64=0 and CC123; a sink
that fails is dropped and reported, and the others play on."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import mido

from musicgen_live.scheduler import Scheduler, silence_messages


class Sink(Protocol):
    def send(self, message: mido.Message) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Sent:
    message: mido.Message
    at: float
    late: float = 0.0  # seconds after its deadline


class Player:
    def __init__(self, sinks: list[Sink] | None = None, channel: int = 0) -> None:
        self.sinks: list[Sink] = list(sinks or [])
        self.channel = channel
        self.scheduler = Scheduler()
        self.lost: list[str] = []  # what went wrong with dropped sinks, for the engine to report

    def add(
        self, pitch: int, velocity: int, start: float, end: float, tick: float | None = None
    ) -> None:
        self.scheduler.add_note(pitch, velocity, start, end, self.channel, tick)

    def retime(self, time_of: Callable[[float], float]) -> bool:
        return self.scheduler.retime(time_of)

    def next_deadline(self) -> float | None:
        return self.scheduler.next_deadline()

    @property
    def pending(self) -> int:
        return self.scheduler.pending

    @property
    def late_events(self) -> int:
        return self.scheduler.late_events

    def play_due(self, now: float) -> list[Sent]:
        """Send every message whose time has come."""
        return [self._send(due.message, now, due.late) for due in self.scheduler.due(now)]

    def silence(self, now: float) -> list[Sent]:
        """Drop what is pending; note-offs for every sounding note, then pedal up and All
        Notes Off on every channel played."""
        channels = self.scheduler.channels_used | {self.channel}
        messages = self.scheduler.flush() + silence_messages(channels)
        return [self._send(message, now) for message in messages]

    def send_now(self, messages: Iterable[mido.Message], now: float) -> None:
        """Send messages outside the schedule (MIDI clock) to every output."""
        for message in messages:
            self._send(message, now)

    def echo(self, message: mido.Message) -> None:
        """Sound a player's message on the outputs (the demo's phrase)."""
        for sink in list(self.sinks):
            with contextlib.suppress(Exception):
                sink.send(message)

    def replace_sinks(self, sinks: list[Sink], now: float) -> list[Sent]:
        """Silence the outputs being replaced, close them, and play to `sinks` from now on."""
        sent = self.silence(now)
        for old in self.sinks:
            if old not in sinks:
                with contextlib.suppress(Exception):
                    old.close()
        self.sinks = list(sinks)
        return sent

    def remove(self, sink: Sink) -> None:
        if sink in self.sinks:
            self.sinks.remove(sink)

    def _send(self, message: mido.Message, now: float, late: float = 0.0) -> Sent:
        for sink in list(self.sinks):
            try:
                sink.send(message)
            except Exception as error:  # a vanished port must not stop the other sinks
                self.sinks.remove(sink)
                self.lost.append(f"output lost ({error}); removed")
        return Sent(message, now, late)
