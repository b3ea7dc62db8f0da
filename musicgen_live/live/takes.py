"""The recordings open in a session ("takes") and how they reach the disk.

Every open take receives what is played. While notes end, the takes are rewritten off the
loop at most once every WRITE_EVERY seconds, so a long session costs a rewrite every few
seconds, not one per note, and a killed process loses at most those seconds. A take that
stops is written at once.

The user's recording (`--record`, the r key) and the one `--wav` renders at the end are
separate takes: starting or stopping one never cuts the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import mido

from musicgen_live.clock import Clock, Timer
from musicgen_live.recorder import Recorder

WRITE_EVERY = 2.0  # seconds


class Takes:
    def __init__(self, clock: Clock, warn: Callable[[str], None]) -> None:
        self.clock = clock
        self.warn = warn  # one line for the user, once per take whose disk refuses it
        self.open: list[Recorder] = []
        self._timer: Timer | None = None
        self._warned: set[int] = set()

    def start(self, take: Recorder) -> None:
        self.open.append(take)

    def stop(self, take: Recorder, written: Callable[[], None] = lambda: None) -> None:
        """Stop recording into `take`, write it whole, then call `written`."""
        if take in self.open:
            self.open.remove(take)
            self._write(take, "", written)

    def add(self, source: str, message: mido.Message, at: float) -> None:
        for take in self.open:
            take.add(source, message, at)

    def note_ended(self) -> None:
        """A note ended: have the takes written within WRITE_EVERY seconds."""
        if self.open and self._timer is None:
            self._timer = self.clock.call_at(self.clock.now() + WRITE_EVERY, self._write_open)

    def close(self) -> None:
        """The session ends: every take written, here and now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self.open:
            self._write_now(self.open.pop(), "")

    def _write_open(self) -> None:
        self._timer = None
        for take in self.open:
            self._write(take, "; still playing, not recording")

    def _write(
        self, take: Recorder, consequence: str, written: Callable[[], None] = lambda: None
    ) -> None:
        """Off the loop when there is one (a write can take a while in a long session)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._write_now(take, consequence)
            written()
            return

        def done(future: asyncio.Future[str | None]) -> None:
            self._report(take, _failure(future), consequence)
            written()

        loop.run_in_executor(None, take.flush).add_done_callback(done)

    def _write_now(self, take: Recorder, consequence: str) -> None:
        self._report(take, take.flush(), consequence)

    def _report(self, take: Recorder, failure: str | None, consequence: str) -> None:
        if failure is not None and id(take) not in self._warned:
            self._warned.add(id(take))
            self.warn(failure + consequence)


def _failure(done: asyncio.Future[str | None]) -> str | None:
    if done.cancelled():
        return None
    error = done.exception()
    return f"recording failed: {error}" if error is not None else done.result()
