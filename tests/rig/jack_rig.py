"""A JACK dummy server and monitoring ports, for the benchmarks and the tests: real MIDI
ports without sound hardware, each message stamped at its own frame."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mido

from tests.rig.waiting import wait_until

JACK_API = "mido.backends.rtmidi/UNIX_JACK"
RIG = Path(__file__).resolve().parent
BUILT = RIG.parents[1] / "build" / "rig"


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

    def wait_for(self, predicate: Callable[[], object], timeout: float) -> bool:
        return wait_until(predicate, timeout)


def rig_program(name: str) -> Path:
    """One of the rig's C programs (`tests/rig/NAME.c`: the monitor, the keyboard), built on
    first use and when its source changes (make test installs a C compiler and JACK's
    headers)."""
    source, program = RIG / f"{name}.c", BUILT / name
    if program.exists() and program.stat().st_mtime >= source.stat().st_mtime:
        return program
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise RuntimeError(f"no C compiler for the rig's {name} (make test installs gcc)")
    BUILT.mkdir(parents=True, exist_ok=True)
    building = program.with_name(f"{name}.{os.getpid()}")
    result = subprocess.run(
        [compiler, "-O2", "-o", str(building), str(source), "-ljack"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"cannot build the rig's {name}:\n{result.stderr}")
    os.replace(building, program)  # whole, even with two builds at once
    return program


class MonitorProcess(Capture):
    """A monitoring port in a process of its own, with a process callback in C
    (`jack_monitor.c`): it never waits for an interpreter lock, so it does not finish JACK
    cycles late on a busy machine and lose (or see twice) what arrived in them."""

    def __init__(self, source: str | None, name: str) -> None:
        super().__init__()
        import threading

        self.process = subprocess.Popen(
            [str(rig_program("jack_monitor")), source or "-", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        if not ready:
            raise RuntimeError(f"the JACK monitor {name!r} did not start")
        self.port_name = json.loads(ready)["ready"]
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


def play(port: Any, events: list[tuple[float, mido.Message]]) -> float:
    """Play in real time; returns the monotonic time of the last message."""
    start = time.monotonic()
    for at, message in events:
        time.sleep(max(0.0, start + at - time.monotonic()))
        port.send(message)
    return time.monotonic()


_LISTERS: dict[str, Any] = {}


def jack_lister() -> Any:
    """One JACK client per server, kept open, for looking up ports.

    mido lists ports through a client it opens and closes on each call. A client that comes
    and goes within milliseconds can leave the other processes on the server holding a stale
    semaphore for its slot (jack2 issue 721): the next client JACK gives that slot may then
    never be woken in its cycle, and its input is lost for as long as it lives (seen as
    thousands of "was not finished, state = Triggered" in jackd's log). A listing client kept
    open never frees its slot."""
    import jack

    server = os.environ.get("JACK_DEFAULT_SERVER", "default")
    if server not in _LISTERS:
        _LISTERS[server] = jack.Client("test-lister", no_start_server=True, servername=server)
    return _LISTERS[server]


def close_listers() -> None:
    """Close the listing clients (before their server stops)."""
    for client in _LISTERS.values():
        client.close()
    _LISTERS.clear()


def jack_port_names(kind: str) -> list[str]:
    """Full names of the JACK MIDI ports that a MIDI "input" reads from (JACK outputs) or an
    "output" writes to (JACK inputs), as mido names them."""
    ports = jack_lister().get_ports(
        is_midi=True, is_output=kind == "input", is_input=kind == "output"
    )
    return [port.name for port in ports]


def wait_port(kind: str, wanted: str, timeout: float = 15.0) -> str:
    """The full name of a port (e.g. the engine's virtual one) once it exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [name for name in jack_port_names(kind) if name.endswith(wanted)]
        if names:
            return names[-1]
        time.sleep(0.05)
    raise AssertionError(f"no {kind} port {wanted!r}: {jack_port_names(kind)}")
