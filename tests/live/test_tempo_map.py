"""A take's tempo and bar grid, from the beats of the session's MIDI clock."""

from __future__ import annotations

import numpy as np
import pytest

from musicgen_live.live.tempo_map import TICKS_PER_BEAT, TempoMap


def beats(grid: TempoMap, first: float, period: float, numbers: range, bar: int = 4) -> None:
    for i, number in enumerate(numbers):
        grid.beat(first + i * period, number, bar)


def test_beats_are_quarter_notes_and_bar_lines_fall_where_the_clock_has_them() -> None:
    grid = TempoMap()
    beats(grid, 1.2, 0.5, range(5, 12))  # the take began mid-song, 2.4 beats before beat 5
    assert grid.synced
    assert grid.tick(1.2) == 5 * TICKS_PER_BEAT  # beat 5 of the song: bar 2, beat 2
    assert grid.tick(1.2 + 3 * 0.5) == 8 * TICKS_PER_BEAT  # beat 8 is the downbeat of bar 3
    assert grid.tick(0.0) == round(2.6 * TICKS_PER_BEAT)  # the take's start, in bar 1
    assert grid.tempos() == [(0, 500_000)]


def test_a_tempo_change_is_written_where_it_happened_and_extends_past_the_last_beat() -> None:
    grid = TempoMap()
    beats(grid, 0.0, 0.5, range(0, 4))  # 120 bpm up to beat 3 at 1.5 s
    beats(grid, 2.25, 0.75, range(4, 8))  # then 80 bpm
    assert grid.tempos() == [(0, 500_000), (3 * TICKS_PER_BEAT, 750_000)]
    assert grid.tick(1.5 + 0.375) == round(3.5 * TICKS_PER_BEAT)
    assert grid.tick(4.5 + 1.5) == 9 * TICKS_PER_BEAT  # after the last beat: its tempo


def test_a_clock_started_again_begins_a_new_bar_and_a_beat_told_again_is_moved() -> None:
    grid = TempoMap()
    beats(grid, 0.0, 0.5, range(0, 6))  # beats 0-5 (bar 2, beat 2 last)
    assert grid.tick(2.5) == 5 * TICKS_PER_BEAT
    grid.beat(2.53, 5, 4)  # beat 5 again, better placed
    assert grid.times[-1] == 2.53 and len(grid.times) == 6
    assert grid.tick(2.53) == 5 * TICKS_PER_BEAT
    beats(grid, 4.0, 0.5, range(0, 3))  # Start again: its beat 0 is the next bar, beat 8
    assert grid.beats[-3:] == [8, 9, 10]
    assert grid.tick(4.0) == 8 * TICKS_PER_BEAT
    grid.beat(30.0, 2, 4)  # the same number long after: the clock started over, not a late beat
    assert grid.times[-2:] == [5.0, 30.0] and grid.beats[-1] == 62  # 50 beats on, bar 16


def test_one_beat_is_not_a_grid() -> None:
    grid = TempoMap()
    grid.beat(1.0, 0, 4)
    assert not grid.synced


def test_a_pause_of_the_clock_keeps_the_last_tempo_and_goes_on_from_a_new_bar() -> None:
    grid = TempoMap()
    beats(grid, 0.0, 0.5, range(0, 4))  # Stop after beat 3 at 1.5 s
    beats(grid, 31.5, 0.5, range(4, 7))  # Continue 30 s later: the count runs on
    assert grid.beats[4:] == [64, 65, 66]  # 60 beats at the last tempo, then the next bar
    assert grid.tick(31.5) == 64 * TICKS_PER_BEAT
    assert all(tempo <= 0xFFFFFF for _, tempo in grid.tempos())  # a MIDI file can hold it
    assert grid.tempos()[-1][1] == 500_000


def played_back(grid: TempoMap, tick: int) -> float:
    """When a file tick sounds, from the file's tempo changes."""
    seconds, at, tempo = 0.0, 0, 500_000
    for change, new in grid.tempos():
        if change >= tick:
            break
        seconds += (change - at) / TICKS_PER_BEAT * tempo / 1e6
        at, tempo = change, new
    return seconds + (tick - at) / TICKS_PER_BEAT * tempo / 1e6


