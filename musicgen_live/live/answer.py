"""An answer as it is placed in time: its opening (decoded while the silence after a phrase
runs out), where each decoded note falls, when it is long enough, and when the model should
run for the next note (pure: time is passed in)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.live.performance import Performance
from musicgen_live.midi_clock import Grid
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY, Note

LOOKAHEAD = 0.25  # seconds of answer decoded ahead of playback
MAX_AHEAD = 32  # and never more notes than this
CLEARANCE = 0.015  # the model runs only when no note is due sooner (a cold run takes ms)
END_GRACE = 0.005  # an answer ends this long after its last note-off
READ = 0.02  # an opening's first note reads the phrase's window: a run this long (p99)
STEP_RUN = 0.002  # a later note of it: the network carried one note on, and its heads


@dataclass
class Opening:
    """An answer's first notes, decoded while the silence after a phrase runs out."""

    key: tuple[float, int]  # the pending phrase it answers (PhraseDetector.pending)
    rows: list[np.ndarray] = field(default_factory=list)
    waited_until: float | None = None  # the model waited for a message due to go first

    def wants_more(self) -> bool:
        ahead = sum(float(row[STEP]) for row in self.rows[1:])
        return len(self.rows) < MAX_AHEAD and ahead <= LOOKAHEAD

    def next_decode(self, now: float, next_deadline: float | None) -> float | None:
        """When to run the model for the opening's next note (None: it has enough). There is
        time (the silence is still running out), so a run that would delay a message due
        before it ends (a MIDI clock tick, a note still sounding) waits until just after that
        message, once: a run longer than the clock's gap between ticks then goes right after
        a tick, where it delays the next one least."""
        if not self.wants_more():
            self.waited_until = None
            return None
        if next_deadline is not None and next_deadline <= now:
            return now + 0.0005  # overdue: it leaves first
        cost = STEP_RUN if self.rows else READ
        waited = self.waited_until is not None and now >= self.waited_until
        if waited or next_deadline is None or next_deadline - now > cost:
            self.waited_until = None
            return now
        self.waited_until = next_deadline + 0.0005
        return self.waited_until


@dataclass
class Answer:
    phrase_end: float
    start: float
    performance: Performance
    time: float = 0.0  # onset of the last note placed
    notes: int = 0
    last_end: float = 0.0
    done_at: float | None = None  # set once the last note is placed
    started: bool = False  # its first note has left
    grid: Grid | None = None  # the MIDI clock's grid, under --sync clock
    model_time: float = 0.0  # the last onset where the model put it (before the grid)

    @classmethod
    def after(cls, phrase_end: float, performance: Performance, grid: Grid | None = None) -> Answer:
        start = phrase_end if grid is None else grid.first(phrase_end)
        return cls(phrase_end, start, performance, time=start, last_end=start, grid=grid)

    @property
    def continuous(self) -> bool:
        return self.performance.mode == "continuous"

    def place(self, row: np.ndarray) -> Note | None:
        """The note a decoded row becomes, or None once the answer is long enough (then it
        is finished: `done_at` is set)."""
        if self.done_at is not None:
            return None
        model_time = self.model_time + float(row[STEP]) if self.notes else self.start
        time = model_time
        if self.grid is not None and self.notes:
            time = self.grid.snap(model_time, self.time)
        limit = self.performance.length_seconds
        if not self.continuous and limit is not None and time - self.start > limit:
            self.finish()
            return None
        note = Note(int(row[PITCH]), int(row[VELOCITY]), time, time + float(row[DURATION]))
        self.time, self.model_time = time, model_time
        self.last_end = max(self.last_end, note.end)
        self.notes += 1
        if not self.continuous and self.notes >= (self.performance.length_notes or 10**9) + (
            ENDING_REACH
        ):
            self.finish()  # the model's close comes earlier (answer_shape.Ending): a backstop
        return note

    def tick_of(self, note: Note) -> float | None:
        """Where the note's onset falls on the MIDI clock's grid, when the answer follows
        one: a note stays in its place against the ticks however the clock is re-read."""
        if self.grid is None or not self.grid.active():
            return None
        return self.grid.clock.tick_at(note.start)

    def finish(self) -> None:
        self.done_at = self.last_end + END_GRACE

    def next_decode(self, now: float, next_deadline: float | None, pending: int) -> float | None:
        """When to run the model for the next note: `now`, a later time, or None (done).

        Later notes are decoded ahead of playback, and only when no note is due within
        CLEARANCE, unless the decoded notes are running out."""
        if self.done_at is not None:
            return None
        if self.notes == 0:
            return now
        if pending > 2 * MAX_AHEAD:  # a run of chords: wait for room
            return max(now + 0.001, next_deadline or now)
        if self.time - LOOKAHEAD > now:
            return self.time - LOOKAHEAD
        urgent = self.time - CLEARANCE
        if now >= urgent or next_deadline is None or next_deadline - now > CLEARANCE:
            return now
        return min(next_deadline + 0.0005, urgent)
