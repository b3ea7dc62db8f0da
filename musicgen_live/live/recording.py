"""The session's recordings: `--record` and the r key, and `--wav` (the whole session,
recorded apart into a scratch folder and rendered to audio when it ends)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from musicgen_live.errors import UserError
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.engine import Engine
from musicgen_live.live.events import Notice, Recording
from musicgen_live.recorder import Recorder


class SessionRecording:
    """The user's take (`--record`, the r key) and, with `--wav`, a take of the whole
    session in a scratch folder, rendered when the session ends."""

    def __init__(self, engine: Engine, config: LiveConfig) -> None:
        self.engine = engine
        self.config = config
        self.user: Recorder | None = None
        self.for_wav: Recorder | None = None
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
            self.engine.emit(Recording(self.engine.clock.now(), str(self.user.path)))

    def stop(self) -> None:
        take, self.user = self.user, None
        if take is not None:  # "saved" once it is
            engine = self.engine
            saved = Recording(engine.clock.now(), "", str(take.path))
            engine.takes.stop(take, lambda: engine.emit(saved))

    def _open(self, path: Path) -> Recorder | None:
        try:
            take = Recorder(path, started=self.engine.clock.now())
        except (OSError, UserError) as error:
            text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self._notice("warning", f"cannot record to {path} ({text}); playing without recording")
            return None
        self.engine.takes.start(take)
        return take

    async def finish(self) -> None:
        """Once the engine stopped (every recording written): the WAV, then no scratch left."""
        wav, take = self.config.wav, self.for_wav
        try:
            if wav is not None and take is not None:
                from musicgen_live.live.sound import write_session_wav

                self._notice("info", write_session_wav(take.path, wav, self.config.soundfont))
        except (UserError, OSError) as error:
            self._notice("warning", f"cannot write {wav}: {error}")
        finally:
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)
        await asyncio.sleep(0)  # the loop reports the notice before it closes

    def _notice(self, level: str, text: str) -> None:
        self.engine.emit(Notice(self.engine.clock.now(), level, text))
