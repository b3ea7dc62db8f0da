"""Messages from the engine's thread to the app, one kind per event (`post_message` is
thread-safe); the high-rate ones make way for a newer one of their kind."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from musicgen_live.live.events import (
    AnswerEnded,
    AnswerStarted,
    ClockChanged,
    EngineEvent,
    Failed,
    ModelLoaded,
    PhraseEndRule,
    PortsAvailable,
    PortsInUse,
    PortSwitched,
    Recording,
    State,
    StateChanged,
    clock_line,
    describe,
)


@dataclass
class StateShown(Message):
    state: State

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StateShown)


@dataclass
class PhraseEndShown(Message):
    rule: str
    silence_ms: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PhraseEndShown)


@dataclass
class ClockShown(Message):
    line: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ClockShown)


class NotesArrived(Message):
    """Notes wait in the app's queue; one message draws every one of them."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, NotesArrived)


@dataclass
class LatencyMeasured(Message):
    latency_ms: float
    line: str


@dataclass
class AnswerDone(Message):
    at: float
    late_events: int
    line: str


@dataclass
class PortsShown(Message):
    lines: tuple[str, ...]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PortsShown)


@dataclass
class PortChoices(Message):
    kind: str
    names: tuple[str, ...]


@dataclass
class PortChosen(Message):
    """The engine switched to the port a user chose: now it may be remembered."""

    kind: str
    name: str


@dataclass
class RecordingShown(Message):
    path: str
    saved: str


@dataclass
class ModelShown(Message):
    folder: str


@dataclass
class EngineFailed(Message):
    text: str


@dataclass
class LogLine(Message):
    text: str


def message_for(event: EngineEvent) -> Message:
    """The app's message for one engine event (notes go through `NotesArrived`)."""
    match event:
        case StateChanged(state=state):
            return StateShown(state)
        case PhraseEndRule(rule=rule, silence_ms=silence):
            return PhraseEndShown(rule, silence)
        case ClockChanged():
            return ClockShown(clock_line(event))
        case AnswerStarted(latency_ms=latency):
            return LatencyMeasured(latency, describe(event))
        case AnswerEnded(at=at, late_events=late):
            return AnswerDone(at, late, describe(event))
        case PortsInUse(lines=lines):
            return PortsShown(lines)
        case PortsAvailable(kind=kind, names=names):
            return PortChoices(kind, names)
        case PortSwitched(kind=kind, name=name):
            return PortChosen(kind, name)
        case Recording(path=path, saved=saved):
            return RecordingShown(path, saved)
        case ModelLoaded(folder=folder):
            return ModelShown(folder)
        case Failed(text=text):
            return EngineFailed(text)
    return LogLine(describe(event))
