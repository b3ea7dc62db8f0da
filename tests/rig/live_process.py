"""`musicgen-live live` in a child process, for the tests and the benchmarks: headless (events
read from its JSON lines), or with the UI on screen in a pseudo-terminal (events read from
`--events FILE`, the screen's output drained as a terminal would)."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


class LiveProcess:
    def __init__(self, options: list[str], tui: bool = False, size: tuple[int, int] = (120, 40)):
        self.events: list[dict[str, object]] = []
        self.tui = tui
        self._closed = threading.Event()
        command = [sys.executable, "-m", "musicgen_live", "live", "--backend", "jack", *options]
        if not tui:
            self.process = subprocess.Popen(
                [*command, "--headless", "--json"], stdout=subprocess.PIPE, text=True
            )
            threading.Thread(target=self._read_stdout, daemon=True).start()
            return
        home = Path(tempfile.mkdtemp(prefix="musicgen-bench-"))
        self.log = home / "events.jsonl"
        env = {**os.environ, "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(home)}
        env.update(COLUMNS=str(size[0]), LINES=str(size[1]))
        self.master, slave = pty.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.process = subprocess.Popen(
            [*command, "--events", str(self.log)],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.screen_bytes = 0
        self.screen_tail = b""  # the last of what the UI wrote to its terminal
        self._drain = threading.Thread(target=self._drain_screen, daemon=True)
        self._drain.start()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.events.append(json.loads(line))

    def _drain_screen(self) -> None:
        while not self._closed.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: nothing holds the terminal open any more
                    return
                if not data:
                    return
                self.screen_bytes += len(data)
                self.screen_tail = (self.screen_tail + data)[-8192:]

    def _read_log(self) -> None:
        while not self.log.exists() and not self._closed.is_set():
            time.sleep(0.01)
        with self.log.open(encoding="utf-8") as lines:
            partial = ""  # a line the writer has not finished yet
            while not self._closed.is_set():
                partial += lines.readline()
                if partial.endswith("\n"):
                    self.events.append(json.loads(partial))
                    partial = ""
                else:
                    time.sleep(0.002)

    def press(self, keys: str) -> None:
        """Type on the UI's terminal."""
        os.write(self.master, keys.encode())

    def kill(self, number: int) -> int:
        """End the process with a signal, as a system would; returns the exit code."""
        self.process.send_signal(number)
        try:
            return self.process.wait(timeout=15)
        finally:
            self._screen_read()

    def _screen_read(self) -> None:
        """Once the process ended: the last of what it wrote, read (the terminal reports
        an error to its reader once nothing holds it open), then the readers stop."""
        if self.tui:
            self._drain.join(2.0)
        self._closed.set()

    def stop(self) -> int:
        """Quit as a user would (q in the UI, SIGTERM headless); returns the exit code."""
        if self.tui:
            os.write(self.master, b"q")
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._screen_read()
        return code
