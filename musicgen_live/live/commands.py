"""What a UI asks of the engine: small frozen records, handed to the engine's thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from musicgen_live.live.performance import Performance


@dataclass(frozen=True)
class AnswerNow:
    """End the phrase being heard and answer it at once."""


@dataclass(frozen=True)
class Panic:
    """All notes off now, and forget the phrase being heard."""


@dataclass(frozen=True)
class Reconfigure:
    """New controls for the next answer."""

    performance: Performance


@dataclass(frozen=True)
class ListPorts:
    """Ask for the ports of a kind ("input" or "output") a user may switch to."""

    kind: str


@dataclass(frozen=True)
class SwitchPort:
    """Play from another input, or to another output ("FluidSynth" for the synthesizer)."""

    kind: str
    name: str


@dataclass(frozen=True)
class SwitchModel:
    folder: Path


@dataclass(frozen=True)
class StartRecording:
    """Record into `path` (a folder or a new .mid file), or where --record said, or into the
    user's music folder."""

    path: Path | None = None


@dataclass(frozen=True)
class StopRecording:
    pass


@dataclass(frozen=True)
class Stop:
    """End the session: all notes off, ports closed."""


Command = (
    AnswerNow
    | Panic
    | Reconfigure
    | ListPorts
    | SwitchPort
    | SwitchModel
    | StartRecording
    | StopRecording
    | Stop
)
