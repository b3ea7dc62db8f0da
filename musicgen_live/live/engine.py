"""The engine: a thin asyncio shell around the conductor and the player.

Everything here runs on one loop. A MIDI input's thread only stamps a message and hands it
over (`receive`); the conductor decides, the engine carries out: it runs the model when the
conductor says, plays notes at their deadlines, and reports events once the notes are out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import mido
import numpy as np

# numpy loads these on first use: on the loop, at the first phrase end, that took 50 ms
import numpy.ma  # noqa: F401
import numpy.random  # noqa: F401

from musicgen_live.clock import Alarm, Clock, MonotonicClock
from musicgen_live.live.actions import Decode, Outcome, Play, Send, Silence, StopDecoding
from musicgen_live.live.collector import Collector
from musicgen_live.live.conductor import Conductor
from musicgen_live.live.decoder import Decoder
from musicgen_live.live.echoes import Echoes
from musicgen_live.live.events import (
    EngineEvent,
    Failed,
    NotePlayed,
    State,
    StateChanged,
)
from musicgen_live.live.performance import Performance
from musicgen_live.live.player import Player, Sent, Sink
from musicgen_live.live.recording import Takes
from musicgen_live.live.reports import Reports
from musicgen_live.runtime import ModelRunner

RECORDED = ("note_on", "note_off", "control_change")
LOOP_WARNING = (
    "MIDI loop: what musicgen-live plays comes back on its input (a DAW's MIDI thru, or the "
    "output routed into the input); ignoring it"
)
PORT_MARGIN = 0.05  # seconds of silence ahead that opening or closing a port needs


class Engine:
    def __init__(
        self,
        runner: ModelRunner,
        conductor: Conductor,
        player: Player,
        on_event: Callable[[EngineEvent], None] = lambda event: None,
        clock: Clock | None = None,
        rng_seed: int | None = None,
    ) -> None:
        self.runner = runner
        self.conductor = conductor
        self.player = player
        self.clock: Clock = clock or MonotonicClock()
        self.rng_seed = rng_seed  # None: every answer draws afresh
        self.reports = Reports(self.clock, on_event, lambda: player.late_events)
        self.echoes = Echoes()
        self.on_player: list[Callable[[mido.Message], None]] = []  # told of each message first
        self.takes = Takes(self.clock, lambda text: self.notice("warning", text))
        self.collector = Collector(
            self.clock, lambda: bool(player.pending), lambda: conductor.state is State.LISTENING
        )
        self.loop: asyncio.AbstractEventLoop | None = None
        self.decoder = Decoder(
            self.clock,
            lambda now: conductor.next_decode(now, self._next_deadline(), player.pending),
            lambda row: self._apply(self.conductor.decoded(row, self.clock.now())),
            lambda error, now: self._apply(self.conductor.decode_failed(error, now)),
            self.crashed,
            lambda now: self._apply(self.conductor.decoding_ended(now)),
        )
        self._wake = Alarm(self.clock, self._tick)  # when the conductor wants to look again
        self._deadline = Alarm(self.clock, self._play_due, exact=True)  # the next note due
        self._stopped = asyncio.Event()

    # ---- running ----------------------------------------------------------------------------

    def receive(self, message: mido.Message) -> None:
        """From a MIDI input's thread: stamp it, handle on the loop. An input that knows when
        the message came (`PolledInput`: `time` on the monotonic clock, at most a few ms
        ahead: `Arrivals`) gives its own time; any other is stamped now."""
        stamp = self.clock.now()
        if message.time > 0:
            stamp -= time.monotonic() - message.time
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._arrived, message, stamp)

    def _arrived(self, message: mido.Message, stamp: float) -> None:
        """A message from the input, on the loop: the engine's own output coming back (a MIDI
        loop) is set aside; the player's is heard, after `on_player` (the demo giving way)."""
        if self.echoes.is_echo(message, stamp):
            if self.echoes.heard == 1:
                self.notice("warning", LOOP_WARNING)
            return
        for listener in self.on_player:
            listener(message)
        self.handle(message, stamp)

    async def run(self) -> None:
        """Serve until `stop`; whatever ends it, no note is left sounding."""
        self.loop = self.reports.loop = asyncio.get_running_loop()
        decoder = asyncio.create_task(self.decoder.run())
        decoder.add_done_callback(self._decoder_ended)
        self.collector.start()
        try:
            self._apply(self.conductor.start(self.clock.now()))
            await self._stopped.wait()
        finally:
            self.collector.stop()
            decoder.cancel()
            self._wake.cancel()
            self._deadline.cancel()
            self._sent(self.player.silence(self.clock.now()))
            self.player.send_now(self.conductor.sync.stop(), self.clock.now())
            self.takes.close()
            self.reports.flush()

    def stop(self) -> None:
        self._stopped.set()

    def crashed(self, error: BaseException) -> None:
        """Something on the loop failed: one line for the user, every note silenced, and the
        engine listens on (or, if even that fails, stops)."""
        now = self.clock.now()
        self.notice("error", f"{type(error).__name__}: {error}")
        self.decoder.stop()
        try:
            self.panic()
        except Exception as again:  # noqa: BLE001 - the conductor is broken: stop, silenced
            self.emit(Failed(now, f"{type(again).__name__}: {again}"))
            self.stop()

    def _decoder_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.emit(Failed(self.clock.now(), f"the model stopped: {task.exception()}"))
            self.stop()

    # ---- what the player and the UI do --------------------------------------------------------

    def handle(self, message: mido.Message, stamp: float) -> None:
        """One input message, on the loop (a note-on delivered twice is heard once)."""
        if self.conductor.detector.repeated(message, stamp):
            return
        if message.type in RECORDED:
            self.takes.add("player", message, stamp)
            if message.type == "note_off" or (message.type == "note_on" and not message.velocity):
                self.takes.note_ended()
        self._apply(self.conductor.feed(message, stamp))
        if message.type == "clock":
            self._follow_clock()

    def _follow_clock(self) -> None:
        """Notes placed on the clock's grid move with it, as each tick refines where the
        grid lies (placed long before they are due, they would drift off it)."""
        time_of = self.conductor.sync.time_of(self.conductor.performance)
        if time_of is not None and self.player.retime(time_of):
            self._deadline.set(self._next_deadline())
        self._keep_beats()

    def _keep_beats(self) -> None:
        """The clock's beats go to the recordings: they are written on its grid."""
        performance = self.conductor.performance
        for at, number in self.conductor.sync.take_beats(performance):
            self.takes.beat(at, number, performance.beats_per_bar)

    def answer_now(self) -> None:
        self._apply(self.conductor.answer_now(self.clock.now()))

    def panic(self) -> None:
        self._apply(self.conductor.panic(self.clock.now()))

    def reconfigure(self, performance: Performance) -> None:
        self._apply(self.conductor.reconfigure(performance, self.clock.now()))

    def echo(self, message: mido.Message) -> None:
        """Sound a message of the player's on the outputs (the demo's phrase)."""
        self.player.echo(message)
        self.echoes.remember(message, self.clock.now())

    def add_output(self, sink: Sink) -> None:
        """Play to `sink` too, from the next note on."""
        self.player.sinks.append(sink)

    def replace_outputs(self, sinks: list[Sink]) -> None:
        """Play to `sinks` from now on; the old outputs fall silent first and are closed."""
        self._sent(self.player.replace_sinks(sinks, self.clock.now()))

    async def clear_of_notes(
        self, margin: float = PORT_MARGIN, within: float | None = None
    ) -> None:
        """Return once no note is due within `margin` s (or after `within` s): work that
        blocks the loop for tens of ms (opening a MIDI port) waits for a gap in the music."""
        give_up = None if within is None else self.clock.now() + within
        while True:
            now = self.clock.now()
            if give_up is not None and now >= give_up:
                return
            due = self.player.next_deadline()
            answer = self.conductor.answer
            if answer is not None and answer.done_at is None:  # notes still to be decoded
                due = min(due or answer.time, answer.time)
            if due is None or due - now > margin:
                return
            await self.clock.sleep_until(max(due + 0.001, now + 0.005))

    def switch_model(self, runner: ModelRunner) -> None:
        """Answer with another model from the next answer on."""
        self.runner = runner

    # ---- carrying out the conductor's decisions ----------------------------------------------

    def _apply(self, outcome: Outcome) -> None:
        now = self.clock.now()
        played = False
        for action in outcome.actions:
            match action:
                case Play(note=note, tick=tick):
                    self.player.add(note.pitch, note.velocity, note.start, note.end, tick)
                    played = True
                case Silence():
                    self._sent(self.player.silence(now))
                case Decode(seed=seed, performance=performance, answer=number):
                    rng = np.random.default_rng(
                        None if self.rng_seed is None else (self.rng_seed, number)
                    )
                    stream = self.runner.generate(
                        seed, performance.sampling(), rng, performance.target_notes
                    )
                    self.decoder.start(stream)
                case StopDecoding():
                    self.decoder.stop()
                case Send(messages=messages):
                    self.player.send_now(messages, now)
        for event in outcome.events:  # queued only: reported once the loop is free
            self.emit(event)
            if isinstance(event, StateChanged) and event.state is State.LISTENING and self.loop:
                self.loop.call_soon(self.collector.listening_again)
        if played or self.conductor.sync.sender is not None:
            self._play_due()  # a note due now (an answer's first) leaves at once
        self._wake.set(self.conductor.wake_at())
        self.decoder.wake()

    def _tick(self) -> None:
        self._play_due()  # the last note-offs of an answer go before it is reported ended
        self._apply(self.conductor.tick(self.clock.now()))

    def _play_due(self) -> None:
        """Send what is due (MIDI clock ticks first), then wake exactly at the next deadline
        (one timer at a time)."""
        now = self.clock.now()
        self.player.send_now(self.conductor.sync.ticks(now), now)
        self._sent(self.player.play_due(now))
        self._deadline.set(self._next_deadline())
        self._keep_beats()

    def _next_deadline(self) -> float | None:
        """The next message due: a note's, or the MIDI clock's next tick (the model runs
        only when neither is due soon)."""
        sender = self.conductor.sync.sender
        due = [self.player.next_deadline(), None if sender is None else sender.next_at]
        return min((t for t in due if t is not None), default=None)

    def _sent(self, sent: list[Sent]) -> None:
        """Report and record what left."""
        for item in sent:
            message = item.message
            if message.type == "note_on" and message.velocity > 0:
                self._apply_events(self.conductor.note_sent(item.at))
            if message.type in ("note_on", "note_off"):
                on = message.type == "note_on" and message.velocity > 0
                self.emit(
                    NotePlayed(
                        item.at, "model", message.note, message.velocity, on, item.late * 1000
                    )
                )
            self.takes.add("model", message, item.at)
            self.echoes.remember(message, item.at)
        if any(i.message.type == "note_off" for i in sent):
            self.takes.note_ended()
        while self.player.lost:
            self.notice("warning", self.player.lost.pop(0))

    def _apply_events(self, outcome: Outcome) -> None:
        for event in outcome.events:
            self.emit(event)

    # ---- reporting ----------------------------------------------------------------------------

    def emit(self, event: EngineEvent) -> None:
        self.reports.emit(event)

    def notice(self, level: str, text: str) -> None:
        self.reports.notice(level, text)
