"""MIDI clock in and out on a fake clock: the tick count, the tempo fitted to the ticks, the
grid answers are placed on, and the clock sent."""

from __future__ import annotations

import mido
import numpy as np
import pytest

from musicgen_live.midi_clock import (
    TICKS_PER_QUARTER,
    ClockFollower,
    ClockSender,
    Grid,
    bpm_of_pulse,
)


def play_clock(
    follower: ClockFollower, bpm: float, beats: float, start: float, jitter: float = 0.0
) -> float:
    """Ticks at `bpm` from `start` (each up to `jitter` s late); returns when the next is due."""
    rng = np.random.default_rng(0)
    period = 60.0 / (bpm * TICKS_PER_QUARTER)
    ticks = round(beats * TICKS_PER_QUARTER)
    for index in range(ticks):
        follower.feed(mido.Message("clock"), start + index * period + rng.uniform(0, jitter))
    return start + ticks * period


def started(
    bpm: float = 120.0, beats: float = 4, jitter: float = 0.0
) -> tuple[ClockFollower, float]:
    follower = ClockFollower()
    follower.feed(mido.Message("start"), 0.0)
    return follower, play_clock(follower, bpm, beats, 0.01, jitter)


def test_the_tempo_is_read_from_jittery_ticks() -> None:
    follower, _ = started(120.0, beats=8, jitter=0.002)
    assert follower.bpm == pytest.approx(120.0, abs=0.5)
    assert follower.locked()


def test_ticks_count_from_start_and_grid_lines_fall_on_beats() -> None:
    follower, next_tick = started(120.0, beats=4)
    assert follower.ticks == 4 * TICKS_PER_QUARTER - 1  # the first tick after Start is 0
    # tick 0 came at 0.01 s; a beat is 0.5 s: the next beat line after 2.2 s is at 2.51 s
    assert follower.next_line(2.2, TICKS_PER_QUARTER) == pytest.approx(2.51, abs=1e-6)
    assert follower.next_line(next_tick, TICKS_PER_QUARTER * 4) == pytest.approx(2.01, abs=1e-6)
    assert follower.nearest_line(0.7, 6) == pytest.approx(0.76, abs=1e-6)  # sixteenths


def test_continue_runs_the_count_on_at_the_new_tempo() -> None:
    follower, next_tick = started(120.0, beats=4)
    follower.feed(mido.Message("stop"), next_tick)
    assert not follower.running
    follower.feed(mido.Message("clock"), next_tick + 0.1)  # ignored while stopped
    assert follower.ticks == 95
    resumed = next_tick + 3.0
    follower.feed(mido.Message("continue"), resumed)
    play_clock(follower, 90.0, beats=2, start=resumed)
    assert follower.ticks == 95 + 48  # not reset
    assert follower.bpm == pytest.approx(90.0, abs=0.5)
    # the count went on: tick 96 is the first after Continue, and a bar line is at tick 96
    assert follower.time_of(96) == pytest.approx(resumed, abs=1e-6)
    assert follower.next_line(resumed + 0.01, 96) == pytest.approx(
        resumed + 96 * 60 / (90 * 24), abs=1e-6
    )


def test_a_new_tempo_is_followed_within_a_beat() -> None:
    follower, next_tick = started(120.0, beats=4)
    play_clock(follower, 90.0, beats=1, start=next_tick)
    assert follower.bpm == pytest.approx(90.0, abs=0.5)


def test_song_position_sets_the_count() -> None:
    follower = ClockFollower()
    follower.feed(mido.Message("songpos", pos=16), 0.0)  # bar 2 (sixteenths)
    follower.feed(mido.Message("continue"), 0.0)
    play_clock(follower, 120.0, beats=1, start=0.0)
    assert follower.ticks == 16 * 6 + 23


def test_a_stopped_clock_has_no_grid() -> None:
    follower = ClockFollower()
    play_clock(follower, 120.0, beats=2, start=0.0)  # ticks without Start
    assert not follower.locked()
    assert Grid(follower, "1/16").snap(0.33, 0.0) == 0.33


def test_notes_snap_to_the_nearest_line_and_keep_their_order() -> None:
    follower, _ = started(120.0, beats=4)
    grid = Grid(follower, "1/16")  # lines every 0.125 s from 0.01
    assert grid.snap(0.30, 0.0) == pytest.approx(0.26)
    assert grid.snap(0.33, 0.0) == pytest.approx(0.385)
    assert grid.snap(0.30, 0.3) == pytest.approx(0.385)  # never before the previous onset
    triplets = Grid(follower, "1/8t")  # lines every 8 ticks
    assert triplets.snap(0.2, 0.0) == pytest.approx(0.01 + 8 * 0.5 / 24)
    assert Grid(follower, "off").snap(0.3, 0.0) == 0.3


@pytest.mark.parametrize(("start_on", "expected"), [("now", 2.3), ("beat", 2.51), ("bar", 4.01)])
def test_an_answer_starts_now_on_the_beat_or_on_the_bar(start_on: str, expected: float) -> None:
    follower, _ = started(120.0, beats=4)
    assert Grid(follower, "off", start_on).first(2.3) == pytest.approx(expected)


def test_a_bar_is_beats_per_bar_beats() -> None:
    follower, _ = started(120.0, beats=4)
    assert Grid(follower, "off", "bar", beats_per_bar=3).first(2.3) == pytest.approx(3.01)


