"""Recordings in a live session, on a fake clock: written every few seconds, not at every
note; the user's take and the one for --wav apart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import mido
import pytest

from musicgen_live.live.recording import WRITE_EVERY, SessionRecording
from musicgen_live.live.take import Take
from tests.live.engine_rig import Rig, serve
from tests.live.fakes import run_for


def notes_in(path: Path, track: int) -> list[int]:
    midi = mido.MidiFile(path)
    return [m.note for m in midi.tracks[track] if m.type == "note_on" and m.velocity]


async def test_a_take_is_written_every_few_seconds_not_at_every_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = Rig(length="64")
    take = Take(tmp_path / "take.mid", started=rig.clock.now())
    rig.engine.takes.start(take)
    writes: list[float] = []
    flush = Take.flush

    def counted(self: Take) -> str | None:
        writes.append(rig.clock.now())
        return flush(self)

    monkeypatch.setattr(Take, "flush", counted)

    async def scenario() -> None:
        await rig.play((60, 62, 64, 65, 67))
        await run_for(rig.clock, 3 * WRITE_EVERY)
        await asyncio.sleep(0.2)  # the writes run on a worker thread, in real time
        # on disk before the session ends: the phrase and the answer so far
        assert notes_in(take.path, 0) == [60, 62, 64, 65, 67]
        assert len(notes_in(take.path, 1)) > 8

    await serve(rig, scenario)
    ended = len(rig.sinks[0].note_ons()) + 5  # every note of the answer and the phrase ended
    assert ended > 30
    assert 2 <= len(writes) <= 4 + 1  # one per WRITE_EVERY while notes end, one at the end
    assert len(notes_in(take.path, 1)) == len(rig.sinks[0].note_ons())


async def test_the_users_take_never_cuts_the_one_for_the_wav(tmp_path: Path) -> None:
    rig = Rig(length="4")
    config = SimpleNamespace(wav=tmp_path / "session.wav", record=None, soundfont=None)
    recording = SessionRecording(config, rig.engine.takes, rig.engine.emit)  # type: ignore[arg-type]
    recording.begin()
    assert recording.for_wav is not None and recording.user is None

    async def scenario() -> None:
        await rig.play((60,))
        await run_for(rig.clock, 2.0)
        recording.start(tmp_path / "mine.mid")  # the r key
        await rig.play((62,))
        await run_for(rig.clock, 2.0)
        recording.stop()  # r again
        await rig.play((64,))
        await run_for(rig.clock, 2.0)

    await serve(rig, scenario)
    assert recording.for_wav is not None
    assert notes_in(recording.for_wav.path, 0) == [60, 62, 64]
    assert notes_in(tmp_path / "mine.mid", 0) == [62]
    assert len(notes_in(recording.for_wav.path, 1)) == 12  # three answers of 4 notes
