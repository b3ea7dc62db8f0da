"""`musicgen-live live --headless`: the same session without a UI, one line per event."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable

from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, describe
from musicgen_live.live.priority import run_realtime
from musicgen_live.live.session import Session


def print_events(as_json: bool, reader_gone: Callable[[], None]) -> Callable[[EngineEvent], None]:
    """One line per event on stdout; once nothing reads them (the pipe closed), the session
    stops: a script that went away should not leave the engine playing."""

    def show(event: EngineEvent) -> None:
        line = event.json() if as_json else f"{event.at:12.3f}  {describe(event)}"
        try:
            print(line, flush=True)
        except (BrokenPipeError, ValueError):  # ValueError: stdout already closed
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            reader_gone()

    return show


async def serve(config: LiveConfig) -> int:
    sessions: list[Session] = []  # once built, for the printer to stop
    gone: list[bool] = []  # the reader went away, perhaps while the session was being built

    def reader_gone() -> None:
        gone.append(True)
        for built in sessions:
            built.engine.stop()

    session = Session(config, print_events(config.json, reader_gone))
    sessions.append(session)
    session.engine.notice("info", run_realtime())  # this thread sends the notes
    if gone:  # its first lines (the notices of opening the ports) found no reader
        session.engine.stop()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, session.engine.stop)
    await session.run()
    return 1 if session.failed else 0


def run_headless(config: LiveConfig) -> int:
    code = asyncio.run(serve(config))
    # Every note is off and every port closed by now. Leave without interpreter
    # finalization, which rtmidi's own threads can still race into.
    sys.stdout.flush()
    os._exit(code)
