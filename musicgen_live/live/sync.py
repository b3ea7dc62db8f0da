"""The session's MIDI clock as the conductor sees it: the clock followed on the input under
`--sync clock`, the grid answers are placed on, and what the UI is told of it (pure: time is
passed in)."""

from __future__ import annotations

from collections.abc import Callable

import mido
import numpy as np

from musicgen_live.follow import pulse
from musicgen_live.live.actions import Outcome, Send
from musicgen_live.live.events import ClockChanged, EngineEvent
from musicgen_live.live.performance import Performance
from musicgen_live.midi_clock import (
    TICKS_PER_QUARTER,
    ClockFollower,
    ClockSender,
    Grid,
    bpm_of_pulse,
)
from musicgen_live.notes import DURATION, STEP

START, TICK, STOP = mido.Message("start"), mido.Message("clock"), mido.Message("stop")
SHOWN_BPM_STEP = 0.5  # a tempo shown again only when it moved this much
BEAT_SHARES = (0.25, 0.5, 1.0, 2.0)  # the pulses a phrase may take under a clock, in beats


class Sync:
    def __init__(self) -> None:
        self.follower = ClockFollower()
        self.sender: ClockSender | None = None  # under --clock-out
        self._shown = ClockChanged(0.0, "none", 0.0, False)

    def configure(self, performance: Performance, now: float, show: bool = False) -> Outcome:
        """At the start and on each change of the controls: begin or end sending clock; the
        clock's state for the UI if it changed (or if `show`)."""
        out = Outcome()
        wanted = performance.clock_out == "on"
        if wanted and self.sender is None:
            self.sender = ClockSender(performance.bpm)
            self.sender.begin(now)
        elif wanted and self.sender is not None and performance.bpm is not None:
            self.sender.retune(performance.bpm, now)  # a DAW following it follows the change
        elif not wanted and self.sender is not None:
            out.actions.append(Send(tuple(self.stop())))
            self.sender = None
        out.events += self.shown(now, performance, always=show)
        return out

    def answer_begins(self, at: float, phrase: np.ndarray, performance: Performance) -> Outcome:
        """An answer's first note falls at `at`: the clock sent starts there (once), at the
        tempo of `phrase` (rows) unless --bpm gave one."""
        if self.sender is None or self.sender.started:
            return Outcome()
        beat = pulse(phrase)
        self.sender.start(at, None if beat is None else bpm_of_pulse(beat))
        return Outcome(actions=[Send((START,))], events=self.shown(at, performance))

    def in_tempo(self, rows: np.ndarray, performance: Performance) -> np.ndarray:
        """A phrase's rows as the model reads them under a running clock: timed so that its
        pulse is the clock's beat, or its half, quarter or double, whichever is nearest the
        player's own; the answer then keeps the clock's tempo (and `--follow` moves only
        loudness and register)."""
        period = self.follower.seconds_per_tick
        played = pulse(rows)
        if performance.sync != "clock" or not self.follower.locked() or not played:
            return rows
        assert period is not None
        beat = period * TICKS_PER_QUARTER
        target = min((beat * share for share in BEAT_SHARES), key=lambda p: abs(np.log(p / played)))
        timed = np.array(rows, copy=True)
        timed[:, STEP] *= target / played
        timed[:, DURATION] *= target / played
        return timed

    def ticks(self, now: float) -> list[mido.Message]:
        """The clock ticks due by `now`."""
        return [] if self.sender is None else [TICK] * self.sender.due(now)

    def take_beats(self, performance: Performance) -> list[tuple[float, int]]:
        """The beats (time, number from the song's start) that passed since last asked, of
        the clock the session is on (as `shown`: the one followed, else the one sent): a
        recording is written on them."""
        followed, self.follower.beats = self.follower.beats, []
        sent: list[tuple[float, int]] = []
        if self.sender is not None:
            sent, self.sender.beats = self.sender.beats, []
        return followed if performance.sync == "clock" else sent

    def stop(self) -> list[mido.Message]:
        """The session ends: Stop for the clock sent."""
        return [STOP] if self.sender is not None and self.sender.stop() else []

    def feed(self, message: mido.Message, now: float, performance: Performance) -> bool:
        """Whether `message` was the clock's (then it is not the player's)."""
        if message.type not in ("clock", "start", "continue", "stop", "songpos"):
            return False
        if performance.sync == "clock":
            self.follower.feed(message, now)
        return True

    def time_of(self, performance: Performance) -> Callable[[float], float] | None:
        """Tick number -> time on the clock followed, while one is."""
        if performance.sync != "clock" or not self.follower.locked():
            return None
        return self.follower.time_of

    def grid(self, performance: Performance) -> Grid | None:
        """Where the next answer's notes may fall, under `--sync clock`."""
        if performance.sync != "clock":
            return None
        return Grid(
            self.follower, performance.quantize, performance.start_on, performance.beats_per_bar
        )

    def shown(
        self, now: float, performance: Performance, always: bool = False
    ) -> list[EngineEvent]:
        """The clock's state for the UI, when it changed since last shown (or `always`): the
        clock followed, else the one sent, else none."""
        if performance.sync == "clock":
            bpm, running, source = self.follower.bpm, self.follower.running, "external"
        elif self.sender is not None:
            bpm, running, source = self.sender.bpm, self.sender.started, "internal"
        else:
            bpm, running, source = None, False, "none"
        state = ClockChanged(now, source, round(bpm or 0.0, 1), running)
        last = self._shown
        same = (last.source, last.running) == (source, running)
        if same and abs(last.bpm - state.bpm) < SHOWN_BPM_STEP and not always:
            return []
        self._shown = state
        return [state]
