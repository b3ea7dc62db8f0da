"""A MIDI output on JACK for the test keyboards: `tests/rig/jack_keyboard.c`, in a process
and a JACK client of its own, driven through its stdin.

Its process callback is C, so it never waits for an interpreter lock: a callback in Python
finishes cycles late on a busy machine, and the engine then hears the keyboard's notes a
cycle late (a different phrase, to a model that hears a millisecond). rtmidi's JACK output,
which the engine uses, is as reliable when JACK runs with realtime scheduling: 11,767 of
11,767 messages sent in bursts arrived.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from typing import Any

import mido

from musicgen_live.errors import UserError
from tests.rig.jack_rig import rig_program

LEAD = 4  # periods between asking for a phrase and its first message (as in the C program)


class JackMidiOutput:
    """A mido-like output port: `send`, `close`, `name`, and `closed`."""

    def __init__(self, port_name: str, client_name: str, connect_to: str | None = None) -> None:
        self._process = subprocess.Popen(
            [str(rig_program("jack_keyboard")), port_name, client_name, connect_to or "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        ready = self._process.stdout.readline()
        if not ready:
            self._process.wait(timeout=10)
            reason = self._process.stderr.read().strip() if self._process.stderr else ""
            raise UserError(reason or f"cannot open JACK output {port_name!r}")
        info = json.loads(ready)
        self._rate, self._period = int(info["rate"]), int(info["period"])
        self._lock = threading.Lock()  # one command at a time on the pipe
        self.closed = False
        self.name = connect_to if connect_to is not None else info["ready"]

    def _command(self, text: str, answer: bool = False) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            self._process.stdin.write(text)
            self._process.stdin.flush()
            return self._process.stdout.readline() if answer else ""

    def send(self, message: mido.Message) -> None:
        if self.closed:
            raise OSError(f"port {self.name!r} is closed")
        self._command("N " + " ".join(map(str, message.bytes())) + "\n")

    def play_at_frames(self, events: list[tuple[float, mido.Message]]) -> float:
        """Play (seconds, message) events at their own frames, from the start of a cycle a
        few periods on: the phrase reaches its destination cycle by cycle the same way every
        time it is played. Returns about when the last message left, on the monotonic clock."""
        lines = [
            f"{round(at * self._rate)} {' '.join(map(str, message.bytes()))}\n"
            for at, message in events
        ]
        began = time.monotonic()
        self._command(f"P {len(lines)}\n" + "".join(lines))
        last = began + ((LEAD + 1) * self._period + round(events[-1][0] * self._rate)) / self._rate
        time.sleep(max(0.0, last - time.monotonic()) + 2 * self._period / self._rate)
        return last

    def connected(self) -> bool:
        """Whether the port still reaches its destination (for a non-virtual output)."""
        return int(self._command("C\n", answer=True) or 0) > 0

    def close(self) -> None:
        """Closes once what is queued (the last note-offs) has been written and delivered."""
        if self.closed:
            return
        self.closed = True
        assert self._process.stdin is not None
        with self._lock:
            self._process.stdin.close()
        self._process.wait(timeout=10)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
