from pathlib import Path

import mido
import pytest

from musicgen_live.errors import MidiFileError
from musicgen_live.midi_files import (
    features_from_midi,
    note_messages,
    notes_from_midi,
    write_midi,
)
from musicgen_live.notes import Note, apply_sustain

TICK = 60 / 120 / 220  # pretty_midi writes 220 ticks per beat at 120 bpm


def test_round_trip_keeps_pitch_velocity_and_timing_to_the_tick(
    tmp_path: Path, test_piece: Path
) -> None:
    original = notes_from_midi(test_piece)[:300]
    write_midi(tmp_path / "copy.mid", original)
    copy = notes_from_midi(tmp_path / "copy.mid", sustain=False)
    assert [(n.pitch, n.velocity) for n in copy] == [(n.pitch, n.velocity) for n in original]
    for a, b in zip(copy, original, strict=True):
        assert abs(a.start - b.start) <= TICK
        assert abs(a.end - b.end) <= TICK


def write_track(path: Path, lines: list[str]) -> None:
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    track.extend(mido.Message.from_str(line) for line in lines)
    midi.tracks.append(track)
    midi.save(path)


def test_sustain_pedal_lengthens_notes_released_under_it(tmp_path: Path) -> None:
    # 120 bpm: 480 ticks = 0.5 s. Note released at 0.5 s, pedal up at 1.5 s.
    write_track(
        tmp_path / "pedal.mid",
        [
            "control_change channel=0 control=64 value=127 time=0",
            "note_on channel=0 note=60 velocity=80 time=0",
            "note_off channel=0 note=60 velocity=0 time=480",
            "control_change channel=0 control=64 value=0 time=960",
        ],
    )
    assert notes_from_midi(tmp_path / "pedal.mid", sustain=True)[0].end == pytest.approx(1.5)
    assert notes_from_midi(tmp_path / "pedal.mid", sustain=False)[0].end == pytest.approx(0.5)


def test_sustained_note_stops_when_its_pitch_is_struck_again() -> None:
    notes = [Note(60, 80, 0.0, 0.2), Note(60, 80, 1.0, 1.2)]
    held = apply_sustain(notes, [(0.0, 3.0)])
    assert [n.end for n in held] == [1.0, 3.0]


def test_drums_are_left_out_and_instruments_merged(tmp_path: Path) -> None:
    write_track(
        tmp_path / "mixed.mid",
        [
            "note_on channel=9 note=36 velocity=100 time=0",
            "note_on channel=0 note=60 velocity=80 time=0",
            "note_on channel=1 note=72 velocity=70 time=0",
            "note_off channel=9 note=36 velocity=0 time=240",
            "note_off channel=0 note=60 velocity=0 time=0",
            "note_off channel=1 note=72 velocity=0 time=0",
        ],
    )
    assert [n.pitch for n in notes_from_midi(tmp_path / "mixed.mid")] == [60, 72]


def test_a_corrupt_file_raises_a_readable_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"not midi at all")
    with pytest.raises(MidiFileError, match="broken.mid: not a readable MIDI file"):
        notes_from_midi(broken)


def test_a_file_without_notes_is_an_error(tmp_path: Path) -> None:
    write_track(tmp_path / "empty.mid", ["control_change channel=0 control=7 value=100 time=0"])
    with pytest.raises(MidiFileError, match="no notes"):
        features_from_midi(tmp_path / "empty.mid")


def test_note_messages_play_notes_from_a_given_time_note_offs_first() -> None:
    notes = [Note(62, 70, 2.0, 2.5), Note(60, 90, 1.5, 2.0)]
    assert [(time, str(message)) for time, message in note_messages(notes, since=1.5)] == [
        (0.0, "note_on channel=0 note=60 velocity=90 time=0"),
        (0.5, "note_off channel=0 note=60 velocity=0 time=0"),
        (0.5, "note_on channel=0 note=62 velocity=70 time=0"),
        (1.0, "note_off channel=0 note=62 velocity=0 time=0"),
    ]
