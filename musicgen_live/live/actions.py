"""What the conductor asks the engine to do, and the outcome of each of its decisions:
actions to carry out and events to report."""

from __future__ import annotations

from dataclasses import dataclass, field

import mido
import numpy as np

from musicgen_live.live.events import EngineEvent
from musicgen_live.live.performance import Performance
from musicgen_live.notes import Note


@dataclass(frozen=True)
class Decode:
    """Start decoding answer number `answer` from these seed rows (replacing any stream).
    Its random draws depend on the session's seed and `answer` alone, so openings decoded
    and dropped before it never change what it plays."""

    seed: np.ndarray
    performance: Performance
    answer: int = 1


@dataclass(frozen=True)
class StopDecoding:
    pass


@dataclass(frozen=True)
class Play:
    """Play this note of the answer; `tick`: where its onset falls on the MIDI clock's grid
    (it then moves with the clock)."""

    note: Note
    tick: float | None = None


@dataclass(frozen=True)
class Silence:
    """Note-offs for every sounding note, then sustain off and All Notes Off."""


@dataclass(frozen=True)
class Send:
    """Send these messages now (MIDI clock Start or Stop)."""

    messages: tuple[mido.Message, ...]


Action = Decode | StopDecoding | Play | Silence | Send


@dataclass
class Outcome:
    actions: list[Action] = field(default_factory=list)
    events: list[EngineEvent] = field(default_factory=list)

    def __iadd__(self, other: Outcome) -> Outcome:
        self.actions += other.actions
        self.events += other.events
        return self
