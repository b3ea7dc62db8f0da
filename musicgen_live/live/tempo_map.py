"""A take's tempo and bar grid: the beats of the MIDI clock the session followed or sent
while the take recorded (pure: each beat comes with its time).

A recording made in sync is written on that clock's grid: every beat of the clock is a
quarter note of the file, its bars are the clock's bars (counted from the song's start, so a
take that starts mid-song still has its bar lines where the DAW has them), and a tempo change
in the file wherever the clock's tempo changed. Music before the first beat and after the
last (the clock stopped) keeps the nearest tempo. A clock started again (Start), moved (a Song
Position Pointer) or paused (Stop, then Continue) goes on at its last tempo, from where its
beat falls in the bar (Start: a new bar); a jump forward squeezes the beats it skipped into
the beat it took.
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
        self._period: float | None = None  # seconds a beat, at the clock's last step

    def beat(self, at: float, number: int, beats_per_bar: int) -> None:
        """Beat `number` of the clock (counted from its song's start) fell at `at`."""
        if self.times and at <= self.times[-1]:
            return  # told twice
        self._cache = None
        period = self._period or 0.5  # before a step of the clock is known: 120 bpm
        if number == self._clock_beat and at - self.times[-1] < AGAIN * period:
            self.times[-1] = at  # told again, better placed (the tick before came late)
            return
        if not self.times:
            self.beats_per_bar = beats_per_bar
        elif self._clock_beat is not None:
            step, gap = number - self._clock_beat, at - self.times[-1]
            if self._new_run(step, gap):  # on at the last tempo
                passed = self.beats[-1] + max(1, math.ceil(gap / period))
                at_bar_place = passed + (number - passed) % self.beats_per_bar
                self._offset = at_bar_place - number  # its place in the bar, as the clock's
            else:
                self._period = gap / step
        self._clock_beat = number
        self.times.append(at)
        self.beats.append(number + self._offset)

    def _new_run(self, step: int, gap: float) -> bool:
        """Whether a beat `step` beats on from the last, `gap` seconds later, starts the
        clock's count over: it went back or jumped more than a bar (Start, a Song Position
        Pointer); it came after a pause (Stop, then Continue), over PAUSE beats at the
        clock's tempo or slower than any clock; or it skipped beats that had no time to
        pass (a jump forward)."""
        if not 0 < step <= self.beats_per_bar or gap > step * SLOW_BEAT:
            return True
        if self._period is None:
            return False
        return gap > PAUSE * step * self._period or (step > 1 and gap < (step - 0.5) * self._period)

    def copy(self) -> TempoMap:
        twin = TempoMap()
        twin.times, twin.beats = list(self.times), list(self.beats)
        twin.beats_per_bar, twin._clock_beat = self.beats_per_bar, self._clock_beat
        twin._offset, twin._period = self._offset, self._period
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
        start = self._beat_at(0.0)
        return math.floor(start / self.beats_per_bar) * self.beats_per_bar

    def _beat_at(self, seconds: float) -> float:
        """Where a time in the take falls in the file's count of beats."""
        times, beats = self._knots()
        i = min(max(bisect.bisect_right(times, seconds) - 1, 0), len(times) - 2)
        return beats[i] + (seconds - times[i]) / _per_beat(times, beats, i)

    def tick(self, seconds: float) -> int:
        """The file tick of a time in the take (seconds from its start); never below 0."""
        return max(0, round((self._beat_at(seconds) - self._first_bar()) * TICKS_PER_BEAT))

    def tempos(self) -> list[tuple[int, int]]:
        """(file tick, microseconds per quarter note): at 0, then where the clock changed."""
        times, beats = self._knots()
        first = self._first_bar()
        changes: list[tuple[int, int]] = []
        for i in range(len(times) - 1):
            tempo = min(SLOWEST, max(1, round(_per_beat(times, beats, i) * 1e6)))
            at = (beats[i] - first) * TICKS_PER_BEAT
            if at <= 0 or not changes:  # the file begins within this stretch, or after it
                changes = [(0, tempo)]
            elif changes[-1][1] != tempo:
                changes.append((at, tempo))
        return changes


def _per_beat(times: list[float], beats: list[int], interval: int) -> float:
    """Seconds a beat between point `interval` and the next (the ends extended)."""
    i = min(max(interval, 0), len(times) - 2)
    return (times[i + 1] - times[i]) / (beats[i + 1] - beats[i])