def test_the_clock_sent_starts_with_the_answer_and_ticks_at_its_tempo() -> None:
    sender = ClockSender(120.0)
    sender.begin(0.0)
    assert sender.due(0.5) == 25  # 0 .. 0.5 s
    assert not sender.stop()  # no Start went out: no Stop either
    sender = ClockSender(None)
    sender.begin(0.0)
    assert sender.due(1.0) == 0  # no tempo yet: nothing
    assert sender.start(1.0, phrase_bpm=96.0)  # Start goes out
    assert not sender.start(2.0, phrase_bpm=50.0)  # once
    assert sender.due(0.999) == 0
    times = [1.0 + i * 60 / (96 * 24) for i in range(10)]
    assert all(sender.due(t) == 1 for t in times)
    assert sender.stop()


def test_the_beats_of_the_clock_followed_and_sent_are_told_for_recordings() -> None:
    follower, _ = started(120.0, beats=4)  # beat 0 comes before any tempo is known
    assert [n for _, n in follower.beats] == [1, 2, 3]
    assert [t for t, _ in follower.beats] == pytest.approx([0.51, 1.01, 1.51], abs=1e-6)
    sender = ClockSender(120.0)
    sender.begin(0.0)
    sender.due(0.9)
    assert sender.beats == []  # ticks before Start are no song's beats
    sender.start(1.0, None)
    sender.due(2.0)
    assert sender.beats == [(1.0, 0), (1.5, 1), (2.0, 2)]


def test_a_new_tempo_takes_over_from_the_tick_after_the_last_one_sent() -> None:
    sender = ClockSender(120.0)
    sender.begin(0.0)
    assert sender.due(0.51) == 25  # the last at 0.5 s
    sender.retune(60.0, 0.51)
    assert sender.bpm == 60.0
    assert sender.next_at == pytest.approx(0.5 + 60 / (60 * 24))
    assert sender.due(0.5 + 10 * 60 / (60 * 24) + 1e-9) == 10  # no tick lost or doubled
    waiting = ClockSender(None)  # no tempo yet: ticks begin with the one given
    waiting.begin(0.0)
    waiting.retune(100.0, 2.0)
    assert waiting.next_at == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("pulse", "bpm"), [(0.5, 120.0), (0.25, 120.0), (1.2, 100.0), (0.3, 100.0)]
)
def test_a_phrase_pulse_becomes_a_tempo_between_70_and_140(pulse: float, bpm: float) -> None:
    assert bpm_of_pulse(pulse) == pytest.approx(bpm)


def test_a_tick_lost_on_the_way_in_still_counts() -> None:
    follower, next_tick = started(120.0, beats=2)
    period = 0.5 / 24
    follower.feed(mido.Message("clock"), next_tick + period)  # the tick at next_tick is lost
    assert follower.ticks == 49  # tick 48 was lost: this is 49, and the bars stay in place
    assert follower.time_of(49) == pytest.approx(next_tick + period, abs=1e-4)


def test_a_tick_stamped_late_is_not_taken_for_a_lost_one() -> None:
    follower, next_tick = started(120.0, beats=2)
    period = 0.5 / 24
    follower.feed(mido.Message("clock"), next_tick + 0.6 * period)  # late by 60 %
    follower.feed(mido.Message("clock"), next_tick + period)  # the next one on time
    assert follower.ticks == 49


def test_a_tick_late_by_almost_a_period_is_not_counted_twice() -> None:
    follower, next_tick = started(120.0, beats=2)
    period = 0.5 / 24
    follower.feed(mido.Message("clock"), next_tick + 0.9 * period)  # late: looks like a loss
    follower.feed(mido.Message("clock"), next_tick + period)  # on time: it was not one
    assert follower.ticks == 49
    assert follower.time_of(49) == pytest.approx(next_tick + period, abs=1e-4)
    follower.feed(mido.Message("clock"), next_tick + 3 * period)  # 50 lost on the way: 51
    assert follower.ticks == 51


def test_late_ticks_do_not_pull_the_grid_late() -> None:
    follower, next_tick = started(120.0, beats=2)
    period = 0.5 / 24
    for index in range(24):
        late = 0.6 * period if index % 6 == 3 else 0.0  # one tick in six stamped late
        follower.feed(mido.Message("clock"), next_tick + index * period + late)
    assert follower.time_of(follower.ticks + 1) == pytest.approx(next_tick + 24 * period, abs=2e-4)


def test_a_tick_delivered_twice_counts_once() -> None:
    follower, next_tick = started(120.0, beats=2)
    period = 0.5 / 24
    follower.feed(mido.Message("clock"), next_tick)
    follower.feed(mido.Message("clock"), next_tick + 0.00002)  # the same tick again
    follower.feed(mido.Message("clock"), next_tick + period)
    assert follower.ticks == 49


def test_a_clock_whose_ticks_jump_is_followed_within_a_few_ticks() -> None:
    follower, next_tick = started(120.0, beats=2)
    period = 0.5 / 24
    jump = 0.3 * period  # the source's ticks move 6 ms later and stay there
    for index in range(4):
        follower.feed(mido.Message("clock"), next_tick + jump + index * period)
    expected = next_tick + jump + 4 * period
    assert follower.time_of(follower.ticks + 1) == pytest.approx(expected, abs=0.5e-3)