def test_a_file_played_back_keeps_the_times_recorded_even_across_a_pause() -> None:
    grid = TempoMap()
    grid.beat(0.5, 7, 4)  # one beat, then the clock stops for a minute
    grid.beat(60.5, 8, 4)
    grid.beat(61.0, 9, 4)
    grid.beat(61.5, 10, 4)
    assert all(tempo <= 3_000_000 for _, tempo in grid.tempos())
    start = played_back(grid, grid.tick(0.5))
    for at in (60.5, 61.0, 61.5, 62.25):
        assert played_back(grid, grid.tick(at)) - start == pytest.approx(at - 0.5, abs=0.002)


def test_the_clocks_jitter_is_no_tempo_change_and_the_beats_stay_in_place() -> None:
    grid = TempoMap()
    rng = np.random.default_rng(0)
    times = [0.2 + n * 0.5 + float(rng.uniform(-0.0003, 0.0003)) for n in range(400)]
    for number, at in enumerate(times):
        grid.beat(at, number, 4)
    assert len(grid.tempos()) <= 3  # not one a beat
    bar = 4 * TICKS_PER_BEAT  # the take began in the bar before the clock's first beat
    start = played_back(grid, bar)
    for number, at in enumerate(times):  # each beat, on its quarter note, sounds when it came
        sounds = played_back(grid, bar + number * TICKS_PER_BEAT) - start
        assert abs(sounds - (at - times[0])) < 0.0015


def test_a_restart_is_followed_at_the_clocks_tempo_from_then_on() -> None:
    grid = TempoMap()
    beats(grid, 0.0, 0.5, range(0, 6))
    beats(grid, 3.0, 0.5, range(0, 10))  # Start at once after beat 5: 0, 1, 2, ...
    assert grid.beats[6:] == list(range(8, 18))  # the next bar, then a beat a beat
    assert grid.tempos()[-1] == (8 * TICKS_PER_BEAT, 500_000)


def test_a_take_begun_after_some_beats_starts_at_the_tempo_it_began_in() -> None:
    grid = TempoMap()
    beats(grid, -5.0, 0.5, range(0, 8))  # 120 bpm before the take began
    beats(grid, -0.75, 0.75, range(8, 20))  # 80 bpm from before it began on
    tempos = grid.tempos()
    assert tempos[0] == (0, 750_000) and all(at >= 0 for at, _ in tempos)


@pytest.mark.parametrize("seed", range(12))
def test_any_clock_gives_a_file_that_sounds_as_recorded_with_beats_on_quarter_notes(
    seed: int,
) -> None:
    """Jitter, tempo changes, pauses, restarts and jumps, at random."""
    rng = np.random.default_rng(seed)
    bar = int(rng.choice([2, 3, 4, 6, 7]))
    period, at, number = float(rng.uniform(0.25, 1.5)), float(rng.uniform(0.0, 3.0)), 0
    heard = []
    for _ in range(150):
        heard.append((at + float(rng.uniform(-0.002, 0.002)), number))
        roll = rng.random()
        at, number = at + period, number + 1
        if roll < 0.03:
            at += float(rng.uniform(0.0, 40.0))  # Stop, then Continue
        elif roll < 0.05:
            number = int(rng.integers(0, 60))  # Start or a Song Position Pointer
        elif roll < 0.08:
            period *= float(rng.uniform(0.8, 1.25))
    grid = TempoMap()
    for when, n in heard:
        grid.beat(when, n, bar)
    assert all(1 <= tempo <= 0xFFFFFF and tick >= 0 for tick, tempo in grid.tempos())
    ticks = [grid.tick(when) for when, _ in heard]
    assert ticks == sorted(ticks)
    first = played_back(grid, ticks[0])
    for (when, _), tick in zip(heard, ticks, strict=True):  # sounds when it was heard
        assert abs(played_back(grid, tick) - first - (when - heard[0][0])) < 0.003
    for (when, n), tick in zip(heard, ticks, strict=True):
        if when in grid.times:  # a beat kept: on a quarter note, downbeats on bar lines
            assert abs(tick - round(tick / TICKS_PER_BEAT) * TICKS_PER_BEAT) <= 3
            assert (round(tick / TICKS_PER_BEAT) % bar == 0) == (n % bar == 0)
