"""A fake engine for the UI tests: it keeps the commands it is given and sends the events a
test chooses, so the app's layout and keys are tested without JACK or a model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from musicgen_live.errors import UserError
from musicgen_live.live.commands import Command
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import (
    ClockChanged,
    EngineEvent,
    Notice,
    PhraseEndRule,
    PortsInUse,
    State,
    StateChanged,
)
from musicgen_live.live.performance import Performance
from musicgen_live.tui.app import MusicgenApp, make_app


class FakeEngine:
    def __init__(self, on_event: Callable[[EngineEvent], None]) -> None:
        self.on_event = on_event
        self.commands: list[Command] = []
        self.started = self.stopped = False

    def start(self) -> None:
        self.started = True
        self.on_event(StateChanged(0.0, State.LISTENING))
        self.on_event(PhraseEndRule(0.0, "adaptive", 400.0))
        self.on_event(PortsInUse(0.0, ("input: musicgen-live in (virtual)", "output: test out")))
        self.on_event(ClockChanged(0.0, "none", 0.0, False))
        self.on_event(Notice(0.0, "info", "input: musicgen-live in (virtual)"))
        self.on_event(Notice(0.0, "info", "output: test out"))

    def submit(self, command: Command) -> None:
        self.commands.append(command)

    def stop(self) -> None:
        self.stopped = True


def fake_app(
    performance: Performance | None = None,
    fail: str | None = None,
    notices: tuple[str, ...] = (),
) -> MusicgenApp:
    """The app over a FakeEngine (`app.fake`), or over a factory that fails with `fail`."""
    config = LiveConfig(
        model=Path("unused"), performance=performance or Performance(), notices=notices
    )
    app: Any = None

    def factory(on_event: Callable[[EngineEvent], None]) -> FakeEngine:
        if fail is not None:
            raise UserError(fail)
        app.fake = FakeEngine(on_event)
        return app.fake

    app = make_app(config, factory)
    return app
