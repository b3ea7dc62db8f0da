"""How long to wait for an engine asked to stop, from what it has said (`Stopped`, `Finished`):
shared by the engine's thread and the engine's process, so both wait alike."""

from __future__ import annotations

from collections.abc import Callable

from musicgen_live.live.events import EngineEvent, Finished, Stopped


class Stopping:
    """What an engine has said of its stop so far (events may come from another thread)."""

    def __init__(self) -> None:
        self.stopped = False  # every note off, every port closed (`Stopped`)
        self.finished = False  # and the session's files written (`Finished`)

    def see(self, event: EngineEvent) -> None:
        self.stopped = self.stopped or isinstance(event, Stopped)
        self.finished = self.finished or isinstance(event, Finished)

    def wait(self, ended: Callable[[float], bool], timeout: float) -> bool:
        """Wait, through `ended(seconds)`, `timeout` seconds at most for every note to be off,
        then as long as the session's files take (`--wav`, until `Finished`), then `timeout`
        more for the engine to end; returns whether it ended."""
        if ended(timeout):
            return True
        while self.stopped and not self.finished:
            if ended(timeout):  # every note is off: the session's files are being written
                return True
        return ended(timeout if self.finished else 0.0)
