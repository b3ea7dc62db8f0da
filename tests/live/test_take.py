import errno
import subprocess
import sys
from pathlib import Path

import mido
import pytest

from musicgen_live.errors import UserError
from musicgen_live.live.take import Take
from tests.midi_checks import sounding_after


def test_session_file_has_a_track_per_source_in_time(tmp_path: Path) -> None:
    take = Take(tmp_path, started=100.0)
    take.add("player", mido.Message("note_on", note=60, velocity=80), 100.5)
    take.add("player", mido.Message("note_off", note=60), 101.0)
    take.add("model", mido.Message("note_on", note=64, velocity=70), 101.25)
    assert take.flush() is None
    midi = mido.MidiFile(take.path)
    player, model = midi.tracks
    assert [m.type for m in player if not m.is_meta] == ["note_on", "note_off"]
    seconds = [msg.time for msg in midi if not msg.is_meta]
    assert seconds == pytest.approx([0.5, 0.5, 0.25], abs=1e-3)
    assert model[0].name == "model"


def test_a_take_made_in_sync_is_written_on_the_clocks_tempo_and_bars(tmp_path: Path) -> None:
    take = Take(tmp_path, started=100.0)
    for beat in range(0, 12):  # 90 bpm, the song's beat 0 at 100.3 s, 3 beats a bar
        take.beat(100.3 + beat * 60 / 90, beat, 3)
    on_beat_4 = 100.3 + 4 * 60 / 90
    take.add("player", mido.Message("note_on", note=60, velocity=80), 100.1)
    take.add("model", mido.Message("note_on", note=64, velocity=70), on_beat_4)
    take.add("model", mido.Message("note_off", note=64), on_beat_4 + 60 / 90 / 4)
    assert take.flush() is None
    midi = mido.MidiFile(take.path)
    player, model = midi.tracks
    metas = {m.type: m for m in player if m.is_meta}
    assert metas["set_tempo"].tempo == round(60 / 90 * 1e6)
    assert metas["time_signature"].numerator == 3
    beat_4 = 4 * 480 + 3 * 480  # the take began in the bar before the song's first
    model_ticks = [m.time for m in model if not m.is_meta]
    assert sum(model_ticks[:1]) == beat_4 and model_ticks[1] == 120  # a sixteenth later
    bar_before = 100.3 - 3 * 60 / 90  # where the file begins: the downbeat of that bar
    heard = [t for t, m in _seconds(midi) if not m.is_meta]  # played back, in seconds
    played = (100.1, on_beat_4, on_beat_4 + 60 / 90 / 4)
    assert heard == pytest.approx([t - bar_before for t in played], abs=1e-3)


def _seconds(midi: mido.MidiFile) -> list[tuple[float, mido.Message]]:
    now, timed = 0.0, []
    for message in midi:
        now += message.time
        timed.append((now, message))
    return timed


def test_a_full_disk_keeps_the_last_good_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    take = Take(tmp_path, started=0.0)
    take.add("player", mido.Message("note_on", note=60, velocity=80), 0.1)
    assert take.flush() is None
    good = take.path.read_bytes()

    def disk_full(self: mido.MidiFile, filename: str) -> None:
        Path(filename).write_bytes(b"MThd")  # a partial write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mido.MidiFile, "save", disk_full)
    take.add("player", mido.Message("note_off", note=60), 0.2)
    failure = take.flush()
    assert failure is not None and "No space left on device" in failure
    assert take.path.read_bytes() == good
    assert not list(tmp_path.glob("*.tmp"))


def test_record_into_a_folder_existing_or_new(tmp_path: Path) -> None:
    existing = Take(tmp_path, started=0.0)
    assert existing.path.parent == tmp_path and existing.path.name.startswith("session-")
    new = Take(tmp_path / "takes", started=0.0)
    assert new.path.parent == tmp_path / "takes" and (tmp_path / "takes").is_dir()


def test_record_into_one_new_mid_file(tmp_path: Path) -> None:
    take = Take(tmp_path / "sub" / "take.mid", started=0.0)
    assert take.path == tmp_path / "sub" / "take.mid"
    take.add("player", mido.Message("note_on", note=60, velocity=80), 0.1)
    assert take.flush() is None
    assert (tmp_path / "sub" / "take.mid").is_file()


def test_an_existing_mid_file_is_refused_in_one_line(tmp_path: Path) -> None:
    take = tmp_path / "take.mid"
    take.write_bytes(b"keep me")
    with pytest.raises(UserError, match="the file exists") as error:
        Take(take, started=0.0)
    assert "\n" not in str(error.value) and take.read_bytes() == b"keep me"
    result = subprocess.run(
        [sys.executable, "-m", "musicgen_live", "live", "--headless", "--record", str(take)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"musicgen-live live: error: argument --record: '{take}': the file exists; "
        "give a new name or a folder"
    ]


def test_a_read_only_disk_fails_a_write_without_raising(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    take = Take(tmp_path, started=0.0)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(mido.MidiFile, "save", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)
    take.add("player", mido.Message("note_on", note=60, velocity=80), 0.1)
    failure = take.flush()
    assert failure is not None and "Read-only file system" in failure


def test_a_take_that_stops_ends_the_keys_and_pedal_still_down(tmp_path: Path) -> None:
    take = Take(tmp_path / "held.mid", started=0.0)
    take.add("player", mido.Message("control_change", control=64, value=127), 0.1)
    for pitch in (60, 64):
        take.add("player", mido.Message("note_on", note=pitch, velocity=80), 0.2)
    take.add("player", mido.Message("note_off", note=64), 0.5)
    take.add("player", mido.Message("note_on", note=67, velocity=80), 0.6)
    take.end_held(1.0)
    assert take.flush() is None
    player = mido.MidiFile(take.path).tracks[0]
    assert not sounding_after([(0.0, message) for message in player])
    pedal = [m.value for m in player if m.type == "control_change" and m.control == 64]
    assert pedal == [127, 0]
    assert mido.MidiFile(take.path).length == pytest.approx(1.0, abs=0.01)
