"""Stopping the engine's thread: it waits a bounded time for the notes to be off, then as long
as the user's files take (a long session's `--wav` renders for longer than that bound)."""

from __future__ import annotations

import time
import uuid
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import musicgen_live.live.sound as sound
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, Finished, NotePlayed, Notice, Stopped
from musicgen_live.live.thread import EngineThread
from tests.rig.waiting import wait_until

STOP_WAIT = 2.0  # seconds stop waits for the notes to be off: the render takes longer


def test_stop_waits_for_a_render_longer_than_its_wait_once_every_note_is_off(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no MIDI system: the demo plays in-process, and the session is still recorded for --wav
    monkeypatch.setenv("JACK_DEFAULT_SERVER", f"nowhere-{uuid.uuid4().hex[:8]}")
    render = sound.write_session_wav

    def slow_render(*args: Any) -> str:  # as a long session's render is
        time.sleep(2 * STOP_WAIT)
        return render(*args)

    monkeypatch.setattr(sound, "write_session_wav", slow_render)
    wav = tmp_path / "session.wav"
    config = LiveConfig(model=tiny_model, backend="jack", demo=True, wav=wav)
    events: list[EngineEvent] = []
    engine = EngineThread(config, events.append)
    engine.start()
    assert wait_until(lambda: any(isinstance(e, NotePlayed) for e in events), 60), events[-5:]
    engine.stop(timeout=STOP_WAIT)
    assert not engine.running()
    with wave.open(str(wav)) as handle:
        audio = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    assert np.abs(audio).max() > 1000
    said = [e.text for e in events if isinstance(e, Notice)]
    assert said[-2:] == [f"rendering the session to {wav}", said[-1]]
    assert said[-1].startswith(f"session rendered to {wav}")
    stopped = next(i for i, e in enumerate(events) if isinstance(e, Stopped))
    assert not any(isinstance(e, NotePlayed) for e in events[stopped:])
    assert isinstance(events[-1], Finished)
