"""A session on a fake clock with fake MIDI ports and a scripted model: no MIDI system, no
model files, no sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mido
import pytest

from musicgen_live.clock import FakeClock
from musicgen_live.live import session as session_module
from musicgen_live.live.commands import Stop
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent
from musicgen_live.live.performance import Performance
from musicgen_live.live.session import Session
from tests.live.fakes import ListSink, ScriptedRunner, run_for

CHORDS = [(60, 0.0, 0.3, 70), (64, 0.0, 0.3, 70), (67, 0.0, 0.3, 70), (72, 0.4, 0.2, 80)]


class FakeInput:
    def __init__(self, name: str) -> None:
        self.name = name
        self.callback: Callable[[mido.Message], None] | None = None
        self.closed = False

    def press(self, message: mido.Message) -> None:
        """As the MIDI system's thread does: hand the message to the callback."""
        if not self.closed and self.callback is not None:
            self.callback(message)

    def close(self) -> None:
        self.closed = True


class FakeOutput(ListSink):
    def __init__(self, clock: FakeClock, name: str) -> None:
        super().__init__(clock)
        self.name = name


class FakePorts:
    """Lists the ports it is given and opens any of them; keeps what it opened, by name."""

    def __init__(self, clock: FakeClock, inputs: list[str], outputs: list[str]) -> None:
        self.clock = clock
        self.listed = {"input": inputs, "output": outputs}
        self.opened: dict[str, Any] = {}

    def names(self, kind: str) -> list[str]:
        return list(self.listed[kind])

    def open(self, kind: str, wanted: str) -> tuple[Any, bool]:
        port = FakeInput(wanted) if kind == "input" else FakeOutput(self.clock, wanted)
        self.opened[wanted] = port
        return port, wanted not in self.listed[kind]

    def close(self) -> None:
        pass


class SessionRig:
    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        length: str = "8",
        demo: bool = False,
        input: str = "keys A",
        waits_for: frozenset[str] = frozenset(),
    ) -> None:
        self.clock = FakeClock(100.0)
        self.runner = ScriptedRunner(CHORDS, self.clock)
        self.ports = FakePorts(self.clock, ["keys A", "keys B"], ["out A", "out B"])
        monkeypatch.setattr(session_module, "MidiPorts", lambda backend: self.ports)
        monkeypatch.setattr(session_module.ModelRunner, "load", lambda folder: self.runner)
        config = LiveConfig(
            model=Path("unused"),
            input=input,
            output="out A",
            waits_for=waits_for,
            performance=Performance(silence_ms=300, phrase_end="fixed", length=length),
            demo=demo,
        )
        self.events: list[EngineEvent] = []
        self.session = Session(config, self.events.append, self.clock)

    def port(self, name: str) -> Any:
        return self.ports.opened[name]

    async def play(self, pitches: tuple[int, ...], port: str = "keys A") -> float:
        """Short notes on an input port; returns when the last key went up."""
        for pitch in pitches:
            self.port(port).press(mido.Message("note_on", note=pitch, velocity=80))
            await run_for(self.clock, 0.1)
            self.port(port).press(mido.Message("note_off", note=pitch))
            await run_for(self.clock, 0.05)
        return self.clock.now() - 0.05

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def serve(self, scenario: Callable[[], Awaitable[None]]) -> None:
        serving = asyncio.create_task(self.session.run())
        await asyncio.sleep(0)
        try:
            await scenario()
        finally:
            self.session.handle(Stop())
            await asyncio.wait_for(serving, 5)


@contextmanager
def raising_once(target: object, name: str, error: Exception) -> Iterator[list[int]]:
    """`target.name` raises `error` on its first call, then works again; yields the calls."""
    original = getattr(target, name)
    calls: list[int] = []

    def once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise error
        return original(*args, **kwargs)

    setattr(target, name, once)
    try:
        yield calls
    finally:
        setattr(target, name, original)
