"""The call-and-response decisions as a pure state machine.

Time is passed in; every entry point returns an `Outcome`: actions for the engine (decode
from a seed, stop decoding, play a note, silence the outputs) and events to report. The engine
asks `wake_at` when to call `tick` next, and `next_decode` when to run the model.
"""

from __future__ import annotations

import collections

import mido
import numpy as np

from musicgen_live.contract import MAX_SECONDS
from musicgen_live.live.actions import Decode, Outcome, Play, Silence, StopDecoding
from musicgen_live.live.answer import Answer, Opening
from musicgen_live.live.events import (
    AnswerEnded,
    AnswerStarted,
    NotePlayed,
    Notice,
    PhraseEndRule,
    PhraseHeard,
    State,
    StateChanged,
)
from musicgen_live.live.pedal import PedalTimeline
from musicgen_live.live.performance import Performance
from musicgen_live.live.sync import Sync
from musicgen_live.notes import STEP, Note, notes_to_features
from musicgen_live.phrase import Phrase, PhraseDetector

TOGETHER = 0.01  # keys struck this close are read as struck together (input is stamped per cycle)
HISTORY = 256  # notes of the past kept as context
STILL_NOTICE = (
    "a key or the pedal stayed down {:g} s with nothing played: the phrase ended "
    "(a key-up or pedal-up may have been lost on its way in)"
)
HELD_POLL = 0.1  # while keys are held, look this often whether the phrase grew too long


