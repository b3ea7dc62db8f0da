"""What the engine reports: events queued while notes are due and handed to the listener
once the loop is free, in order; a listener that fails never stops the music."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable
from dataclasses import replace

from musicgen_live.clock import Clock
from musicgen_live.live.events import AnswerEnded, EngineEvent, Notice


class Reports:
    def __init__(
        self,
        clock: Clock,
        listener: Callable[[EngineEvent], None],
        late_events: Callable[[], int],
    ) -> None:
        self.clock = clock
        self.listener = listener
        self.late_events = late_events  # the session's running count of notes sent late
        self.loop: asyncio.AbstractEventLoop | None = None  # set while the engine serves
        self._queue: collections.deque[EngineEvent] = collections.deque()
        self._late_before = 0  # the count when the last answer ended

    def emit(self, event: EngineEvent) -> None:
        """Report an event once the loop is free: notes go out first, reports after, in order."""
        if isinstance(event, AnswerEnded):  # the notes of this answer that left late
            late = self.late_events()
            event = replace(event, late_events=late - self._late_before)
            self._late_before = late
        self._queue.append(event)
        loop = self.loop
        if loop is None or not loop.is_running():
            self.flush()  # not serving (starting or stopped): nothing to wait for
        elif len(self._queue) == 1:
            loop.call_soon(self.flush)

    def notice(self, level: str, text: str) -> None:
        """One line for the user: info, warning or error."""
        self.emit(Notice(self.clock.now(), level, text))

    def flush(self) -> None:
        while self._queue:
            event = self._queue.popleft()
            with contextlib.suppress(Exception):  # a broken listener must not stop the music
                self.listener(event)
