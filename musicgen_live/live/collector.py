"""The garbage collector under live timing.

A collection stops every thread while it scans: with the UI on screen a full one took
10-60 ms, a few times a second, and the middle generation's up to 7 ms; a note due meanwhile
leaves that late. So once a session is set up, what exists (modules, the model, the UI) is
frozen out of the scans, and only the youngest generation (well under a millisecond) stays
automatic: the engine collects the rest itself when no note is due to leave: when it is back
to listening, and at least every IDLE_EVERY seconds otherwise.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from musicgen_live.clock import Clock, Timer

IDLE_EVERY = 30.0  # seconds
_NEVER = 1 << 30


class _Held:
    """How many engines hold the collector (one in the product; tests may run more)."""

    count = 0
    thresholds = gc.get_threshold()


def hold_full_collections() -> None:
    """Freeze what exists and leave only the youngest generation automatic, until the last
    holder calls `release`."""
    if _Held.count == 0:
        _Held.thresholds = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(_Held.thresholds[0], _NEVER, _NEVER)
    _Held.count += 1


def release() -> None:
    """Once no engine holds it: the collector as it was, automatic over every object."""
    _Held.count -= 1
    if _Held.count == 0:
        gc.set_threshold(*_Held.thresholds)
        gc.unfreeze()


def collect_old() -> None:
    """A full collection, if the youngest generation has passed anything on since the last."""
    if gc.get_count()[1]:
        gc.collect(2)


class Collector:
    """Runs the full collections of a session at the moments `busy` and `listening` allow."""

    def __init__(
        self, clock: Clock, busy: Callable[[], bool], listening: Callable[[], bool]
    ) -> None:
        self.clock = clock
        self.busy = busy  # a note is scheduled to leave
        self.listening = listening  # no phrase heard, no answer
        self.collect: Callable[[], None] = collect_old
        self._holding = False
        self._timer: Timer | None = None
        self._collected_at = clock.now()

    def start(self) -> None:
        hold_full_collections()
        self._holding = True
        self._every()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._holding:
            release()
            self._holding = False

    def listening_again(self) -> None:
        """The engine is back to listening: collect now, unless a note is due."""
        if self.listening() and not self.busy():
            self._collect()

    def _every(self) -> None:
        """Every IDLE_EVERY s, one if none came since and no note is due: a player who plays
        on for minutes may see one input stamped late, but memory stays bounded."""
        now = self.clock.now()
        if not self.busy() and now - self._collected_at >= IDLE_EVERY:
            self._collect()
        self._timer = self.clock.call_at(now + IDLE_EVERY, self._every)

    def _collect(self) -> None:
        self._collected_at = self.clock.now()
        self.collect()
