"""The player with explicit times: deadlines, chords, every stop, a lost sink."""

from __future__ import annotations

from musicgen_live.clock import FakeClock
from musicgen_live.live.player import Player
from tests.live.fakes import BrokenSink, ListSink
from tests.midi_checks import every_note_closed_then_reset


def test_notes_leave_at_their_deadlines_chords_at_one_instant() -> None:
    clock = FakeClock()
    sink = ListSink(clock)
    player = Player([sink])
    for pitch in (60, 64, 67):
        player.add(pitch, 70, 1.0, 1.5)
    assert player.next_deadline() == 1.0
    assert player.play_due(0.999) == []
    clock.time = 1.0
    sent = player.play_due(1.0)
    assert [m.message.note for m in sent] == [60, 64, 67]
    assert {m.at for m in sent} == {1.0}
    clock.time = 1.6
    late = player.play_due(1.6)
    assert [m.message.type for m in late] == ["note_off"] * 3
    assert round(late[0].late, 3) == 0.1 and player.late_events == 3


def test_silence_ends_open_notes_then_pedal_up_and_all_notes_off() -> None:
    clock = FakeClock()
    sink = ListSink(clock)
    player = Player([sink], channel=2)
    player.add(60, 70, 0.0, 5.0)
    player.add(62, 70, 3.0, 5.0)
    player.play_due(0.0)
    player.silence(0.5)
    assert [(m.type, getattr(m, "control", None)) for _, m in sink.sent] == [
        ("note_on", None),
        ("note_off", None),
        ("control_change", 64),
        ("control_change", 123),
    ]
    assert every_note_closed_then_reset(sink.sent)
    assert player.play_due(10.0) == []  # the rest was dropped


def test_a_failing_sink_is_dropped_and_reported() -> None:
    clock = FakeClock()
    good, bad = ListSink(clock), BrokenSink(clock)
    player = Player([bad, good])
    player.add(60, 70, 0.0, 1.0)
    player.play_due(0.0)
    assert player.sinks == [good] and len(player.lost) == 1 and "unplugged" in player.lost[0]
    assert good.note_ons() == [(0.0, 60)]


def test_replacing_the_outputs_silences_and_closes_the_old_ones() -> None:
    clock = FakeClock()
    old, new = ListSink(clock), ListSink(clock)
    player = Player([old])
    player.add(60, 70, 0.0, 1.0)
    player.play_due(0.0)
    player.replace_sinks([new], 0.5)
    assert old.closed and every_note_closed_then_reset(old.sent)
    player.add(62, 70, 1.0, 2.0)
    player.play_due(1.0)
    assert [pitch for _, pitch in new.note_ons()] == [62]
