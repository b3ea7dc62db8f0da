"""Clocks: the engine reads time and sets its timers through this protocol, so its logic is
tested on a fake clock without sleeping."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol

EARLY_WAKE = 0.002  # the loop's timers can fire a millisecond late: wake early, then wait exactly


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    def call_at(self, when: float, callback: Callable[[], None], exact: bool = False) -> Timer:
        """Run `callback` on the running loop at `when` (absolute, on this clock); `exact`
        to the tenth of a millisecond (a short busy wait), else as the loop's timers fire."""
        ...

    async def sleep_until(self, when: float) -> None:
        """Return at `when` (at once if it has passed)."""
        ...


class MonotonicClock:
    """The real clock. asyncio's loop keeps time with `time.monotonic` too, so deadlines on
    this clock are deadlines on the loop's."""

    def now(self) -> float:
        return time.monotonic()

    def call_at(self, when: float, callback: Callable[[], None], exact: bool = False) -> Timer:
        loop = asyncio.get_running_loop()
        if not exact:
            return loop.call_at(when, callback)
        return loop.call_at(when - EARLY_WAKE, self._exactly, when, callback)

    @staticmethod
    def _exactly(when: float, callback: Callable[[], None]) -> None:
        while time.monotonic() < when:  # at most EARLY_WAKE of waiting, on purpose
            time.sleep(0.0001)
        callback()

    async def sleep_until(self, when: float) -> None:
        await asyncio.sleep(max(0.0, when - time.monotonic()))


class FakeTimer:
    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """A clock that moves only when told to; its timers fire as it passes them."""

    def __init__(self, start: float = 0.0) -> None:
        self.time = start
        self._timers: list[tuple[float, int, FakeTimer]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self.time

    def call_at(self, when: float, callback: Callable[[], None], exact: bool = False) -> FakeTimer:
        timer = FakeTimer(when, callback)
        heapq.heappush(self._timers, (when, next(self._order), timer))
        return timer

    async def sleep_until(self, when: float) -> None:
        if when <= self.time:
            await asyncio.sleep(0)
            return
        woken = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not woken.done():
                woken.set_result(None)

        self.call_at(when, wake)
        await woken

    def next_timer(self) -> float | None:
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0][0] if self._timers else None

    def advance(self, seconds: float) -> float:
        """Move on by `seconds`, firing every timer passed on the way at its own time."""
        target = self.time + seconds
        while (when := self.next_timer()) is not None and when <= target:
            _, _, timer = heapq.heappop(self._timers)
            self.time = max(self.time, when)
            timer.callback()
        self.time = target
        return self.time


class Alarm:
    """One timer at one deadline: setting the same deadline again keeps it, another replaces
    it, None cancels it. The callback runs once the deadline comes."""

    def __init__(self, clock: Clock, callback: Callable[[], None], exact: bool = False) -> None:
        self.clock = clock
        self.callback = callback
        self.exact = exact
        self._set: tuple[float, Timer] | None = None

    def set(self, when: float | None) -> None:
        if self._set is not None:
            if self._set[0] == when:
                return
            self._set[1].cancel()
            self._set = None
        if when is not None:
            self._set = (when, self.clock.call_at(when, self._ring, self.exact))

    def cancel(self) -> None:
        self.set(None)

    def _ring(self) -> None:
        self._set = None
        self.callback()
