"""The session on a JACK dummy server: its own ports are never offered nor accepted as an
output (a loop), and switching ports then quitting ends cleanly."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from musicgen_live.live.commands import ListPorts, SwitchPort
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, Notice, PortsAvailable
from musicgen_live.live.session import Session

pytestmark = pytest.mark.jack


async def test_the_sessions_own_input_is_never_offered_nor_accepted_as_output(
    jack_server: str, tiny_model: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    config = LiveConfig(
        model=tiny_model, backend="jack", input=f"own-in-{tag}", output=f"own-out-{tag}"
    )
    events: list[EngineEvent] = []
    session = Session(config, events.append)
    serving = asyncio.create_task(session.run())
    try:
        await asyncio.sleep(0.3)
        session.handle(ListPorts("output"))
        await asyncio.sleep(0.1)
        offered = next(e for e in events if isinstance(e, PortsAvailable)).names
        assert not [name for name in offered if f"own-in-{tag}" in name], offered
        assert "FluidSynth" in offered
        session.handle(ListPorts("input"))
        await asyncio.sleep(0.1)
        inputs = [e for e in events if isinstance(e, PortsAvailable)][-1].names
        assert not [name for name in inputs if f"own-out-{tag}" in name], inputs
        sinks = list(session.engine.player.sinks)
        session.handle(SwitchPort("output", f"own-in-{tag}"))  # typed by hand: refused
        await asyncio.sleep(0.1)
        refused = [e for e in events if isinstance(e, Notice) and e.level == "warning"]
        assert refused and "own input" in refused[-1].text
        assert session.engine.player.sinks == sinks
    finally:
        session.engine.stop()
        await serving


QUIT_AFTER_SWITCHING = """
import sys, time
from pathlib import Path
from musicgen_live.live.commands import SwitchPort
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import PortsInUse
from musicgen_live.live.thread import EngineThread

events = []
tag = sys.argv[2]
config = LiveConfig(
    model=Path(sys.argv[1]), backend="jack", input=f"q-in-{tag}", output=f"q-out-{tag}"
)
thread = EngineThread(config, events.append)
thread.start()
for name in (f"q-other-{tag}", "FluidSynth", f"q-third-{tag}"):
    time.sleep(0.6)
    thread.submit(SwitchPort("output", name))
time.sleep(0.6)
thread.stop()
print([e.lines for e in events if isinstance(e, PortsInUse)][-1])
"""


def test_quitting_after_switching_outputs_ends_cleanly(jack_server: str, tiny_model: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", QUIT_AFTER_SWITCHING, str(tiny_model), tag],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"q-third-{tag}" in done.stdout
