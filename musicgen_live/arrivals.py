"""When each message from a JACK input came, on the monotonic clock, from the times JACK gave it
(pure: times are passed in).

rtmidi hands each message with the time since the previous one on JACK's own clock, and the
input's thread collects it a little later: up to a poll interval, or longer while another
thread holds the interpreter. So a message came at `elapsed + anchor`, where `elapsed` is the
sum of JACK's deltas and `anchor` is unknown but no later than any message's collection less
its `elapsed`.

JACK's deltas are whole cycles apart, give or take when each cycle's callback was woken
(up to a few ms on a busy machine); given the cycle's length, each message is taken to the
nearest whole number of cycles after its phrase's first (should the cycles drift from the
system's clock, no stamp moves by more than a cycle).

The anchor moves only between phrases (after QUIET seconds without input), to the earliest
that the collections since its last move allowed. Within a phrase the intervals are JACK's
own, to the microsecond: the model hears the player's timing as played, and one phrase played
twice gives one answer. (Moving the anchor at every prompt collection, as a running minimum
would, shortens one interval of the phrase by up to a poll interval each time.) A MIDI
clock's tick moves it at once, to the earliest the collections allow: ticks never pause, so
waiting for a quiet while would leave the clock's grid as late as its first tick was
collected; after a few ticks the moves are a small fraction of a millisecond.
"""

from __future__ import annotations

import math
from collections.abc import Callable

QUIET = 1.0  # seconds without input after which the anchor may move
AHEAD_LIMIT = 0.008  # a stamp further than this after its collection moves the anchor at once
HOLD_LIMIT = 0.1  # and one further than this before it (a long garbage collection, a bad delta)


class Arrivals:
    """Stamps for one input's messages, in the order they came."""

    def __init__(self, cycle: Callable[[], float | None] = lambda: None) -> None:
        self._cycle = cycle  # seconds per JACK cycle, or None: not known
        self._period: float | None = None  # read when a phrase starts
        self._raw = 0.0  # JACK's time since the input's first message, as rtmidi gave it
        self._phrase = 0.0  # `_raw` at the phrase's first message
        self._anchor: float | None = None
        self._earliest = math.inf  # the earliest anchor the collections since its move allow

    def stamp(self, delta: float, collected: float, tick: bool = False) -> float:
        """When a message `delta` seconds after the previous one (JACK's clock), collected at
        `collected` (monotonic), came: never more than AHEAD_LIMIT after its collection, nor
        HOLD_LIMIT before it. `tick`: the message is a MIDI clock's."""
        self._raw += delta
        starts = self._anchor is None or delta >= QUIET  # a phrase
        if starts:
            self._period, self._phrase = self._cycle(), self._raw
        elapsed = self._raw
        if self._period and not tick:  # whole cycles from the phrase's first (no drift);
            # a clock's ticks keep JACK's raw times: a burst of cycles JACK ran back to back
            # to catch up would otherwise give several ticks one time
            elapsed = self._phrase + round((self._raw - self._phrase) / self._period) * self._period
        bound = collected - elapsed
        anchor = self._anchor
        if anchor is None or starts:
            anchor, self._earliest = min(self._earliest, bound), math.inf
        elif tick:
            anchor = min(anchor, bound)
        self._earliest = min(self._earliest, bound)
        if not collected - HOLD_LIMIT <= elapsed + anchor <= collected + AHEAD_LIMIT:
            anchor = min(bound, max(anchor, bound - HOLD_LIMIT))
        self._anchor = anchor
        return elapsed + anchor
