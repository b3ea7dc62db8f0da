"""The conductor under `--sync clock` and `--clock-out`, on a fake clock: answers placed on
the grid of the clock it follows, starting on the beat, and the clock it sends starting with
the first answer."""

from __future__ import annotations

import mido
import pytest

from musicgen_live.live.actions import Outcome, Play, Send
from musicgen_live.live.conductor import Conductor
from musicgen_live.live.events import ClockChanged, State
from musicgen_live.live.performance import Performance
from musicgen_live.notes import STEP
from musicgen_live.scheduler import Scheduler
from tests.live.test_conductor import phrase, row

BEAT = 0.5  # 120 bpm
TICK = BEAT / 24


def clocked(performance: Performance, beats: int = 8) -> tuple[Conductor, list[ClockChanged]]:
    """A conductor that has heard Start and `beats` beats of clock from time 0."""
    conductor = Conductor(performance)
    shown = []
    for index, message in enumerate(
        [mido.Message("start")] + [mido.Message("clock")] * (24 * beats)
    ):
        at = 0.0 if index == 0 else (index - 1) * TICK
        shown += [e for e in conductor.feed(message, at).events if isinstance(e, ClockChanged)]
    return conductor, shown


def answer(conductor: Conductor, start: float, steps: list[float]) -> list[float]:
    """Onsets of an answer to a phrase played from `start`, the model's rows `steps` apart."""
    last_up = phrase(conductor, start)
    conductor.tick(last_up + 0.45)
    assert conductor.state is State.ANSWERING
    onsets = []
    for step in steps:
        onsets += [
            a.note.start
            for a in conductor.decoded(row(step=step), 0).actions
            if isinstance(a, Play)
        ]
    return onsets


def test_answer_onsets_fall_on_the_followed_clocks_sixteenths() -> None:
    performance = Performance(silence_ms=400, phrase_end="fixed", sync="clock", quantize="1/16")
    conductor, shown = clocked(performance)
    assert shown[-1].source == "external" and shown[-1].bpm == pytest.approx(120.0, abs=0.5)
    onsets = answer(conductor, 4.03, [0.0, 0.11, 0.13, 0.0, 0.26, 0.05])
    sixteenth = BEAT / 4
    for onset in onsets:
        assert onset / sixteenth == pytest.approx(round(onset / sixteenth), abs=1e-6)
    assert onsets == sorted(onsets)
    assert onsets[1] - onsets[0] == pytest.approx(sixteenth)  # 0.11 -> one sixteenth


def test_without_sync_the_clock_is_ignored_and_onsets_stay_the_models() -> None:
    conductor, shown = clocked(Performance(silence_ms=400, phrase_end="fixed", quantize="1/16"))
    assert shown == []  # the clock is not followed: still none
    onsets = answer(conductor, 4.03, [0.0, 0.11])
    assert onsets[1] - onsets[0] == pytest.approx(0.11)


def test_an_answer_waits_for_the_next_bar() -> None:
    performance = Performance(
        silence_ms=400, phrase_end="fixed", sync="clock", start_on="bar", beats_per_bar=3
    )
    conductor, _ = clocked(performance)
    onsets = answer(conductor, 4.03, [0.0])
    assert onsets == [pytest.approx(6.0)]  # the phrase ends at 4.78; bars every 1.5 s


def test_clock_out_starts_at_the_first_answer_note_at_the_phrase_tempo() -> None:
    conductor = Conductor(Performance(silence_ms=400, phrase_end="fixed", clock_out="on"))
    start: Outcome = conductor.start(0.0)
    assert [e.source for e in start.events if isinstance(e, ClockChanged)] == ["internal"]
    sender = conductor.sync.sender
    assert sender is not None and sender.next_at is None  # no tempo yet: no ticks
    last_up = phrase(conductor, 1.0, pitches=(60, 62, 64, 65))  # onsets 0.2 s apart
    out = conductor.tick(last_up + 0.45)
    sends = [a for a in out.actions if isinstance(a, Send)]
    assert [[m.type for m in s.messages] for s in sends] == [["start"]]
    assert sender.bpm == pytest.approx(75.0)  # a 0.2 s pulse read as a sixteenth: 75 bpm
    assert sender.next_at == pytest.approx(last_up + 0.45)


