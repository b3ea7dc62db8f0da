"""Running the model when the conductor says: one note per turn of the loop, so input keeps
flowing between notes, and never when a note is about to be due (the conductor's
`next_decode` decides when). Each answer decodes from a stream of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import numpy as np

from musicgen_live.clock import Clock


class Decoder:
    def __init__(
        self,
        clock: Clock,
        when: Callable[[float], float | None],
        decoded: Callable[[np.ndarray], None],
        failed: Callable[[str, float], None],
        crashed: Callable[[BaseException], None],
        ended: Callable[[float], None] = lambda now: None,
    ) -> None:
        self.clock = clock
        self.when = when  # now -> when to run next (now or later), or None: not wanted
        self.decoded = decoded  # a note the model gave
        self.failed = failed  # the model could not give one (why, when)
        self.crashed = crashed  # something else went wrong; the music goes on
        self.ended = ended  # the stream has no more notes (when)
        self.stream: Iterator[np.ndarray] | None = None
        self._wanted = asyncio.Event()

    def start(self, stream: Iterator[np.ndarray]) -> None:
        self.stream = stream

    def stop(self) -> None:
        self.stream = None

    def wake(self) -> None:
        """Something changed: look again whether to run."""
        self._wanted.set()

    async def run(self) -> None:
        while True:
            try:
                await self._turn()
            except Exception as error:  # noqa: BLE001 - reported; the music goes on
                self.crashed(error)
                await asyncio.sleep(0)

    async def _turn(self) -> None:
        now = self.clock.now()
        when = None if self.stream is None else self.when(now)
        if when is not None and when <= now:
            self._one(now)
            await asyncio.sleep(0)  # input keeps flowing between notes
            return
        self._wanted.clear()
        timer = None if when is None else self.clock.call_at(when, self._wanted.set)
        await self._wanted.wait()
        if timer is not None:
            timer.cancel()

    def _one(self, now: float) -> None:
        assert self.stream is not None
        try:
            row = next(self.stream)
        except StopIteration:  # the answer is complete
            self.stream = None
            self.ended(now)
            return
        except Exception as error:  # noqa: BLE001 - a broken model must not stop the music
            self.stream = None
            self.failed(str(error) or type(error).__name__, now)
            return
        self.decoded(row)
