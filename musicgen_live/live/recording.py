"""The session's recording: `--record`, the r key, and `--wav` (the session rendered to
audio when it ends, recorded into a scratch folder when `--record` is not given)."""

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
    def __init__(self, engine: Engine, config: LiveConfig) -> None:
        self.engine = engine
        self.config = config
        self.for_wav: Path | None = None  # the recording --wav renders at the end
        self._scratch: Path | None = None

    def begin(self) -> None:
        """Start what the flags ask for, as the session starts."""
        path, wav = self.config.record, self.config.wav
        if path is None and wav is not None:
            self._scratch = Path(tempfile.mkdtemp(prefix="musicgen-live-"))
            path = self._scratch / "session.mid"
        recorder = self.start(path) if path is not None else None
        if wav is not None and recorder is not None:
            self.for_wav = recorder.path

    def start(self, path: Path) -> Recorder | None:
        engine = self.engine
        try:
            recorder = Recorder(path, started=engine.clock.now())
        except (OSError, UserError) as error:
            text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self._notice("warning", f"cannot record to {path} ({text}); playing without recording")
            return None
        engine.record(recorder)
        if self._scratch is None or not recorder.path.is_relative_to(self._scratch):
            engine.emit(Recording(engine.clock.now(), str(recorder.path)))
        return recorder

    def stop(self) -> None:
        recorder = self.engine.record(None)
        if recorder is not None:
            self.engine.emit(Recording(self.engine.clock.now(), "", str(recorder.path)))

    async def finish(self) -> None:
        """Once the engine stopped (every recording written): the WAV, then no scratch left."""
        wav, recording = self.config.wav, self.for_wav
        try:
            if wav is not None and recording is not None:
                from musicgen_live.live.sound import write_session_wav

                self._notice("info", write_session_wav(recording, wav, self.config.soundfont))
        except (UserError, OSError) as error:
            self._notice("warning", f"cannot write {wav}: {error}")
        finally:
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)
        await asyncio.sleep(0)  # the loop reports the notice before it closes

    def _notice(self, level: str, text: str) -> None:
        self.engine.emit(Notice(self.engine.clock.now(), level, text))
