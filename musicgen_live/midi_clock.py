"""MIDI clock in: where the beat is and how fast it goes, from the clock messages on the
input (pure: each message comes with its arrival time).

The count of ticks (24 per quarter note) starts at Start and at a Song Position Pointer, and
runs on through Continue, which carries no position: a clock restarted mid-song at another
tempo sends Continue, and the bars go on from where they were. The tempo is a straight line
fitted to the last beat of ticks, the ticks that came late left out, and a new tempo is
followed within a beat.

A tick can only arrive late, never early (the thread that stamps it ran late), so a gap of
almost two periods is either a lost tick or a late one: the next tick tells which. After a
late one it comes early, and the tick is not counted twice; a miscount would move every grid
line after it by a tick. A tick that comes again at once (delivered twice) counts once.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

TICKS_PER_QUARTER = 24
TICKS_PER_SIXTEENTH = 6  # a Song Position Pointer counts sixteenths
FIT_TICKS = TICKS_PER_QUARTER  # ticks the tempo is fitted to
LOST_GAP = 1.5  # periods between two ticks that mean one was lost (if the next tick comes
# early, the gap was a late stamp instead, and the loss is taken back)
GAP_BEATS = 2.0  # a silence this many (estimated) beats long ends the fit: the clock stopped
EARLY = 0.5  # periods: a tick this soon after the one before shows that one was late
TWICE = 0.25  # periods: a tick this soon after an on-time one is that tick again
PHASE_TICKS = 5  # the grid's phase is the median of the last ticks' distances to the line
LATE = 0.1  # periods behind the fitted line: a tick left out of the fit (it came late)
QUANTIZE = {  # a grid step in ticks
    "1/4": 24,
    "1/8": 12,
    "1/16": 6,
    "1/8t": 8,
    "1/16t": 4,
}
START_ON = ("now", "beat", "bar")


@dataclass(frozen=True)
class ClockState:
    """What the UI shows of the clock: "external" (following one), "internal" (sending one),
    or "none"; the tempo in quarter notes per minute, if known."""

    source: str
    bpm: float | None
    running: bool = False


class ClockFollower:
    """Follows the MIDI clock of the input."""

    def __init__(self) -> None:
        self.running = False
        self.ticks = 0  # ticks since Start (or the song position), the last one counted
        self._fit: deque[tuple[int, float]] = deque(maxlen=FIT_TICKS)  # (tick, arrival)
        self._line: tuple[float, float] | None = None  # seconds per tick, time of tick 0
        self._missed = 0  # ticks the latest gap was taken to have lost
        self.beats: list[tuple[float, int]] = []  # (time, beat number) not yet taken

    def feed(self, message: Any, now: float) -> bool:
        """One message from the input (a mido message); whether it was the clock's."""
        kind = message.type
        if kind == "start":
            self.running, self.ticks = True, -1  # the first tick after Start is tick 0
            self._fit.clear()
        elif kind == "continue":
            self.running = True
            self._fit.clear()  # the count runs on; the old tempo may not
        elif kind == "stop":
            self.running = False
        elif kind == "songpos":
            self.ticks = message.pos * TICKS_PER_SIXTEENTH - 1
            self._fit.clear()
        elif kind == "clock":
            self._tick(now)
        else:
            return False
        return True

    def _tick(self, now: float) -> None:
        if not self.running:
            return
        missed = 0
        if self._fit and self._line is not None:
            period, gap = self._line[0], now - self._fit[-1][1]
            if gap > GAP_BEATS * TICKS_PER_QUARTER * period:
                self._fit.clear()
            elif gap < EARLY * period and self._missed:  # the tick before came late: it
                self._undo_missed()  # lost none
            elif gap < TWICE * period:  # one tick delivered twice (JACK may repeat a cycle's
                return  # events after an overrun): it is counted once
            elif gap >= LOST_GAP * period:  # a tick lost on the way in still counts, or
                missed = round(gap / period) - 1  # the bars would slip
        self._missed = missed
        self.ticks += 1 + missed
        self._fit.append((self.ticks, now))
        if len(self._fit) >= 2:
            self._line = fit_on_time(list(self._fit))
            if self.ticks % TICKS_PER_QUARTER <= missed:  # a beat fell on this tick (or a
                beat = self.ticks // TICKS_PER_QUARTER * TICKS_PER_QUARTER  # lost one)
                self.beats.append((self.time_of(beat), beat // TICKS_PER_QUARTER))

    def _undo_missed(self) -> None:
        self._fit.pop()  # its time was late: it leaves the fit
        self.ticks -= self._missed
        self._missed = 0

    @property
    def seconds_per_tick(self) -> float | None:
        return None if self._line is None else self._line[0]

    @property
    def bpm(self) -> float | None:
        period = self.seconds_per_tick
        return None if period is None else 60.0 / (period * TICKS_PER_QUARTER)

    def locked(self) -> bool:
        """Whether the grid can be predicted: running, with a tempo from recent ticks."""
        return self.running and self._line is not None and len(self._fit) >= 2

    def time_of(self, tick: float) -> float:
        """When tick number `tick` falls (or fell), on the input's clock."""
        assert self._line is not None
        period, zero = self._line
        return zero + tick * period

    def tick_at(self, at: float) -> float:
        """The tick number (with its fraction) that falls at `at`."""
        assert self._line is not None
        period, zero = self._line
        return (at - zero) / period

    def next_line(self, after: float, every: int) -> float:
        """The first grid line at or after `after`: a tick number that is a multiple of
        `every` (ticks count from Start, so lines fall on the song's beats and bars)."""
        assert self._line is not None
        period, zero = self._line
        line = math.ceil((after - zero) / period / every - 1e-9) * every
        return zero + line * period

    def nearest_line(self, at: float, every: int) -> float:
        """The grid line nearest `at`."""
        assert self._line is not None
        period, zero = self._line
        return zero + round((at - zero) / period / every) * every * period

    def state(self) -> ClockState:
        return ClockState("external", self.bpm, self.running)


def fit_on_time(points: list[tuple[int, float]]) -> tuple[float, float]:
    """The line through the ticks that came on time: its slope (the tempo) fitted to all,
    then again without those more than LATE periods behind it (a late stamp would pull the
    grid late); its phase from the last PHASE_TICKS alone (their median), so a clock whose
    ticks jump (a sound card's overrun) is followed within a few ticks."""
    period, zero = fit_line(points)
    on_time = [(tick, at) for tick, at in points if at - (zero + tick * period) <= LATE * period]
    if len(on_time) >= max(2, len(points) // 2):
        period, zero = fit_line(on_time)
    recent = sorted(at - (zero + tick * period) for tick, at in points[-PHASE_TICKS:])
    return period, zero + recent[len(recent) // 2]


def fit_line(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares time = zero + tick * period over (tick, time) points."""
    count = len(points)
    mean_tick = sum(tick for tick, _ in points) / count
    mean_time = sum(at for _, at in points) / count
    spread = sum((tick - mean_tick) ** 2 for tick, _ in points)
    period = sum((tick - mean_tick) * (at - mean_time) for tick, at in points) / spread
    return period, mean_time - period * mean_tick


@dataclass(frozen=True)
class Grid:
    """Where answer notes may start: the clock's grid at a quantize step, and where the first
    note of an answer waits for (now, the next beat, or the next bar)."""

    clock: ClockFollower
    quantize: str = "off"
    start_on: str = "now"
    beats_per_bar: int = 4

    def active(self) -> bool:
        return self.clock.locked()

    def first(self, at: float) -> float:
        """When an answer that could start at `at` starts."""
        if not self.active() or self.start_on == "now":
            return self.snap(at, at)
        beat = TICKS_PER_QUARTER
        every = beat * (self.beats_per_bar if self.start_on == "bar" else 1)
        return self.clock.next_line(at, every)

    def snap(self, at: float, not_before: float) -> float:
        """A note's onset on the grid: the line nearest `at`, but not before `not_before`
        (the answer's previous onset: notes keep their order)."""
        if not self.active() or self.quantize == "off":
            return at
        every = QUANTIZE[self.quantize]
        line = self.clock.nearest_line(at, every)
        return line if line >= not_before - 1e-9 else self.clock.next_line(not_before, every)


def bpm_of_pulse(pulse: float) -> float:
    """A tempo for a phrase's pulse (the median gap between its onset groups): the pulse
    read as a quarter, an eighth or a half note, whichever falls in 70-140 bpm."""
    bpm = 60.0 / pulse
    while bpm < 70.0:
        bpm *= 2
    while bpm >= 140.0:
        bpm /= 2
    return round(bpm, 1)


class ClockSender:
    """MIDI clock out: ticks at a tempo (pure: the engine asks what is due). Ticks run from the
    start of the session when the tempo is given, so a DAW can lock to it; Start goes out
    just before the first answer note, with the tick grid restarted on that note, so the
    DAW's bar 1 begins with the answer; Stop goes out when the session ends."""

    def __init__(self, bpm: float | None) -> None:
        self.bpm = bpm
        self.started = False
        self.next_at: float | None = None
        self._anchor = 0.0  # the time of tick 0 of the current run of ticks
        self._count = 0  # ticks sent since then
        self._since_start = 0  # ticks sent since Start
        self.beats: list[tuple[float, int]] = []  # (time, beat number) not yet taken

    @property
    def period(self) -> float:
        assert self.bpm is not None
        return 60.0 / (self.bpm * TICKS_PER_QUARTER)

    def begin(self, now: float) -> None:
        """The session starts: tick at once if the tempo is known."""
        if self.bpm is not None and self.next_at is None:
            self._run_from(now)

    def start(self, at: float, phrase_bpm: float | None) -> bool:
        """The first answer note falls at `at`: whether Start goes out now (once); ticks
        run from `at`."""
        if self.started:
            return False
        if self.bpm is None:
            self.bpm = phrase_bpm or 120.0
        self.started = True
        self._since_start = 0
        self._run_from(at)
        return True

    def retune(self, bpm: float, now: float) -> None:
        """A new tempo from the next tick on: the tick after the last one sent comes one new
        period after it (ticks not yet running start now)."""
        if bpm == self.bpm:
            return
        last = None if self.next_at is None or self._count == 0 else self.next_at - self.period
        self.bpm = bpm
        if last is not None:
            self._anchor, self._count, self.next_at = last, 1, last + self.period
        elif self.next_at is None:
            self.begin(now)

    def _run_from(self, at: float) -> None:
        self._anchor, self._count, self.next_at = at, 0, at

    def due(self, now: float) -> int:
        """How many ticks' time has come (all of them, so a follower's count stays right)."""
        ticks = 0
        while self.next_at is not None and self.next_at <= now:
            if self.started and self._since_start % TICKS_PER_QUARTER == 0:
                self.beats.append((self.next_at, self._since_start // TICKS_PER_QUARTER))
            self._since_start += 1
            ticks += 1
            self._count += 1
            self.next_at = self._anchor + self._count * self.period  # no rounding piles up
        return ticks

    def stop(self) -> bool:
        """The session ends: whether Stop goes out (it does if Start did)."""
        self.next_at = None
        was_started, self.started = self.started, False
        return was_started

    def state(self) -> ClockState:
        return ClockState("internal", self.bpm, self.started)
