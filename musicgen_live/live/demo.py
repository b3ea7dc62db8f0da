"""The demo: plays the example phrase into the engine (and out loud) every few seconds, so a
newcomer hears the tool without a keyboard, until the user plays."""

from __future__ import annotations

from pathlib import Path

import mido

from musicgen_live import assets
from musicgen_live.live.engine import Engine
from musicgen_live.live.events import State
from musicgen_live.midi_files import note_messages, notes_from_midi

DEMO_PHRASE = assets.demo_phrase()
DEMO_PAUSE = 4.0  # seconds between the end of an answer and the next demo phrase
NOTICE = "demo: playing the example phrase; play anything to take over"


def demo_events(path: Path = DEMO_PHRASE) -> list[tuple[float, mido.Message]]:
    return note_messages(notes_from_midi(path))


class Demo:
    """Plays the example phrase until the player takes over; then its keys go up on the
    outputs and the engine forgets its phrase, so the player's first phrase is theirs alone."""

    def __init__(self, engine: Engine, path: Path = DEMO_PHRASE) -> None:
        self.engine = engine
        self.events = demo_events(path)
        self.over = False
        self._sounding: set[int] = set()

    async def run(self) -> None:
        engine = self.engine
        engine.notice("info", NOTICE)
        try:
            while not self.over:
                if engine.conductor.state is State.LISTENING:
                    await self._play_phrase()
                await engine.clock.sleep_until(engine.clock.now() + DEMO_PAUSE)
        finally:
            self._release()

    async def _play_phrase(self) -> None:
        engine = self.engine
        start = engine.clock.now()
        for at, message in self.events:
            await engine.clock.sleep_until(start + at)
            if self.over:
                return
            if message.type == "note_on":
                self._sounding.add(message.note)
            else:
                self._sounding.discard(message.note)
            engine.echo(message)
            engine.handle(message, engine.clock.now())

    def take_over(self) -> None:
        """The player plays: call on the loop before their first message is handled."""
        if self.over:
            return
        self.over = True
        self._release()
        self.engine.panic()  # the demo's phrase, and any answer to it, are forgotten

    def _release(self) -> None:
        """Note-offs on the outputs for the demo's keys still down."""
        for pitch in sorted(self._sounding):
            self.engine.echo(mido.Message("note_off", note=pitch))
        self._sounding.clear()
