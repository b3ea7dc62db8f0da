"""The engine's own asyncio loop in its own thread, under a UI, so a slow frame can never
delay a note. The session is built on that thread (every MIDI port lives there); commands
cross over with `submit`, events come back through `on_event` (from the engine's thread)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable

from musicgen_live.errors import UserError
from musicgen_live.live.commands import Command, Stop
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, Failed
from musicgen_live.live.priority import run_realtime
from musicgen_live.live.session import Session
from musicgen_live.live.stopping import Stopping


class EngineThread:
    def __init__(self, config: LiveConfig, on_event: Callable[[EngineEvent], None]) -> None:
        self.config = config
        self.on_event = on_event
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: Session | None = None
        self._waiting: list[Command] = []  # commands submitted before the session was ready
        self._stopping_said = Stopping()  # what the session said of its stop
        self._thread = threading.Thread(target=self._run, name="musicgen-engine", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def session(self) -> Session | None:
        """The session once built (for tests and tools; the UI uses commands)."""
        return self._session

    def running(self) -> bool:
        """Whether the engine's thread is still serving (or yet to start serving)."""
        return self._thread.is_alive()

    def submit(self, command: Command) -> None:
        """Hand a command to the engine's loop (from any thread)."""
        with self._lock:
            if self._session is None or self._loop is None:
                self._waiting.append(command)
                return
            loop, session = self._loop, self._session
        if not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed meanwhile: the session is over
                loop.call_soon_threadsafe(session.handle, command)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the engine (all notes off, ports closed) and wait for its thread: `timeout`
        seconds at most for every note to be off (`Stopped`), then as long as the session's
        files take (`--wav`, until `Finished`), then `timeout` more for it to end."""
        self.submit(Stop())
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._stopping_said.wait(self._ended, timeout)

    def _ended(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _on_event(self, event: EngineEvent) -> None:
        self._stopping_said.see(event)
        self.on_event(event)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        try:
            session = Session(self.config, self._on_event)
        except UserError as error:
            self.on_event(Failed(time.monotonic(), str(error)))
            return
        except Exception as error:  # noqa: BLE001 - shown on the error screen, not a traceback
            self.on_event(Failed(time.monotonic(), f"{type(error).__name__}: {error}"))
            return
        loop = asyncio.get_running_loop()
        with self._lock:
            self._loop, self._session = loop, session
            waiting, self._waiting = self._waiting, []
        for command in waiting:
            loop.call_soon(session.handle, command)
        session.engine.notice("info", run_realtime())  # this thread sends the notes
        await session.run()
