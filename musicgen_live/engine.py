"""The live engine: hears phrases on an input, answers them note by note on its outputs.

Everything here runs on one asyncio loop. rtmidi's thread only stamps a message with the
monotonic clock and hands it over (`receive`); other threads (the UI) use `call`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import mido
import numpy as np

from musicgen_live.clock import Clock, MonotonicClock
from musicgen_live.events import (
    ANSWERING,
    HEARING,
    LISTENING,
    AnswerEnded,
    AnswerStarted,
    EngineEvent,
    NotePlayed,
    Notice,
    PhraseHeard,
    StateChanged,
)
from musicgen_live.notes import notes_to_features
from musicgen_live.phrase import Phrase, PhraseDetector
from musicgen_live.recorder import Recorder
from musicgen_live.runtime import ModelRunner, Sampling
from musicgen_live.scheduler import Scheduler, silence_messages

EARLY_WAKE = 0.002  # the loop's timers can fire a millisecond late: wake early, then wait exactly
LOOKAHEAD = 0.25  # seconds of answer decoded ahead of playback
MAX_AHEAD = 32  # and never more notes than this
CLEARANCE = 0.015  # the model runs only when no note is due sooner (a cold run takes ms)
HISTORY = 256  # notes of the player's past kept as context


@dataclass
class Opening:
    """An answer's first notes, decoded while the silence after a phrase runs out."""

    key: tuple[float, int]  # the pending phrase it answers (PhraseDetector.pending)
    notes: Iterator[np.ndarray]  # the model's continuation from there
    rows: list[np.ndarray] = field(default_factory=list)  # decoded so far


class Sink(Protocol):
    def send(self, message: mido.Message) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class EngineConfig:
    silence: float = 0.4
    min_notes: int = 1
    max_notes: int = 128
    trigger_cc: int | None = None
    input_channel: int | None = None
    output_channel: int = 0
    length_notes: int | None = 32
    length_seconds: float | None = None
    mode: str = "call-response"  # or "continuous": answer until the player plays again
    sampling: Sampling = field(default_factory=Sampling)
    rng_seed: int | None = None


