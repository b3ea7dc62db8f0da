"""The live app's entries in Textual's command palette (ctrl+p): every key's action, by name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from textual.app import SystemCommand

from musicgen_live.tui.control_panel import control_commands


class LiveActions(Protocol):
    def action_answer_now(self) -> None: ...
    def action_panic(self) -> None: ...
    def action_record(self) -> None: ...
    def action_choose(self, kind: str) -> None: ...
    def action_step(self, control: str, direction: int) -> None: ...
    def action_help(self) -> None: ...


def live_commands(app: LiveActions) -> Iterator[SystemCommand]:
    yield SystemCommand("Answer now", "End the phrase and answer at once", app.action_answer_now)
    yield SystemCommand("Panic", "All notes off", app.action_panic)
    yield SystemCommand("Record", "Start or stop recording the session", app.action_record)
    for kind, what in (("input", "MIDI input"), ("output", "MIDI output or FluidSynth")):
        yield SystemCommand(
            f"Choose {kind}", f"Pick the {what}", lambda k=kind: app.action_choose(k)
        )
    yield SystemCommand(
        "Choose model", "Pick a model from models/", lambda: app.action_choose("model")
    )
    yield from control_commands(app.action_step)
    yield SystemCommand("Help", "Keys and what they do", app.action_help)
