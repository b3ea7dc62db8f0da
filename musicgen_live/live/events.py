"""What the engine reports: small records, logged headless or rendered by the UI."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class State(StrEnum):
    LISTENING = "listening"
    HEARING = "hearing"
    ANSWERING = "answering"


@dataclass(frozen=True)
class EngineEvent:
    at: float  # monotonic seconds

    def fields(self) -> dict[str, Any]:
        return {"event": type(self).__name__, **asdict(self)}

    def json(self) -> str:
        """One JSON line, times rounded to 0.1 ms."""
        items = self.fields().items()
        return json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in items})


@dataclass(frozen=True)
class StateChanged(EngineEvent):
    state: State


@dataclass(frozen=True)
class PhraseHeard(EngineEvent):
    notes: int
    seconds: float


@dataclass(frozen=True)
class PhraseEndRule(EngineEvent):
    """The rule that ends phrases and the silence it waits for now after the last release."""

    rule: str  # "adaptive" or "fixed"
    silence_ms: float


@dataclass(frozen=True)
class ClockChanged(EngineEvent):
    """The MIDI clock: followed on the input ("external"), sent ("internal"), or "none";
    its tempo in quarter notes a minute (0 while unknown), and whether it runs."""

    source: str
    bpm: float
    running: bool


@dataclass(frozen=True)
class AnswerStarted(EngineEvent):
    latency_ms: float  # phrase end (detector fired) to the first note sent


@dataclass(frozen=True)
class AnswerEnded(EngineEvent):
    notes: int
    interrupted: bool
    late_events: int


@dataclass(frozen=True)
class NotePlayed(EngineEvent):
    source: str  # "player" or "model"
    pitch: int
    velocity: int
    on: bool
    late_ms: float = 0.0


@dataclass(frozen=True)
class Notice(EngineEvent):
    level: str  # "info", "warning" or "error"
    text: str


@dataclass(frozen=True)
class PortsInUse(EngineEvent):
    """What the session plays from and to, one line each ("input: ...", "output: ...")."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class PortsAvailable(EngineEvent):
    """The ports a user may switch to (never the session's own), for a chooser."""

    kind: str  # "input" or "output"
    names: tuple[str, ...]


@dataclass(frozen=True)
class PortSwitched(EngineEvent):
    """The engine now plays from (input) or to (output) the port a user chose."""

    kind: str
    name: str


@dataclass(frozen=True)
class Recording(EngineEvent):
    """Recording started (`path`) or stopped (`path` empty; `saved` the file it wrote)."""

    path: str
    saved: str = ""


@dataclass(frozen=True)
class Stopped(EngineEvent):
    """The session stopped: every note is off and every port closed. Files may still be
    being written (`--wav`): waiting for them can no longer leave a note sounding."""


@dataclass(frozen=True)
class Finished(EngineEvent):
    """The session's files are written (or given up on): nothing is left to wait for."""


@dataclass(frozen=True)
class ModelLoaded(EngineEvent):
    folder: str


@dataclass(frozen=True)
class Failed(EngineEvent):
    """The session could not start: what went wrong, worded for the user."""

    text: str


def describe(event: EngineEvent) -> str:
    """One human line per event, for --headless and the UI's log."""
    match event:
        case StateChanged(state=state):
            return f"state {state}"
        case PhraseHeard(notes=notes, seconds=seconds):
            return f"phrase heard: {notes} notes, {seconds:.2f} s"
        case PhraseEndRule(rule=rule, silence_ms=silence):
            return f"phrase end: {rule}, {silence:.0f} ms of silence"
        case ClockChanged():
            return f"clock: {clock_line(event)}"
        case AnswerStarted(latency_ms=latency):
            return f"answer started: first note {latency:.1f} ms after the phrase ended"
        case AnswerEnded(notes=notes, interrupted=interrupted, late_events=late):
            how = "interrupted" if interrupted else "done"
            return f"answer {how}: {notes} notes, {late} late events"
        case NotePlayed(source=source, pitch=pitch, velocity=velocity, on=on, late_ms=late):
            kind = f"on  vel {velocity:3d}" if on else "off"
            return f"{source} note {kind} pitch {pitch:3d} (late {late:.2f} ms)"
        case Notice(level=level, text=text):
            return f"{level}: {text}"
        case PortsInUse(lines=lines):
            return "; ".join(lines)
        case PortsAvailable(kind=kind, names=names):
            return f"{kind}s: {', '.join(names) or 'none'}"
        case PortSwitched(kind=kind, name=name):
            return f"{kind} switched to {name}"
        case Recording(path=path, saved=saved):
            return f"recording to {path}" if path else f"recording saved: {saved}"
        case ModelLoaded(folder=folder):
            return f"model: {folder}"
        case Stopped():
            return "stopped: every note off, every port closed"
        case Finished():
            return "finished"
        case Failed(text=text):
            return f"error: {text}"
    return repr(event)


def clock_line(event: ClockChanged) -> str:
    """'external 120.0 bpm running', 'internal 96.0 bpm', 'none'."""
    if event.source == "none":
        return "none"
    tempo = f"{event.bpm:.1f} bpm" if event.bpm else "tempo unknown"
    return f"{event.source} {tempo}{' running' if event.running else ''}"
