"""`musicgen-live live --headless`: the same session without a UI, one line per event."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable

from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, describe
from musicgen_live.live.session import Session


def print_events(as_json: bool) -> Callable[[EngineEvent], None]:
    def show(event: EngineEvent) -> None:
        line = event.json() if as_json else f"{event.at:12.3f}  {describe(event)}"
        print(line, flush=True)

    return show


async def serve(config: LiveConfig) -> int:
    session = Session(config, print_events(config.json))
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
