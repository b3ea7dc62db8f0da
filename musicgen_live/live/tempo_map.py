"""A take's tempo and bar grid: the beats of the MIDI clock the session followed or sent
while the take recorded (pure: each beat comes with its time).

A recording made in sync is written on that clock's grid: every beat of the clock is a
quarter note of the file, its bars are the clock's bars (counted from the song's start, so a
take that starts mid-song still has its bar lines where the DAW has them), and a tempo change
in the file wherever the clock's tempo changed. Music before the first beat and after the
last (the clock stopped) keeps the nearest tempo. A clock started again (Start), moved (a Song
Position Pointer) or paused (Stop, then Continue) goes on from a new bar of the file, the
pause kept at the last tempo.
"""

from __future__ import annotations

import bisect
import math

TICKS_PER_BEAT = 480
PAUSE = 2.0  # a beat this many beats late (at the last tempo) comes after the clock paused
SLOW_BEAT = 3.0  # seconds: no clock's beat is longer (20 bpm)
AGAIN = 0.5  # a beat told again within this share of a beat moves the one told before
TOLERANCE = 0.001  # seconds a beat may lie off the file's tempo before the tempo changes
SLOWEST = 0xFFFFFF  # microseconds a quarter note: the slowest tempo a MIDI file holds


class TempoMap:
    def __init__(self) -> None:
        self.times: list[float] = []  # seconds from the take's start, one per beat heard
        self.beats: list[int] = []  # their beat numbers in the file's count, increasing
        self.beats_per_bar = 4
        self._clock_beat: int | None = None  # the last beat number the clock gave
        self._offset = 0  # the file's count minus the clock's, for the current run
        self._cache: tuple[int, list[float], list[int]] | None = None  # knots, for a count

    def beat(self, at: float, number: int, beats_per_bar: int) -> None:
        """Beat `number` of the clock (counted from its song's start) fell at `at`."""
        if self.times and at <= self.times[-1]:
            return  # told twice
        self._cache = None
        if number == self._clock_beat and at - self.times[-1] < AGAIN * self._last_period():
            self.times[-1] = at  # told again, better placed (the tick before came late)
            return
        if not self.times:
            self.beats_per_bar = beats_per_bar
        elif self._clock_beat is not None and self._new_run(at, number - self._clock_beat):
            # started again, moved or paused: on at the last tempo, from a new bar
            bar, last = self.beats_per_bar, self.beats[-1]
            passed = last + math.ceil((at - self.times[-1]) / self._last_period())
            next_bar = -(-max(passed, last + 1) // bar) * bar
            self._offset = next_bar + number % bar - number
        self._clock_beat = number
        self.times.append(at)
        self.beats.append(number + self._offset)

    def _last_period(self) -> float:
        """Seconds a beat at the last tempo heard (before two beats: 120 bpm)."""
        return self._seconds_per_beat(len(self.times)) if self.synced else 0.5

    def _new_run(self, at: float, beats: int) -> bool:
        """Whether a beat `beats` after the last one, at `at`, starts the clock's count
        over: it went back, jumped more than a bar, or came after a pause (a Stop, then
        Continue): over PAUSE beats at the last tempo, or slower than any clock's tempo."""
        if not 0 < beats <= self.beats_per_bar:
            return True
        gap = at - self.times[-1]
        return gap > beats * SLOW_BEAT or (
            self.synced and gap > PAUSE * beats * self._last_period()
        )

    def copy(self) -> TempoMap:
        twin = TempoMap()
        twin.times, twin.beats = list(self.times), list(self.beats)
        twin.beats_per_bar, twin._clock_beat, twin._offset = (
            self.beats_per_bar,
            self._clock_beat,
            self._offset,
        )
        return twin

    @property
    def synced(self) -> bool:
        """Whether the take heard enough of a clock (two beats) to be written on its grid."""
        return len(self.times) >= 2

    def _knots(self) -> tuple[list[float], list[int]]:
        """The beats the file's tempo changes at (times, numbers): the fewest such that every
        beat heard lies within TOLERANCE of the tempo between them, so the clock's jitter
        does not become a tempo change on every beat. One pass: a stretch ends at the beat
        before the first one whose tempo from the stretch's start misses a beat in between."""
        if self._cache is not None and self._cache[0] == len(self.times):
            return self._cache[1], self._cache[2]
        times, beats = self.times, self.beats
        keep, low, high = [0], -math.inf, math.inf
        for j in range(1, len(times)):
            if not low <= (times[j] - times[keep[-1]]) / (beats[j] - beats[keep[-1]]) <= high:
                keep.append(j - 1)
                low, high = -math.inf, math.inf
            start = keep[-1]
            passed, spent = beats[j] - beats[start], times[j] - times[start]
            low = max(low, (spent - TOLERANCE) / passed)
            high = min(high, (spent + TOLERANCE) / passed)
        if keep[-1] != len(times) - 1:
            keep.append(len(times) - 1)
        knots = ([times[k] for k in keep], [beats[k] for k in keep])
        self._cache = (len(times), *knots)
        return knots

    def _first_bar(self) -> int:
        """The beat number the file's tick 0 stands for: the bar holding the take's start."""
        times, beats = self._knots()
        start = beats[0] - times[0] / _per_beat(times, beats, 0)
        return math.floor(start / self.beats_per_bar) * self.beats_per_bar

    def _seconds_per_beat(self, interval: int) -> float:
        """Between beat `interval` heard and the next (the last interval beyond both ends)."""
        return _per_beat(self.times, self.beats, interval)

    def tick(self, seconds: float) -> int:
        """The file tick of a time in the take (seconds from its start); never below 0."""
        times, beats = self._knots()
        i = min(max(bisect.bisect_right(times, seconds) - 1, 0), len(times) - 2)
        beat = beats[i] + (seconds - times[i]) / _per_beat(times, beats, i)
        return max(0, round((beat - self._first_bar()) * TICKS_PER_BEAT))

    def tempos(self) -> list[tuple[int, int]]:
        """(file tick, microseconds per quarter note): at 0, then where the clock changed."""
        times, beats = self._knots()
        first = self._first_bar()
        changes: list[tuple[int, int]] = []
        for i in range(len(times) - 1):
            tempo = min(SLOWEST, max(1, round(_per_beat(times, beats, i) * 1e6)))
            if not changes or changes[-1][1] != tempo:
                at = 0 if not changes else (beats[i] - first) * TICKS_PER_BEAT
                changes.append((at, tempo))
        return changes


def _per_beat(times: list[float], beats: list[int], interval: int) -> float:
    """Seconds a beat between point `interval` and the next (the ends extended)."""
    i = min(max(interval, 0), len(times) - 2)
    return (times[i + 1] - times[i]) / (beats[i + 1] - beats[i])
