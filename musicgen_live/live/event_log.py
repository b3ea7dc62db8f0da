"""`--events FILE`: every event also as a JSON line in a file, for tools and benchmarks that
watch a session run under the UI."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from musicgen_live.errors import UserError
from musicgen_live.live.events import EngineEvent


class EventLog:
    def __init__(self, path: Path, on_event: Callable[[EngineEvent], None]) -> None:
        try:
            self.file = path.open("a", buffering=1, encoding="utf-8")
        except OSError as error:
            raise UserError(f"--events {path}: {error.strerror or error}") from error
        self.on_event = on_event

    def __call__(self, event: EngineEvent) -> None:
        with contextlib.suppress(OSError, ValueError):  # never stop the music over a log
            self.file.write(event.json() + "\n")
        self.on_event(event)

    def close(self) -> None:
        self.file.close()
