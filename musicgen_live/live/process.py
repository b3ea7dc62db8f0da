"""The engine in a process of its own, under the UI. With both on one interpreter, the UI's
Python (a frame drawn, a key handled, a port list shown) held the interpreter the engine
needed, and answer notes left up to 3-4 ms late at p99 with the UI on screen; here they
share nothing but two pipes. The seam is `EngineThread`'s: `submit` commands, events come
back through `on_event` (from a reader thread), and `stop` leaves no note sounding.

The engine's process ignores the terminal's Ctrl-C and hang-up (the UI decides when the
session ends), stops cleanly on SIGTERM, and stops cleanly when the UI's process is gone
(its command pipe closes). It never writes on the UI's terminal: what native libraries print
there is kept, and an error that ends it comes back as a `Failed` event. It is started as
`python -m musicgen_live.live.process` (not through multiprocessing, which needs a real
stderr the UI has taken over).
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

import musicgen_live
from musicgen_live.errors import UserError
from musicgen_live.live.commands import Command, Stop
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, Failed
from musicgen_live.live.stopping import Stopping

POLL = 0.1  # seconds between the engine process's looks at its engine while no command comes
STOP_WAIT = 10.0  # seconds `stop` waits for the engine's process before SIGTERM


class EngineProcess:
    def __init__(self, config: LiveConfig, on_event: Callable[[EngineEvent], None]) -> None:
        self.config = config
        self.on_event = on_event
        self._process: subprocess.Popen[bytes] | None = None
        self._commands: Connection | None = None
        self._events: Connection | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self._failed = False  # the engine said why it ended
        self._stopping_said = Stopping()  # what the engine said of its stop
        self._said: collections.deque[str] = collections.deque(maxlen=5)  # its last stderr lines
        self._reader = threading.Thread(target=self._read, name="engine-events", daemon=True)

    def start(self) -> None:
        commands_in, commands_out = os.pipe()
        events_in, events_out = os.pipe()
        # the same musicgen_live as the UI's, never one in the folder the user is in (-P)
        command = [sys.executable, "-P", "-m", "musicgen_live.live.process"]
        root = str(Path(musicgen_live.__file__).resolve().parent.parent)
        paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        try:
            self._process = subprocess.Popen(
                [*command, str(commands_in), str(events_out)],
                pass_fds=(commands_in, events_out),
                env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            raise UserError(f"cannot start the engine's process ({error})") from error
        finally:
            os.close(commands_in)
            os.close(events_out)
        self._commands = Connection(commands_out, readable=False)
        self._events = Connection(events_in, writable=False)
        self.submit(self.config)  # the first thing it reads
        self._reader.start()
        threading.Thread(target=self._listen, args=(self._process.stderr,), daemon=True).start()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def submit(self, command: Command | LiveConfig) -> None:
        """Hand a command to the engine (from any thread); nothing happens once it is gone."""
        with self._lock, contextlib.suppress(OSError, ValueError, AttributeError):
            self._commands.send(command)  # type: ignore[union-attr]

    def stop(self, timeout: float = STOP_WAIT) -> None:
        """Stop the engine (all notes off, ports closed) and wait for its process: `timeout`
        seconds at most for every note to be off (`Stopped`), then as long as the session's
        files take (`--wav`, until `Finished`), then `timeout` more for it to end."""
        self._stopping = True
        if self._process is None:
            return
        self.submit(Stop())
        if not self._stopping_said.wait(self._ended, timeout):
            self._process.terminate()  # not stopped in time: SIGTERM still silences
            self._ended(2.0)
        if self._reader is not threading.current_thread() and self._reader.is_alive():
            self._reader.join(2.0)
        with self._lock:
            if self._commands is not None:
                self._commands.close()

    def _ended(self, timeout: float) -> bool:
        assert self._process is not None
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _read(self) -> None:
        assert self._events is not None and self._process is not None
        while True:
            try:
                event = self._events.recv()
            except (EOFError, OSError):
                break
            self._failed = self._failed or isinstance(event, Failed)
            self._stopping_said.see(event)
            self.on_event(event)
        self._events.close()
        if not self._stopping and not self._failed:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(1.0)
            said = f": {self._said[-1]}" if self._said else ""
            text = f"the engine's process ended (exit code {self._process.returncode}){said}"
            self.on_event(Failed(time.monotonic(), text))

    def _listen(self, stderr: IO[bytes]) -> None:
        """Keep the last lines the engine's process printed (a crash's last words)."""
        for line in stderr:
            text = line.decode(errors="replace").strip()
            if text:
                self._said.append(text)


def serve(commands: Connection, events: Connection) -> None:
    """The engine process: an `EngineThread` fed from `commands` (the config first), its
    events sent on `events` by a thread of their own (the engine's loop never waits on the
    pipe)."""
    from musicgen_live.live.thread import EngineThread

    for number in (signal.SIGINT, signal.SIGHUP):  # the terminal's: the UI ends the session
        signal.signal(number, signal.SIG_IGN)
    config = commands.recv()
    outgoing: queue.SimpleQueue[EngineEvent | None] = queue.SimpleQueue()
    sender = threading.Thread(target=send_events, args=(outgoing, events), daemon=True)
    sender.start()
    engine = EngineThread(config, outgoing.put)
    terminated = threading.Event()  # the handler only flags it: it may land inside `submit`
    signal.signal(signal.SIGTERM, lambda *_: terminated.set())
    engine.start()
    try:
        while engine.running() and not terminated.is_set():
            if not poll(commands):
                continue
            try:
                command = commands.recv()
            except (EOFError, OSError):  # the UI's process is gone: stop all the same,
                orphaned()  # with nobody to read what is printed
                break
            engine.submit(command)
    except Exception as error:  # noqa: BLE001 - reaches the UI as one line
        outgoing.put(Failed(time.monotonic(), f"{type(error).__name__}: {error}"))
    finally:
        engine.stop()
        outgoing.put(None)
        sender.join(5.0)


def orphaned() -> None:
    """Point stderr at /dev/null: a line printed into the dead UI's pipe would raise."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def poll(commands: Connection) -> bool:
    try:
        return commands.poll(POLL)
    except (EOFError, OSError):
        return True  # recv says so


def send_events(outgoing: queue.SimpleQueue[Any], events: Connection) -> None:
    while (event := outgoing.get()) is not None:
        try:
            events.send(event)
        except (OSError, ValueError):
            return  # the UI is gone
    events.close()


if __name__ == "__main__":
    serve(
        Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False)
    )
