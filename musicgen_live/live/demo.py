"""The demo: plays the example phrase into the engine (and out loud) every few seconds, so a
newcomer hears the tool without a keyboard, until the user plays."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import mido

from musicgen_live.live.engine import Engine
from musicgen_live.live.events import Notice, State
from musicgen_live.midi_files import notes_from_midi

DEMO_PHRASE = Path(__file__).resolve().parent.parent.parent / "examples" / "phrase.mid"
DEMO_PAUSE = 4.0  # seconds between the end of an answer and the next demo phrase


def demo_events(path: Path = DEMO_PHRASE) -> list[tuple[float, mido.Message]]:
    notes = notes_from_midi(path)
    events = [(n.start, mido.Message("note_on", note=n.pitch, velocity=n.velocity)) for n in notes]
    events += [(n.end, mido.Message("note_off", note=n.pitch)) for n in notes]
    return sorted(events, key=lambda event: (event[0], event[1].type == "note_on"))


async def play_demo(engine: Engine, user_played: Callable[[], bool]) -> None:
    events = demo_events()
    engine.emit(
        Notice(
            engine.clock.now(),
            "info",
            "demo: playing the example phrase; play anything to take over",
        )
    )
    while not user_played():
        if engine.conductor.state is State.LISTENING:
            start = engine.clock.now()
            for at, message in events:
                await engine.clock.sleep_until(start + at)
                if user_played():
                    return
                engine.echo(message)
                engine.handle(message, engine.clock.now())
        await engine.clock.sleep_until(engine.clock.now() + DEMO_PAUSE)
