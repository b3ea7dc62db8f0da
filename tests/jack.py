"""A JACK dummy server for the tests, and test ports that play into and listen to the engine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import mido

from tests.jack_output import JackMidiOutput

JACK_API = "mido.backends.rtmidi/UNIX_JACK"


def start_jack(
    name: str, log: Path, period: int = 64, realtime: bool = True, retry: bool = True
) -> subprocess.Popen[bytes]:
    """`jackd -d dummy` at 48 kHz: real MIDI ports without sound hardware.

    Realtime scheduling where the machine allows it (as root it does), so the clients'
    process callbacks are not starved by other work; plain scheduling otherwise.
    """
    jackd = shutil.which("jackd")
    if jackd is None:
        raise RuntimeError("jackd is not installed (make test installs jackd2)")
    env = {**os.environ, "JACK_NO_AUDIO_RESERVATION": "1"}
    driver = ["-d", "dummy", "-r", "48000", "-p", str(period)]
    choices = (["-R", "-P", "70"], ["--no-realtime"]) if realtime else (["--no-realtime"],)
    for scheduling in choices:
        process = subprocess.Popen(
            [jackd, *scheduling, "-n", name, *driver],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            probe = subprocess.run(["jack_lsp", "-s", name], capture_output=True, text=True)
            if probe.returncode == 0 and "system:" in probe.stdout:
                return process
            time.sleep(0.1)
        process.kill()
        process.wait()
        full = "Too many servers" in log.read_text(errors="replace")
        if full and retry and forget_dead_servers():
            return start_jack(name, log, period, realtime, retry=False)
    raise RuntimeError(f"jackd did not start: {log.read_text(errors='replace')[-2000:]}")


def forget_dead_servers() -> bool:
    """JACK keeps a table of 8 servers in shared memory and frees an entry only when a server
    of the same name starts again or shuts down cleanly; servers that were killed fill it up.
    When no JACK server runs at all, every entry is stale: remove the table (JACK makes a new
    one). Returns whether it did."""
    running = subprocess.run(["pgrep", "-x", "jackd"], capture_output=True).returncode == 0
    if running:
        return False
    stale = list(Path("/dev/shm").glob("jack-shm-registry")) + list(
        Path("/dev/shm").glob("jack_sem.*")
    )
    for path in stale:
        path.unlink(missing_ok=True)
    return bool(stale)


def headless_command(model: Path, in_name: str, out_name: str, *extra: str) -> list[str]:
    """`musicgen-live live --headless --json` on JACK, as the tests and benchmarks run it."""
    import sys

    return [
        sys.executable, "-m", "musicgen_live", "live", "--headless", "--json",
        "--backend", "jack", "--in", in_name, "--out", out_name, "--model", str(model), *extra,
    ]  # fmt: skip


def backend() -> mido.Backend:
    return mido.Backend(JACK_API, load=True)


def keyboard(port_name: str, connect_to: str | None = None) -> JackMidiOutput:
    """A test output port, in its own JACK client."""
    client = f"test-{port_name}" if connect_to else port_name
    return JackMidiOutput(port_name, client, connect_to=connect_to)


@dataclass
class Capture:
    """Everything that arrives on one input port, stamped with the monotonic clock."""

    messages: list[tuple[float, mido.Message]] = field(default_factory=list)

    def __call__(self, message: mido.Message) -> None:
        self.messages.append((time.monotonic(), message))

    def notes(self, since: float = 0.0) -> list[tuple[float, mido.Message]]:
        return [
            (t, m) for t, m in self.messages if t >= since and m.type in ("note_on", "note_off")
        ]

    def note_ons(self, since: float = 0.0) -> list[tuple[float, mido.Message]]:
        return [(t, m) for t, m in self.notes(since) if m.type == "note_on" and m.velocity > 0]

    def wait_for(self, predicate: object, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():  # type: ignore[operator]
                return True
            time.sleep(0.01)
        return False


class JackCapture(Capture):
    """A monitoring input port on JACK (JACK-Client), connected to a port of the engine."""

    def __init__(self, source: str | None, name: str) -> None:
        super().__init__()
        import jack

        self.client = jack.Client(name, no_start_server=True)
        self.port = self.client.midi_inports.register("monitor")
        self.client.set_process_callback(self._process)
        self.client.activate()
        if source is not None:  # else the engine connects to it, as to any device
            self.client.connect(source, self.port)

    def _process(self, frames: int) -> None:
        # Each message is stamped at its own frame in the cycle, on the monotonic clock, so
        # the stamps do not depend on when Python got to run this callback.
        now, into_cycle = time.monotonic(), self.client.frames_since_cycle_start
        rate = self.client.samplerate
        for offset, data in self.port.incoming_midi_events():
            at = now - (into_cycle - offset) / rate
            self.messages.append((at, mido.Message.from_bytes(bytes(data))))

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


class MonitorProcess(Capture):
    """A JackCapture in its own process (so the process under test keeps the GIL to itself)."""

    def __init__(self, source: str | None, name: str) -> None:
        super().__init__()
        import sys
        import threading

        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.monitor_port", source or "-", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port_name = json.loads(self.process.stdout.readline())["ready"]
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            at, data = json.loads(line)
            self.messages.append((at, mido.Message.from_bytes(data)))

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)
        time.sleep(0.05)


def sounding_after(messages: list[tuple[float, mido.Message]]) -> set[tuple[int, int]]:
    """(channel, pitch) still on at the end, All Notes Off (CC123) honoured."""
    sounding: set[tuple[int, int]] = set()
    for _, message in messages:
        if message.type == "note_on" and message.velocity > 0:
            sounding.add((message.channel, message.note))
        elif message.type in ("note_on", "note_off"):
            sounding.discard((message.channel, message.note))
        elif message.type == "control_change" and message.control == 123:
            sounding = {key for key in sounding if key[0] != message.channel}
    return sounding


def every_note_closed_then_reset(messages: list[tuple[float, mido.Message]]) -> bool:
    """No note left on by note-offs alone, then CC64=0 and CC123 at the end."""
    notes_only = [(t, m) for t, m in messages if m.type != "control_change"]
    tail = [(m.control, m.value) for _, m in messages[-2:] if m.type == "control_change"]
    return not sounding_after(notes_only) and tail == [(64, 0), (123, 0)]


def phrase_events(path: Path, limit: int | None = None) -> list[tuple[float, mido.Message]]:
    """(seconds, message) to play a MIDI file's notes, note-offs first at equal times."""
    from musicgen_live.midi_files import notes_from_midi

    notes = notes_from_midi(path)[:limit]
    first = notes[0].start
    events = [
        (n.start - first, mido.Message("note_on", note=n.pitch, velocity=n.velocity)) for n in notes
    ]
    events += [(n.end - first, mido.Message("note_off", note=n.pitch)) for n in notes]
    return sorted(events, key=lambda e: (e[0], e[1].type == "note_on"))


def play(
    port: mido.ports.BaseOutput | JackMidiOutput, events: list[tuple[float, mido.Message]]
) -> float:
    """Play in real time; returns the monotonic time of the last message."""
    start = time.monotonic()
    for at, message in events:
        time.sleep(max(0.0, start + at - time.monotonic()))
        port.send(message)
    return time.monotonic()


def wait_port(kind: str, wanted: str, timeout: float = 15.0) -> str:
    """The full name of a port (e.g. the engine's virtual one) once it exists."""
    midi = backend()
    lister = midi.get_output_names if kind == "output" else midi.get_input_names
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [name for name in lister() if name.endswith(wanted)]
        if names:
            return names[-1]
        time.sleep(0.05)
    raise AssertionError(f"no {kind} port {wanted!r}: {lister()}")