class Engine:
    def __init__(
        self,
        runner: ModelRunner,
        config: EngineConfig,
        sinks: list[Sink],
        on_event: Callable[[EngineEvent], None] = lambda event: None,
        clock: Clock | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.runner = runner
        self.config = config
        self.sinks = sinks
        self.on_event = on_event
        self.clock = clock or MonotonicClock()
        self.recorder = recorder
        self.detector = self._detector(config)
        self.scheduler = Scheduler()
        self.history: collections.deque[Any] = collections.deque(maxlen=HISTORY)
        self.rng = np.random.default_rng(config.rng_seed)
        self.state = LISTENING
        self.loop: asyncio.AbstractEventLoop | None = None
        self._answer: asyncio.Task[None] | None = None
        self._opening: Opening | None = None
        self._opening_task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._phrase_timer: asyncio.TimerHandle | None = None
        self._phrase_end = 0.0
        self._first_note_pending = False
        self._answer_notes = 0
        self._stopped = asyncio.Event()
        self._reports: collections.deque[EngineEvent] = collections.deque()

    @staticmethod
    def _detector(config: EngineConfig) -> PhraseDetector:
        return PhraseDetector(
            silence=config.silence,
            min_notes=config.min_notes,
            max_notes=config.max_notes,
            trigger_cc=config.trigger_cc,
            channel=config.input_channel,
        )

    # ---- entry points from other threads -------------------------------------------------

    def receive(self, message: mido.Message) -> None:
        """rtmidi callback: stamp now, handle on the loop."""
        stamp = self.clock.now()
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.handle, message, stamp)

    def call(self, function: Callable[..., Any], *args: Any) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(function, *args)

    # ---- running ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until `stop`; whatever ends it, no note is left sounding."""
        self.loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._emit(StateChanged(self.clock.now(), self.state))
        try:
            await self._stopped.wait()
        finally:
            self.silence_all()
            if self.recorder is not None:
                self.recorder.flush()
            self._report()

    def stop(self) -> None:
        self._stopped.set()

    def reconfigure(self, **changes: Any) -> None:
        """New settings for the next answer (sampling, length, silence, mode...)."""
        self.config = replace(self.config, **changes)
        self.detector.silence = self.config.silence
        self.detector.trigger_cc = self.config.trigger_cc
        self._drop_opening()  # decoded with the old settings

    # ---- listening ----------------------------------------------------------------------------

    def handle(self, message: mido.Message, stamp: float) -> None:
        """One input message, on the loop."""
        if message.type in ("clock", "active_sensing"):
            return
        if message.type == "note_on" and message.velocity > 0 and self.state == ANSWERING:
            self.interrupt()
        if self.recorder is not None and message.type in ("note_on", "note_off", "control_change"):
            self.recorder.add("player", message, stamp)
            if message.type == "note_off" or (message.type == "note_on" and not message.velocity):
                self._flush_recording()
        if message.type in ("note_on", "note_off"):
            self._emit(
                NotePlayed(
                    stamp,
                    "player",
                    message.note,
                    message.velocity,
                    message.type == "note_on" and message.velocity > 0,
                )
            )
        phrase = self.detector.feed(message, stamp)
        if phrase is not None:
            self._answer_phrase(phrase)
        elif self.detector.hearing:
            self._set_state(HEARING)
            self._arm_phrase_timer()
            self._prepare_opening()

    def _arm_phrase_timer(self) -> None:
        assert self.loop is not None
        if self._phrase_timer is not None:
            self._phrase_timer.cancel()
        deadline = self.detector.deadline()
        # a held phrase is polled for its maximum duration; a silent one at its deadline
        when = deadline if deadline is not None else self.clock.now() + 0.1
        self._phrase_timer = self.loop.call_at(when, self._poll_phrase)

    def _poll_phrase(self) -> None:
        self._phrase_timer = None
        phrase = self.detector.poll(self.clock.now())
        if phrase is not None:
            self._answer_phrase(phrase)
        elif self.detector.hearing:
            self._arm_phrase_timer()
        else:
            self._set_state(LISTENING)

    def answer_now(self) -> None:
        """End the phrase being heard at once (the UI's space key)."""
        phrase = self.detector.end(self.clock.now())
        if phrase is not None:
            self._answer_phrase(phrase)

    # ---- preparing ----------------------------------------------------------------------------

    def _prepare_opening(self) -> None:
        """Once every key is up, decode the answer's opening while the silence runs out, so
        it can leave the moment the phrase ends; anything the player does starts it over."""
        assert self.loop is not None
        pending = self.detector.pending()
        if self._opening is not None and (pending is None or pending[0] != self._opening.key):
            self._drop_opening()
        if pending is None or self._opening is not None:
            return
        key, notes = pending
        seed = np.array([*self.history, *notes_to_features(notes)], dtype=np.float32)
        opening = Opening(key, self.runner.generate(seed, self.config.sampling, self.rng))
        self._opening = opening
        self._opening_task = self.loop.create_task(self._decode_opening(opening))

    async def _decode_opening(self, opening: Opening) -> None:
        ahead = 0.0
        while len(opening.rows) < MAX_AHEAD and ahead <= LOOKAHEAD:
            row = next(opening.notes)
            ahead += float(row[1]) if opening.rows else 0.0
            opening.rows.append(row)
            await asyncio.sleep(0)  # one note per turn: input keeps flowing

    def _drop_opening(self) -> None:
        if self._opening_task is not None:
            self._opening_task.cancel()
        self._opening = self._opening_task = None

    # ---- answering ----------------------------------------------------------------------------

    def _answer_phrase(self, phrase: Phrase) -> None:
        assert self.loop is not None
        if self._phrase_timer is not None:
            self._phrase_timer.cancel()
            self._phrase_timer = None
        opening = self._opening if self._opening and self._opening.key == phrase.key else None
        self._drop_opening()
        seconds = phrase.notes[-1].end - phrase.notes[0].start
        self._emit(PhraseHeard(phrase.ended_at, len(phrase.notes), seconds))
        self.interrupt(announce=False)
        self.history.extend(notes_to_features(phrase.notes))
        self._phrase_end = phrase.ended_at
        self._first_note_pending = True
        self._set_state(ANSWERING)
        if opening is None:
            seed = np.array(self.history)
            opening = Opening((0.0, 0), self.runner.generate(seed, self.config.sampling, self.rng))
        self._answer = self.loop.create_task(self._decode(opening))

    async def _decode(self, opening: Opening) -> None:
        """Schedule the answer, decoding it ahead of playback, then wait for it to end."""
        config = self.config
        decoded = len(opening.rows)
        notes = itertools.chain(opening.rows, opening.notes)
        start = time = self.clock.now()
        self._answer_notes = 0
        last_end = start
        while config.mode == "continuous" or self._answer_notes < (config.length_notes or 10**9):
            if self._answer_notes >= decoded:
                await self._model_turn(urgent_at=time - CLEARANCE)
            row = next(notes)
            if self._answer_notes:
                time += float(row[1])
            if config.length_seconds is not None and time - start > config.length_seconds:
                break
            end = time + float(row[2])
            self.scheduler.add_note(int(row[0]), int(row[3]), time, end, config.output_channel)
            self.history.append(np.array([row[0], row[1], row[2], row[3]], dtype=np.float32))
            last_end = max(last_end, end)
            self._answer_notes += 1
            if self._answer_notes == 1:
                self._play_due()  # the first note leaves now, before the rest is decoded
            else:
                self._arm_player()
            ahead = time - self.clock.now()
            # one note per turn of the loop: a due note never waits for a run of decoding
            await asyncio.sleep(max(0.0, ahead - LOOKAHEAD))
            while self.scheduler.pending > 2 * MAX_AHEAD:  # a run of chords: wait for room
                await asyncio.sleep(
                    max(0.001, (self.scheduler.next_deadline() or 0) - self.clock.now())
                )
        await asyncio.sleep(max(0.0, last_end - self.clock.now()) + 0.005)
        self._play_due()
        self._emit(
            AnswerEnded(self.clock.now(), self._answer_notes, False, self.scheduler.late_events)
        )
        self._answer = None
        self._set_state(HEARING if self.detector.hearing else LISTENING)

    async def _model_turn(self, urgent_at: float) -> None:
        """Wait until no note is due within CLEARANCE, so running the model never delays one;
        unless the decoded notes are running out (`urgent_at`)."""
        while self.clock.now() < urgent_at:
            deadline = self.scheduler.next_deadline()
            if deadline is None or deadline - self.clock.now() > CLEARANCE:
                return
            await asyncio.sleep(max(0.0, deadline - self.clock.now()) + 0.0005)

    def interrupt(self, announce: bool = True) -> None:
        """Stop the answer at once: note-offs for its sounding notes, pedal up, all notes off."""
        task, self._answer = self._answer, None
        if task is None:
            return
        task.cancel()
        self._send_all(self.scheduler.flush(), "model")
        self._send_all(silence_messages({self.config.output_channel}), "model")
        if announce:
            self._emit(
                AnswerEnded(self.clock.now(), self._answer_notes, True, self.scheduler.late_events)
            )
        self._set_state(HEARING if self.detector.hearing else LISTENING)

    def panic(self) -> None:
        """All notes off now (the UI's panic key), and forget the phrase being heard."""
        self.interrupt()
        self.detector.reset()
        self.silence_all()
        self._set_state(LISTENING)

    def silence_all(self) -> None:
        """Every stop path ends here: note-offs for open notes, then CC64=0 and CC123."""
        if self._answer is not None:
            self._answer.cancel()
            self._answer = None
        self._drop_opening()
        self._send_all(self.scheduler.flush(), "model")
        channels = self.scheduler.channels_used | {self.config.output_channel}
        self._send_all(silence_messages(channels), "model")

    # ---- playing ------------------------------------------------------------------------------

    def _arm_player(self) -> None:
        """Wake at the next deadline (absolute, on the loop's monotonic clock)."""
        assert self.loop is not None
        deadline = self.scheduler.next_deadline()
        if deadline is None:
            return
        if (
            self._timer is not None
            and not self._timer.cancelled()
            and self._timer.when() <= deadline
        ):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_at(deadline - EARLY_WAKE, self._play_due)

    def _play_due(self) -> None:
        self._timer = None
        deadline = self.scheduler.next_deadline()
        if deadline is not None:
            while self.clock.now() < deadline <= self.clock.now() + EARLY_WAKE:
                time.sleep(0.0001)
        for due in self.scheduler.due(self.clock.now()):
            self._send(due.message, "model", late=due.late)
        self._arm_player()

    def _send(self, message: mido.Message, source: str, late: float = 0.0) -> None:
        sent_at = self.clock.now()
        for sink in list(self.sinks):
            try:
                sink.send(message)
            except Exception as error:  # a vanished port must not stop the other sinks
                self.sinks.remove(sink)
                self._emit(Notice(sent_at, "warning", f"output lost ({error}); removed"))
        if message.type == "note_on" and message.velocity > 0 and self._first_note_pending:
            self._first_note_pending = False
            self._emit(AnswerStarted(sent_at, (sent_at - self._phrase_end) * 1000))
        if message.type in ("note_on", "note_off"):
            on = message.type == "note_on" and message.velocity > 0
            self._emit(NotePlayed(sent_at, source, message.note, message.velocity, on, late * 1000))
        if self.recorder is not None:
            self.recorder.add(source, message, sent_at)
            if message.type == "note_off":
                self._flush_recording()

    def echo(self, message: mido.Message) -> None:
        """Sound a player's message on the outputs (the demo's phrase), unrecorded."""
        for sink in list(self.sinks):
            with contextlib.suppress(Exception):
                sink.send(message)

    def _send_all(self, messages: list[mido.Message], source: str) -> None:
        for message in messages:
            self._send(message, source)

    # ---- reporting ------------------------------------------------------------------------------

    def _flush_recording(self) -> None:
        """Write the recording off the loop; report once if the disk refuses it."""
        recorder = self.recorder
        if recorder is None or self.loop is None:
            return
        was_failing = recorder.failed is not None

        def write() -> None:
            failure = recorder.flush()
            if failure is not None and not was_failing:
                self.call(self._emit, Notice(self.clock.now(), "warning", failure))

        self.loop.run_in_executor(None, write)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._emit(StateChanged(self.clock.now(), state))

    def _emit(self, event: EngineEvent) -> None:
        """Report an event once the loop is free: notes go out first, reports after, in order."""
        self._reports.append(event)
        if self.loop is None or not self.loop.is_running():
            self._report()  # not serving (starting or stopped): nothing to wait for
        elif len(self._reports) == 1:
            self.loop.call_soon(self._report)

    def _report(self) -> None:
        while self._reports:
            event = self._reports.popleft()
            with contextlib.suppress(Exception):  # a broken listener must not stop the music
                self.on_event(event)
