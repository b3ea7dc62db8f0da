"""Runs a live session on its own asyncio loop in its own thread, so the UI can never
delay a note; every command crosses over with `call_soon_threadsafe`."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from musicgen_live.live import LiveSession
from musicgen_live.recorder import Recorder
from musicgen_live.runtime import ModelRunner


class EngineHost:
    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self.engine = session.engine
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="musicgen-engine", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(timeout=5)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._ready.set()
        await self.session.run()

    def call(self, function: Callable[..., Any], *args: Any) -> None:
        """Run `function(*args)` on the engine's loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(function, *args)

    def run(self, function: Callable[..., Any], *args: Any, timeout: float = 2.0) -> Any:
        """Run `function(*args)` on the engine's loop and wait for its result."""
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def call() -> None:
            try:
                done.set_result(function(*args))
            except Exception as error:
                done.set_exception(error)

        self.call(call)
        return done.result(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the engine (all notes off, ports closed) and wait for its thread."""
        self.call(self.engine.stop)
        if self._thread.is_alive():
            self._thread.join(timeout)

    # ---- commands -------------------------------------------------------------------------

    def answer_now(self) -> None:
        self.call(self.engine.answer_now)

    def panic(self) -> None:
        self.call(self.engine.panic)

    def reconfigure(self, **changes: Any) -> None:
        self.call(lambda: self.engine.reconfigure(**changes))

    def switch_port(self, kind: str, wanted: str) -> None:
        self.call(self.session.switch_port, kind, wanted)

    def switch_model(self, folder: Path) -> None:
        runner = ModelRunner.load(folder)  # errors surface in the caller's thread
        self.call(setattr, self.engine, "runner", runner)

    def start_recording(self, folder: Path) -> Path:
        recorder = Recorder(folder, started=self.engine.clock.now())
        self.call(setattr, self.engine, "recorder", recorder)
        return recorder.path

    def stop_recording(self) -> None:
        """Stop, and return once the file holds everything played."""

        def finish() -> None:
            recorder, self.engine.recorder = self.engine.recorder, None
            if recorder is not None:
                recorder.flush()

        self.run(finish)
