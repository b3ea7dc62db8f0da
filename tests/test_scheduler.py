"""Scheduler with explicit times: ordering, re-strikes, flush, lateness."""

from musicgen_live.scheduler import Scheduler, silence_messages


def sent(scheduler: Scheduler, now: float) -> list[str]:
    return [f"{d.message.type} {d.message.note}" for d in scheduler.due(now)]


def test_events_fire_at_their_deadlines_in_order() -> None:
    scheduler = Scheduler()
    scheduler.add_note(60, 80, start=1.0, end=1.5)
    scheduler.add_note(64, 80, start=1.5, end=2.0)
    assert scheduler.next_deadline() == 1.0
    assert sent(scheduler, 0.99) == []
    assert sent(scheduler, 1.0) == ["note_on 60"]
    assert sent(scheduler, 1.5) == ["note_off 60", "note_on 64"]  # off before on
    assert sent(scheduler, 2.0) == ["note_off 64"]
    assert scheduler.next_deadline() is None


def test_a_stale_note_off_never_cuts_a_re_struck_note() -> None:
    scheduler = Scheduler()
    scheduler.add_note(60, 80, start=0.0, end=1.0)
    scheduler.add_note(60, 90, start=0.5, end=2.0)
    assert sent(scheduler, 0.0) == ["note_on 60"]
    assert sent(scheduler, 0.5) == ["note_off 60", "note_on 60"]  # re-strike ends the first
    assert sent(scheduler, 1.0) == []  # the first note's own off is stale
    assert scheduler.open_notes == 1
    assert sent(scheduler, 2.0) == ["note_off 60"]


def test_flush_ends_every_sounding_note_and_drops_the_rest() -> None:
    scheduler = Scheduler()
    scheduler.add_note(60, 80, 0.0, 5.0)
    scheduler.add_note(67, 80, 0.0, 5.0, channel=1)
    scheduler.add_note(72, 80, 3.0, 5.0)
    scheduler.due(0.0)
    offs = scheduler.flush()
    assert [(m.type, m.channel, m.note) for m in offs] == [("note_off", 0, 60), ("note_off", 1, 67)]
    assert scheduler.due(10.0) == [] and scheduler.open_notes == 0
    silence = silence_messages(scheduler.channels_used)
    assert [(m.channel, m.control, m.value) for m in silence] == [
        (0, 64, 0),
        (0, 123, 0),
        (1, 64, 0),
        (1, 123, 0),
    ]


def test_late_events_are_counted() -> None:
    scheduler = Scheduler(late_tolerance=0.003)
    scheduler.add_note(60, 80, 1.0, 2.0)
    scheduler.add_note(62, 80, 3.0, 4.0)
    due = scheduler.due(1.002)
    assert scheduler.late_events == 0 and abs(due[0].late - 0.002) < 1e-9
    scheduler.due(3.01)
    assert scheduler.late_events == 2  # note-off of 60 at 2.0 and note-on of 62 at 3.0


def test_retime_moves_only_notes_on_a_clock_grid_and_keeps_their_durations() -> None:
    scheduler = Scheduler()
    scheduler.add_note(60, 90, 1.0, 1.5, tick=48.0)
    scheduler.add_note(62, 90, 1.2, 1.3)  # not on a grid: stays
    assert scheduler.retime(lambda tick: tick * 0.02)  # the grid now puts tick 48 at 0.96
    times = [(d.message.type, d.message.note, round(d.deadline, 6)) for d in scheduler.due(2.0)]
    assert times == [
        ("note_on", 60, 0.96),
        ("note_on", 62, 1.2),
        ("note_off", 62, 1.3),
        ("note_off", 60, 1.46),
    ]
    assert not Scheduler().retime(lambda tick: tick)
