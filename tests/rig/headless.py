"""A running `musicgen-live live --headless --json` on JACK, with a test keyboard on its
input and a capture on its output, for the tests that drive the whole program."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.jack import MonitorProcess, headless_command, wait_port
from tests.jack import keyboard as jack_keyboard
from tests.jack_output import JackMidiOutput


@dataclass
class Headless:
    """A running `musicgen-live live --headless --json`, with test ports on both sides."""

    process: subprocess.Popen[str]
    keyboard: JackMidiOutput
    capture: MonitorProcess
    events: list[dict[str, object]] = field(default_factory=list)

    def read_events(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.events.append(json.loads(line))

    def wait_event(self, predicate: object, timeout: float = 10.0) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if predicate(event):  # type: ignore[operator]
                    return event
            time.sleep(0.02)
        raise AssertionError(f"no such event; got {self.events[-10:]}")

    def model_note_ons(self) -> int:
        return len(self.capture.note_ons())

    def stop(self, number: int = signal.SIGTERM) -> int:
        self.process.send_signal(number)
        code = self.process.wait(timeout=15)
        time.sleep(0.2)  # let the last messages cross the JACK period
        return code


def start_headless(model: Path, *extra: str, input_port: str | None = None) -> Headless:
    tag = uuid.uuid4().hex[:6]
    in_name, out_name = input_port or f"engine-in-{tag}", f"engine-out-{tag}"
    command = headless_command(model, in_name, out_name, "--rng-seed", "1", *extra)
    log = Path(tempfile.gettempdir()) / f"musicgen-engine-{tag}.log"
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env=env
    )
    capture = MonitorProcess(wait_port("input", out_name), f"monitor-{tag}")
    keyboard = None if input_port else jack_keyboard(f"keys-{tag}", wait_port("output", in_name))
    session = Headless(process, keyboard, capture)  # type: ignore[arg-type]
    threading.Thread(target=session.read_events, daemon=True).start()
    session.wait_event(lambda e: e.get("event") == "StateChanged")
    if keyboard is not None:  # a connection takes effect in JACK's next cycles
        deadline = time.monotonic() + 5
        while not keyboard.connected() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
    return session


@contextmanager
def running(model: Path, *extra: str) -> Iterator[Headless]:
    """A headless session for the length of a `with`; killed if still running after it."""
    session = start_headless(model, *extra)
    try:
        yield session
    finally:
        if session.process.poll() is None:
            session.process.kill()
            session.process.wait()
        session.capture.close()
        session.keyboard.close()
