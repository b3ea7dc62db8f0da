"""An engine on a fake clock, with a scripted model and list sinks, for the engine's tests."""

from __future__ import annotations

import asyncio

import mido

from musicgen_live.clock import FakeClock
from musicgen_live.live.conductor import Conductor
from musicgen_live.live.engine import Engine
from musicgen_live.live.events import EngineEvent
from musicgen_live.live.performance import Performance
from musicgen_live.live.player import Player
from tests.live.fakes import ListSink, ScriptedRunner, run_for

CHORDS = [(60, 0.0, 0.3, 70), (64, 0.0, 0.3, 70), (67, 0.0, 0.3, 70), (72, 0.4, 0.2, 80)]


class Rig:
    def __init__(self, runner: object = None, length: str = "8", sinks: int = 1) -> None:
        self.clock = FakeClock(100.0)
        self.runner = runner or ScriptedRunner(CHORDS, self.clock)
        self.sinks = [ListSink(self.clock) for _ in range(sinks)]
        self.events: list[EngineEvent] = []
        conductor = Conductor(Performance(silence_ms=300, phrase_end="fixed", length=length))
        self.engine = Engine(
            self.runner,  # type: ignore[arg-type]
            conductor,
            Player(self.sinks),  # type: ignore[arg-type]
            self.events.append,
            self.clock,
            rng_seed=0,
        )

    async def play(self, pitches: tuple[int, ...] = (60, 62, 64)) -> float:
        for pitch in pitches:
            self.engine.handle(mido.Message("note_on", note=pitch, velocity=80), self.clock.now())
            await run_for(self.clock, 0.1)
            self.engine.handle(mido.Message("note_off", note=pitch), self.clock.now())
            await run_for(self.clock, 0.05)
        return self.clock.now() - 0.05

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


async def serve(rig: Rig, scenario) -> None:  # type: ignore[no-untyped-def]
    serving = asyncio.create_task(rig.engine.run())
    await asyncio.sleep(0)
    try:
        await scenario()
    finally:
        rig.engine.stop()
        await serving
