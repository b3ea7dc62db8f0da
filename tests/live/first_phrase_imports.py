"""Run as a script: a real model answers a first phrase on a fake clock (the defaults, with
clock out); prints, as JSON, the modules imported while it did (none should be: an import on
the engine's loop stalls every note and clock tick due meanwhile)."""

from __future__ import annotations

import asyncio
import json
import sys

import mido

from musicgen_live.clock import FakeClock
from musicgen_live.live.conductor import Conductor
from musicgen_live.live.engine import Engine
from musicgen_live.live.performance import Performance
from musicgen_live.live.player import Player
from musicgen_live.runtime import ModelRunner
from tests.live.fakes import ListSink, run_for


async def first_phrase(model: str) -> list[str]:
    clock = FakeClock(100.0)
    performance = Performance(clock_out="on", bpm=120.0, length="8")
    sink = ListSink(clock)
    engine = Engine(
        ModelRunner.load(model), Conductor(performance), Player([sink]), lambda e: None, clock, 0
    )
    serving = asyncio.create_task(engine.run())
    await asyncio.sleep(0)
    before = set(sys.modules)
    for pitch in (60, 62, 64, 65, 67, 65, 64, 62):
        engine.handle(mido.Message("note_on", note=pitch, velocity=80), clock.now())
        await run_for(clock, 0.2)
        engine.handle(mido.Message("note_off", note=pitch), clock.now())
        await run_for(clock, 0.05)
    await run_for(clock, 4.0)
    engine.stop()
    await serving
    assert [m for _, m in sink.sent if m.type == "note_on"], "the model answered"
    return sorted(set(sys.modules) - before)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(first_phrase(sys.argv[1]))))