class Conductor:
    def __init__(
        self,
        performance: Performance,
        trigger_cc: int | None = None,
        input_channel: int | None = None,
    ) -> None:
        self.performance = performance
        self.detector = PhraseDetector(
            performance.phrase_end_rule, trigger_cc=trigger_cc, channel=input_channel
        )
        self._shown_threshold: PhraseEndRule | None = None
        self.pedal = PedalTimeline(input_channel)
        self.sync = Sync()  # the MIDI clock followed or sent
        self.state = State.LISTENING
        self.history: collections.deque[np.ndarray] = collections.deque(maxlen=HISTORY)
        self.last_onset: float | None = None  # of the history's last note, in seconds
        self.opening: Opening | None = None
        self.answer: Answer | None = None
        self.answered = 0  # answers begun: each one's number seeds its random draws
        self._held_poll: float | None = None

    # ---- inputs -----------------------------------------------------------------------------

    def start(self, now: float) -> Outcome:
        out = Outcome(events=[StateChanged(now, self.state), *self._threshold(now)])
        out += self.sync.configure(self.performance, now, show=True)
        return out

    def feed(self, message: mido.Message, now: float) -> Outcome:
        """One message from the player."""
        out = Outcome()
        if self.sync.feed(message, now, self.performance):
            return Outcome(events=self.sync.shown(now, self.performance))
        if message.type == "active_sensing":
            return out
        striking = message.type == "note_on" and message.velocity > 0
        if striking and self.state is State.ANSWERING:
            out += self._interrupt(now)
        if message.type in ("note_on", "note_off"):
            out.events.append(NotePlayed(now, "player", message.note, message.velocity, striking))
        self.pedal.feed(message, now)
        phrase = self.detector.feed(message, now)
        if phrase is not None:
            out += self._answer(phrase)
        elif self.detector.hearing:
            out += self._set_state(State.HEARING, now)
            self._held_poll = now + HELD_POLL
            out += self._prepare_opening()
        if self.detector.deadline() is not None:
            out.events += self._threshold(now)
        return out

    def tick(self, now: float) -> Outcome:
        """Time has come (`wake_at`): a phrase may have ended, or an answer."""
        out = Outcome()
        answer = self.answer
        if answer is not None and answer.done_at is not None and now >= answer.done_at:
            self.answer = None
            out.events.append(AnswerEnded(now, answer.notes, False, 0))
            out += self._set_state(State.HEARING if self.detector.hearing else State.LISTENING, now)
        if self.detector.hearing:
            phrase = self.detector.poll(now)
            if phrase is not None:
                if phrase.still:
                    text = STILL_NOTICE.format(self.detector.max_still)
                    out.events.append(Notice(now, "warning", text))
                out = self._then(out, self._answer(phrase))
                if phrase.still:  # a pedal-up lost too would sustain every later phrase
                    self.pedal.reset()
                return out
            self._held_poll = now + HELD_POLL
        if not self.detector.hearing and self.state is State.HEARING:  # too short: dropped
            out += self._drop_opening()
            out += self._set_state(State.LISTENING, now)
        return out

    def decoded(self, row: np.ndarray, now: float) -> Outcome:
        """One note from the model, for the opening being prepared or the answer."""
        if self.answer is None:
            if self.opening is not None:
                self.opening.rows.append(row)
            return Outcome()
        return self._place(row)

    def decoding_ended(self, now: float) -> Outcome:
        """The model closed the answer (its length reached, on a close): no more notes."""
        if self.answer is not None and self.answer.done_at is None:
            self.answer.finish()
        return Outcome()

    def decode_failed(self, error: str, now: float) -> Outcome:
        """The model could not give a note: say so, and go back to listening."""
        if self.answer is None:  # only the opening: the answer will try again, and report
            return self._drop_opening()
        out = Outcome(events=[Notice(now, "error", f"the model failed to answer: {error}")])
        return self._then(out, self._interrupt(now))

    def note_sent(self, now: float) -> Outcome:
        """An answer note-on left: the first one of each answer reports the latency."""
        answer = self.answer
        if answer is None or answer.started:
            return Outcome()
        answer.started = True
        return Outcome(events=[AnswerStarted(now, (now - answer.phrase_end) * 1000)])

    def answer_now(self, now: float) -> Outcome:
        """End the phrase being heard at once (the UI's space key)."""
        phrase = self.detector.end(now)
        return self._answer(phrase) if phrase is not None else Outcome()

    def panic(self, now: float) -> Outcome:
        """All notes off now, and forget the phrase being heard."""
        out = self._interrupt(now)
        self.detector.reset()
        self.pedal.reset()
        out += self._drop_opening()
        out.actions.append(Silence())
        return self._then(out, self._set_state(State.LISTENING, now))

    def reconfigure(self, performance: Performance, now: float) -> Outcome:
        """New settings for the next answer; an opening decoded with the old ones is dropped."""
        self.performance = performance
        self.detector.rule = performance.phrase_end_rule
        out = self._drop_opening()
        out.events += self._threshold(now)
        out += self.sync.configure(performance, now)
        return out

    # ---- questions from the engine ---------------------------------------------------------------

    def wake_at(self) -> float | None:
        """When `tick` should run next, if at all."""
        times = []
        if self.answer is not None and self.answer.done_at is not None:
            times.append(self.answer.done_at)
        if self.detector.hearing:
            deadline = self.detector.deadline()
            times.append(deadline if deadline is not None else self._held_poll or 0.0)
        return min(times, default=None)

    def next_decode(self, now: float, next_deadline: float | None, pending: int) -> float | None:
        """When to run the model for the next note: `now`, a later time, or None (not wanted)."""
        if self.answer is not None:
            return self.answer.next_decode(now, next_deadline, pending)
        if self.opening is not None and self.state is State.HEARING:
            return self.opening.next_decode(now, next_deadline)
        return None

    # ---- decisions ---------------------------------------------------------------------------

    def _threshold(self, now: float) -> list[PhraseEndRule]:
        """The phrase-end rule and its silence now, when either changed since last shown."""
        rule = self.detector.rule.name
        shown = PhraseEndRule(now, rule, float(round(self.detector.threshold() * 1000)))
        last = self._shown_threshold
        if last is not None and (last.rule, last.silence_ms) == (rule, shown.silence_ms):
            return []
        self._shown_threshold = shown
        return [shown]

    def _prepare_opening(self) -> Outcome:
        """Once every key is up, decode the answer's opening while the silence runs out, so
        it can leave the moment the phrase ends; anything the player does starts it over."""
        pending = self.detector.pending()
        out = Outcome()
        if self.opening is not None and (pending is None or pending[0] != self.opening.key):
            out += self._drop_opening()
        if pending is None or self.opening is not None:
            return out
        key, notes = pending
        seed = np.array([*self.history, *self._phrase_rows(notes)], dtype=np.float32)
        self.opening = Opening(key)
        out.actions.append(Decode(seed, self.performance, self.answered + 1))
        return out

    def _phrase_rows(self, notes: list[Note]) -> np.ndarray:
        """The phrase as feature rows, as a file's are read (the sustain pedal applied), its
        first note after the real gap from the history's last (not a chord with it)."""
        rows = notes_to_features(self.pedal.sustained(notes))
        rows[rows[:, STEP] < TOGETHER, STEP] = 0.0  # a chord that straddled an input cycle
        if len(rows) and self.history and self.last_onset is not None:
            gap = min(note.start for note in notes) - self.last_onset
            rows[0, STEP] = min(max(gap, 0.0), MAX_SECONDS)
        return self.sync.in_tempo(rows, self.performance)

    def _drop_opening(self) -> Outcome:
        if self.opening is None:
            return Outcome()
        self.opening = None
        return Outcome(actions=[StopDecoding()])

    def _answer(self, phrase: Phrase) -> Outcome:
        now = phrase.ended_at
        out = Outcome()
        out += self._interrupt(now, announce=False)
        opening, self.opening = self.opening, None
        seconds = phrase.notes[-1].end - phrase.notes[0].start
        out.events.append(PhraseHeard(now, len(phrase.notes), seconds))
        rows = self._phrase_rows(phrase.notes)
        self.history.extend(rows)
        self.last_onset = max(note.start for note in phrase.notes)
        self.answer = Answer.after(now, self.performance, self.sync.grid(self.performance))
        self.answered += 1
        out += self._set_state(State.ANSWERING, now)
        out += self.sync.answer_begins(self.answer.start, rows, self.performance)
        if opening is not None and opening.key == phrase.key:
            for row in opening.rows:
                out += self._place(row)
        else:
            if opening is not None:
                out.actions.append(StopDecoding())
            seed = np.array(self.history, dtype=np.float32)
            out.actions.append(Decode(seed, self.performance, self.answered))
        return out

    def _place(self, row: np.ndarray) -> Outcome:
        """Put one decoded note into the answer, unless the answer is long enough."""
        answer = self.answer
        note = None if answer is None else answer.place(row)
        if note is None:
            return Outcome(actions=[StopDecoding()])
        self.last_onset = note.start
        self.history.append(np.asarray(row[:4], dtype=np.float32))
        out = Outcome(actions=[Play(note, None if answer is None else answer.tick_of(note))])
        if answer is not None and answer.done_at is not None:
            out.actions.append(StopDecoding())
        return out

    def _interrupt(self, now: float, announce: bool = True) -> Outcome:
        """Stop the answer at once: note-offs for its sounding notes, pedal up, all notes off."""
        answer, self.answer = self.answer, None
        if answer is None:
            return Outcome()
        out = Outcome(actions=[StopDecoding(), Silence()])
        if announce:
            out.events.append(AnswerEnded(now, answer.notes, True, 0))
        state = State.HEARING if self.detector.hearing else State.LISTENING
        return self._then(out, self._set_state(state, now))

    def _set_state(self, state: State, now: float) -> Outcome:
        if state is self.state:
            return Outcome()
        self.state = state
        return Outcome(events=[StateChanged(now, state)])

    @staticmethod
    def _then(first: Outcome, second: Outcome) -> Outcome:
        first += second
        return first