def test_a_new_bpm_retunes_the_clock_already_running() -> None:
    conductor = Conductor(Performance(clock_out="on", bpm=120.0))
    conductor.start(0.0)
    sender = conductor.sync.sender
    assert sender is not None and sender.due(1.0) == 49
    conductor.reconfigure(Performance(clock_out="on", bpm=90.0), 1.0)
    assert conductor.sync.sender is sender and sender.bpm == 90.0
    assert sender.next_at == pytest.approx(1.0 + 60 / (90 * 24))  # 1.0 s was the last tick


def test_a_recording_takes_the_beats_of_the_clock_followed_when_both_clocks_run() -> None:
    performance = Performance(sync="clock", clock_out="on", bpm=100.0)
    conductor = Conductor(performance)
    conductor.start(0.0)
    sender = conductor.sync.sender
    assert sender is not None
    sender.start(0.0, None)
    sender.due(4.0)  # the clock sent, at 100 bpm: beats of its own
    for index in range(24 * 8 + 1):  # the clock followed: Start, then 8 beats at 120 bpm
        message = mido.Message("start" if index == 0 else "clock")
        conductor.feed(message, 0.0 if index == 0 else (index - 1) * TICK)
    beats = conductor.sync.take_beats(performance)
    assert [n for _, n in beats] == list(range(1, 8))
    assert [t for t, _ in beats] == pytest.approx([BEAT * n for n in range(1, 8)])
    assert conductor.sync.take_beats(performance) == []  # each told once
    assert sender.beats == []


def test_under_a_running_clock_the_model_reads_the_phrase_at_the_clocks_tempo() -> None:
    performance = Performance(silence_ms=400, phrase_end="fixed", sync="clock")
    conductor, _ = clocked(performance)
    last_up = phrase(conductor, 4.03, pitches=(60, 62, 64, 65, 67))  # onsets 0.2 s apart
    conductor.tick(last_up + 0.45)
    assert conductor.history[-1][STEP] == pytest.approx(BEAT / 2)  # 0.2 s: an eighth at 120
    free, _ = clocked(Performance(silence_ms=400, phrase_end="fixed"))  # no sync
    last_up = phrase(free, 4.03, pitches=(60, 62, 64, 65, 67))
    free.tick(last_up + 0.45)
    assert free.history[-1][STEP] == pytest.approx(0.2)


def test_notes_on_the_grid_move_with_the_clock_as_it_is_read_again() -> None:
    """Notes are placed ahead of time; their onsets keep their ticks when later ticks show
    the clock a little slower than thought, and their durations are kept."""
    performance = Performance(silence_ms=400, phrase_end="fixed", sync="clock", quantize="1/16")
    conductor, _ = clocked(performance)
    last_up = phrase(conductor, 4.03)
    conductor.tick(last_up + 0.45)
    plays = [a for a in conductor.decoded(row(step=0.125), 0).actions if isinstance(a, Play)] + [
        a for a in conductor.decoded(row(step=0.125), 0).actions if isinstance(a, Play)
    ]
    scheduler = Scheduler()
    for pitch, play in enumerate(plays, start=60):
        assert play.tick is not None and play.tick == pytest.approx(play.note.start / TICK)
        scheduler.add_note(pitch, 80, play.note.start, play.note.end, tick=play.tick)
    slower = TICK * 1.01
    first = 24 * 8  # ticks go on from where `clocked` left them, 1 % slower
    for index in range(48):
        conductor.feed(mido.Message("clock"), first * TICK + index * slower)
    time_of = conductor.sync.time_of(performance)
    assert time_of is not None and scheduler.retime(time_of)
    moved = []
    while scheduler.next_deadline() is not None:
        moved += [d.deadline for d in scheduler.due(scheduler.next_deadline() or 0.0)]
    for play in plays:
        onset = time_of(play.tick or 0.0)
        assert onset == pytest.approx(first * TICK + (play.tick - first) * slower, abs=1e-4)
        for at in (onset, onset + play.note.duration):  # note-on and note-off
            assert min(abs(at - deadline) for deadline in moved) < 1e-6
