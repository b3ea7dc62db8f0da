"""How long a silence ends a phrase: a fixed time, or one that follows the player (pure; time
is passed in).

The adaptive rule waits until the player's next onset is overdue: the last onset plus a
multiple of their recent inter-onset intervals, but at least a breath after the last release.
It never waits longer than the usual 400 ms unless the player has lately left longer silences
and played on (a rest). Its constants were tuned on the hannds training pieces
(`benchmarks/phrase_end.py`).
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field
from typing import ClassVar

GROUP = 0.03  # onsets closer than this are one group (a chord)
RECENT = 16  # onset groups the adaptive rule looks back over
USUAL = 0.4  # the fixed rule's silence: no longer unless the player rests
SLOW = 0.9  # the pulse is this quantile of the recent inter-onset intervals (a slow one)
LONG = 0.9  # the player's rests: this quantile of the silences before recent onsets
WAIT = 2.0  # a longer silence is a wait (for an answer), not a rest in the music


def quantile(values: collections.deque[float], q: float) -> float:
    """The value below which a share `q` of `values` lies (no interpolation)."""
    ordered = sorted(values)
    return ordered[int((len(ordered) - 1) * q)]


@dataclass
class Rhythm:
    """The player's recent onset groups: the intervals between them and the silence (every
    key and the pedal up) before each. It outlives phrases, but a silence longer than `WAIT`
    (or one not known) starts it over: the player was waiting for an answer, not resting."""

    intervals: collections.deque[float] = field(
        default_factory=lambda: collections.deque(maxlen=RECENT)
    )
    silences: collections.deque[float] = field(
        default_factory=lambda: collections.deque(maxlen=RECENT)
    )
    last_onset: float | None = None  # the start of the latest group
    pedal_seen: bool = False  # the player has a sustain pedal and uses it
    _counted: bool = False  # the latest group has its interval and silence counted

    def onset(self, now: float, silence: float | None) -> None:
        """A key went down `silence` seconds after everything was up (0 if anything was
        held, None if not known)."""
        last = None if silence is None or silence > WAIT else self.last_onset
        if last is not None and now - last < GROUP:  # one more note of the same chord
            if self._counted and silence:
                self.silences[-1] = max(self.silences[-1], silence)
            return
        self._counted = last is not None and silence is not None
        if last is not None and silence is not None:
            self.intervals.append(now - last)
            self.silences.append(silence)
        self.last_onset = now

    def pulse(self) -> float | None:
        """A slow recent inter-onset interval, once there are two to go by."""
        return quantile(self.intervals, SLOW) if len(self.intervals) >= 2 else None

    def rest(self) -> float:
        """A long recent silence the player left before playing on (0 if none)."""
        return quantile(self.silences, LONG) if self.silences else 0.0


@dataclass(frozen=True)
class Patience:
    """How the adaptive rule waits: the next onset is overdue at the last onset plus `late`
    pulses; the player's own rests are allowed `rests` times over; and once the onset is
    overdue, a `breath` of silence (seconds) still does not end the phrase."""

    late: float
    rests: float
    breath: float


# tuned on the hannds training pieces, as recorded and with the pedal stripped
WITH_PEDAL = Patience(late=2.5, rests=3.0, breath=0.13)  # a silence is rare: maybe a breath
KEYS_ONLY = Patience(late=2.0, rests=1.25, breath=0.13)  # fingers alone leave gaps every beat


@dataclass(frozen=True)
class FixedSilence:
    """The phrase ends `silence` seconds after the last release, whatever the player does."""

    silence: float = USUAL
    name: ClassVar[str] = "fixed"

    def after(self, release: float, rhythm: Rhythm, expected_by: float | None = None) -> float:
        return self.silence


@dataclass(frozen=True)
class AdaptiveSilence:
    """The silence follows the player, within [low, high] seconds. `expected_by`, when
    given, is when the next onset is expected (from elsewhere: the model), in place of the
    rhythm's own guess."""

    low: float = 0.06
    high: float = 1.5
    name: ClassVar[str] = "adaptive"

    def after(self, release: float, rhythm: Rhythm, expected_by: float | None = None) -> float:
        patience = WITH_PEDAL if rhythm.pedal_seen else KEYS_ONLY
        if expected_by is None:
            pulse = rhythm.pulse()
            if pulse is not None and rhythm.last_onset is not None:
                expected_by = rhythm.last_onset + patience.late * pulse
        overdue = math.inf if expected_by is None else expected_by - release
        allowed = max(USUAL, patience.rests * rhythm.rest())
        return min(self.high, max(self.low, patience.breath, min(overdue, allowed)))


SilenceRule = FixedSilence | AdaptiveSilence
