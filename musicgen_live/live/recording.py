"""The session's recordings: `--record` and the r key, and `--wav` (the whole session,
recorded apart into a scratch folder and rendered to audio when it ends).

Every open take receives what is played. While notes end, the takes are rewritten off the
loop at most once every WRITE_EVERY seconds, so a long session costs a rewrite every few
seconds, not one per note, and a killed process loses at most those seconds. A take that
stops ends its held notes and is written at once. The user's take and the one `--wav`
renders are separate: starting or stopping one never cuts the other.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import mido

from musicgen_live.clock import Clock, Timer
from musicgen_live.errors import UserError
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, Notice, Recording
from musicgen_live.live.take import Take

WRITE_EVERY = 2.0  # seconds


class Takes:
    def __init__(self, clock: Clock, warn: Callable[[str], None]) -> None:
        self.clock = clock
        self.warn = warn  # one line for the user, once per take whose disk refuses it
        self.open: list[Take] = []
        self._timer: Timer | None = None
        self._warned: set[int] = set()

    def start(self, take: Take) -> None:
        self.open.append(take)

    def stop(self, take: Take, written: Callable[[], None] = lambda: None) -> None:
        """Stop recording into `take`, write it whole, then call `written`."""
        if take in self.open:
            self.open.remove(take)
            take.end_held(self.clock.now())
            self._write(take, "", written)

    def add(self, source: str, message: mido.Message, at: float) -> None:
        for take in self.open:
            take.add(source, message, at)

    def beat(self, at: float, number: int, beats_per_bar: int) -> None:
        """A beat of the session's MIDI clock: the takes are written on its grid."""
        for take in self.open:
            take.beat(at, number, beats_per_bar)

    def note_ended(self) -> None:
        """A note ended: have the takes written within WRITE_EVERY seconds."""
        if self.open and self._timer is None:
            self._timer = self.clock.call_at(self.clock.now() + WRITE_EVERY, self._write_open)

    def close(self) -> None:
        """The session ends: every take written, here and now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self.open:
            take = self.open.pop()
            take.end_held(self.clock.now())
            self._write_now(take, "")

    def _write_open(self) -> None:
        self._timer = None
        for take in self.open:
            self._write(take, "; still playing, not recording")

    def _write(
        self, take: Take, consequence: str, written: Callable[[], None] = lambda: None
    ) -> None:
        """Off the loop when there is one (a write can take a while in a long session)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._write_now(take, consequence)
            written()
            return

        def done(future: asyncio.Future[str | None]) -> None:
            self._report(take, _failure(future), consequence)
            written()

        loop.run_in_executor(None, take.flush).add_done_callback(done)

    def _write_now(self, take: Take, consequence: str) -> None:
        self._report(take, take.flush(), consequence)

    def _report(self, take: Take, failure: str | None, consequence: str) -> None:
        if failure is not None and id(take) not in self._warned:
            self._warned.add(id(take))
            self.warn(failure + consequence)


def _failure(done: asyncio.Future[str | None]) -> str | None:
    if done.cancelled():
        return None
    error = done.exception()
    return f"recording failed: {error}" if error is not None else done.result()


class SessionRecording:
    """The user's take (`--record`, the r key) and, with `--wav`, a take of the whole
    session in a scratch folder, rendered when the session ends."""

    def __init__(
        self, config: LiveConfig, takes: Takes, emit: Callable[[EngineEvent], None]
    ) -> None:
        self.config = config
        self.takes = takes
        self.clock = takes.clock
        self.emit = emit
        self.user: Take | None = None
        self.for_wav: Take | None = None
        self._scratch: Path | None = None

    def begin(self) -> None:
        """Start what the flags ask for, as the session starts."""
        if self.config.wav is not None:
            self._scratch = Path(tempfile.mkdtemp(prefix="musicgen-live-"))
            self.for_wav = self._open(self._scratch / "session.mid")
        if self.config.record is not None:
            self.start(self.config.record)

    def start(self, path: Path) -> None:
        """Record into `path` (a folder or a new .mid file), after ending the take before."""
        self.stop()
        self.user = self._open(path)
        if self.user is not None:
            self.emit(Recording(self.clock.now(), str(self.user.path)))

    def stop(self) -> None:
        take, self.user = self.user, None
        if take is not None:  # "saved" once it is
            saved = Recording(self.clock.now(), "", str(take.path))
            self.takes.stop(take, lambda: self.emit(saved))

    def _open(self, path: Path) -> Take | None:
        try:
            take = Take(path, started=self.clock.now())
        except (OSError, UserError) as error:
            text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self._notice("warning", f"cannot record to {path} ({text}); playing without recording")
            return None
        self.takes.start(take)
        return take

    async def finish(self) -> None:
        """Once the engine stopped (every recording written): the WAV, then no scratch left."""
        wav, take = self.config.wav, self.for_wav
        try:
            if wav is not None and take is not None:
                from musicgen_live.live.sound import write_session_wav

                self._notice("info", f"rendering the session to {wav}")
                # a thread of normal priority renders it: the loop's may be realtime (priority.py)
                render = functools.partial(write_session_wav, take.path, wav, self.config.soundfont)
                self._notice("info", await asyncio.get_running_loop().run_in_executor(None, render))
        except (UserError, OSError) as error:
            self._notice("warning", f"cannot write {wav}: {error}")
        finally:
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)
        await asyncio.sleep(0)  # the loop reports the notice before it closes

    def _notice(self, level: str, text: str) -> None:
        self.emit(Notice(self.clock.now(), level, text))
