"""The engine on its own loop with a real exported model and a list as its output."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import mido
import numpy as np

from musicgen_live.engine import Engine, EngineConfig
from musicgen_live.events import AnswerStarted, EngineEvent, PhraseHeard
from musicgen_live.runtime import ModelRunner


class ListSink:
    def __init__(self) -> None:
        self.sent: list[tuple[float, mido.Message]] = []

    def send(self, message: mido.Message) -> None:
        self.sent.append((time.monotonic(), message))

    def close(self) -> None:
        pass


class TimedRunner(ModelRunner):
    """The real model, noting when it runs."""

    runs: list[float]

    def body(self, window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.runs.append(time.monotonic())
        return super().body(window)


def test_the_answer_opening_is_decoded_while_the_silence_runs_out(tiny_model: Path) -> None:
    loaded = ModelRunner.load(tiny_model)
    runner = TimedRunner(loaded.folder, loaded.card, loaded._interpreter)
    runner.runs = []
    sink, events = ListSink(), list[EngineEvent]()
    engine = Engine(
        runner, EngineConfig(silence=0.2, length_notes=6, rng_seed=0), [sink], events.append
    )

    async def session() -> None:
        serving = asyncio.create_task(engine.run())
        await asyncio.sleep(0.05)
        for pitch in (60, 64, 67):
            engine.handle(mido.Message("note_on", note=pitch, velocity=70), time.monotonic())
            await asyncio.sleep(0.03)
            engine.handle(mido.Message("note_off", note=pitch), time.monotonic())
        await asyncio.sleep(1.5)
        engine.stop()
        await serving

    asyncio.run(session())
    heard = next(e for e in events if isinstance(e, PhraseHeard))
    started = next(e for e in events if isinstance(e, AnswerStarted))
    first_on = next(t for t, m in sink.sent if m.type == "note_on" and m.velocity > 0)
    assert runner.runs and runner.runs[0] < heard.at  # decoding began before the phrase ended
    # and the first note left without waiting for the model
    assert not [t for t in runner.runs if heard.at <= t <= first_on]
    assert started.latency_ms < 20
    ons = [m for _, m in sink.sent if m.type == "note_on" and m.velocity > 0]
    assert len(ons) == 6
