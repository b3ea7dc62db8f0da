import errno
from pathlib import Path

import mido
import pytest

from musicgen_live.recorder import Recorder


def test_session_file_has_a_track_per_source_in_time(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, started=100.0)
    recorder.add("player", mido.Message("note_on", note=60, velocity=80), 100.5)
    recorder.add("player", mido.Message("note_off", note=60), 101.0)
    recorder.add("model", mido.Message("note_on", note=64, velocity=70), 101.25)
    assert recorder.flush() is None
    midi = mido.MidiFile(recorder.path)
    player, model = midi.tracks
    assert [m.type for m in player if not m.is_meta] == ["note_on", "note_off"]
    seconds = [msg.time for msg in midi if not msg.is_meta]
    assert seconds == pytest.approx([0.5, 0.5, 0.25], abs=1e-3)
    assert model[0].name == "model"


def test_a_full_disk_keeps_the_last_good_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(tmp_path, started=0.0)
    recorder.add("player", mido.Message("note_on", note=60, velocity=80), 0.1)
    assert recorder.flush() is None
    good = recorder.path.read_bytes()

    def disk_full(self: mido.MidiFile, filename: str) -> None:
        Path(filename).write_bytes(b"MThd")  # a partial write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mido.MidiFile, "save", disk_full)
    recorder.add("player", mido.Message("note_off", note=60), 0.2)
    failure = recorder.flush()
    assert failure is not None and "No space left on device" in failure
    assert recorder.path.read_bytes() == good
    assert not list(tmp_path.glob("*.tmp"))
