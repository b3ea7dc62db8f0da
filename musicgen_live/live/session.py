"""A live session built from a `LiveConfig`: the model, the ports and sinks around one engine,
the port watcher and the demo; it carries out the UI's commands and closes everything on the
way out. It lives on the engine's loop: every MIDI port is opened, listed and closed there."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mido
import platformdirs

from musicgen_live.clock import Clock
from musicgen_live.errors import UserError
from musicgen_live.live import commands as do
from musicgen_live.live import supervise
from musicgen_live.live.conductor import Conductor
from musicgen_live.live.config import DEFAULT_OUTPUT, SYNTH, LiveConfig
from musicgen_live.live.demo import Demo
from musicgen_live.live.engine import Engine
from musicgen_live.live.event_log import EventLog
from musicgen_live.live.events import (
    EngineEvent,
    Finished,
    ModelLoaded,
    PortsAvailable,
    PortsInUse,
    PortSwitched,
    Stopped,
)
from musicgen_live.live.player import Player, Sink
from musicgen_live.live.recording import SessionRecording
from musicgen_live.live.session_ports import SessionPorts
from musicgen_live.live.sound import IN_PROCESS_INPUT, SILENT_OUTPUT, in_process_notices, open_synth
from musicgen_live.ports import MidiPorts, MidiUnavailable
from musicgen_live.runtime import ModelRunner

RECORDINGS = Path(platformdirs.user_music_dir()) / "musicgen-live"
GIL_SWITCH_SECONDS = 0.0005
LIST_WAIT = 1.0  # seconds a port listing waits at most for a gap in the music


class Session:
    def __init__(
        self,
        config: LiveConfig,
        on_event: Callable[[EngineEvent], None],
        clock: Clock | None = None,
    ) -> None:
        # MIDI callbacks run on the audio system's threads and need the GIL: never let other
        # Python work (the UI, decoding) hold it for the default 5 ms.
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        self.config = config
        runner = ModelRunner.load(config.model)
        self.log = EventLog(config.events, on_event) if config.events else None
        on_event = self.log or on_event
        self.synth: Any = None
        self.demo: Demo | None = None
        self.tasks: set[asyncio.Task[None]] = set()  # the watcher, the demo, a model loading
        self.failed = False  # the session stopped on an error (reported as Failed)
        self.in_process = False  # the demo without a MIDI system: no ports at all
        conductor = Conductor(config.performance, config.trigger_cc, config.input_channel)
        player = Player([], config.output_channel)
        self.engine = Engine(runner, conductor, player, on_event, clock, config.rng_seed)
        self.engine.on_player.append(self._player_plays)
        self.recording = SessionRecording(config, self.engine.takes, self.engine.emit)
        self.ports = SessionPorts(MidiPorts(config.backend), self.engine, self._from_player)
        try:
            self._open_ports()
        except BaseException:
            self.close()
            if self.log is not None:
                self.log.close()
            raise

    # ---- ports ----------------------------------------------------------------------------------

    def _open_ports(self) -> None:
        config = self.config
        try:
            self.ports.open("input", config.input, wait="input" in config.waits_for)
        except MidiUnavailable as error:
            if not config.demo:
                raise
            self.in_process = True  # the demo always runs: it feeds the engine itself
            midi_error = str(error)
        synth_error = None
        if config.synth or config.output is None or self.in_process:
            try:
                self.synth = open_synth(config)
                self.engine.add_output(self.synth)
            except UserError as error:
                if config.synth and not self.in_process:
                    raise
                synth_error = error
        if self.in_process:
            no_sound = None if synth_error is None else str(synth_error)
            for level, text in in_process_notices(midi_error, no_sound):
                self._notice(level, text)
            return
        if config.output is not None or synth_error is not None:
            wait = "output" in config.waits_for and synth_error is None
            port = self.ports.open("output", config.output or DEFAULT_OUTPUT, wait=wait)
            if port is not None:
                self.engine.add_output(port)
        if synth_error is not None:
            self._notice(
                "info", f"no FluidSynth ({synth_error}); playing to MIDI output {DEFAULT_OUTPUT!r}"
            )

    def in_use(self) -> tuple[str, ...]:
        lines = self.ports.lines()
        if self.synth is not None:
            lines.append(f"output: FluidSynth ({self.synth.driver})")
        if self.in_process:
            lines = [IN_PROCESS_INPUT, *(lines or SILENT_OUTPUT)]
        return tuple(lines)

    async def switch_port(self, kind: str, wanted: str) -> None:
        """Replace the input, or the outputs, while running ("FluidSynth" for the synth), in
        the first gap of the music: opening a port blocks the loop for a while."""
        await self.engine.clear_of_notes()
        try:
            if kind == "output" and wanted == SYNTH:
                sink: Sink = open_synth(self.config)
            else:
                sink = self.ports.open(kind, wanted)
        except UserError as error:
            self._notice("warning", str(error))
            return
        if kind == "output":  # the old outputs fall silent, then are closed
            self.synth = sink if wanted == SYNTH else None
            self.engine.replace_outputs([sink])
            self.ports.replace(kind, sink)
        else:  # the old input's keys and pedal will never come up: forget them, as Panic does
            self.ports.replace(kind, sink)
            self.engine.panic()
        self.engine.emit(PortSwitched(self.engine.clock.now(), kind, wanted))
        self._announce()

    async def _list_ports(self, kind: str) -> None:
        """The ports a user may switch to, told in the first gap of the music: the UI builds
        its list then, and building it holds the interpreter long enough to delay a note.
        Music without such a gap (dense and legato) waits no longer than LIST_WAIT."""
        await self.engine.clear_of_notes(within=LIST_WAIT)
        try:
            names = self.ports.available(kind)
        except UserError as error:  # no MIDI system: say so, the key is not dead
            self._notice("warning", f"cannot list the {kind}s: {error}")
        else:
            self.engine.emit(PortsAvailable(self.engine.clock.now(), kind, names))

    def _from_player(self, message: mido.Message) -> None:
        self.engine.receive(message)

    def _player_plays(self, message: mido.Message) -> None:
        """On the loop, before the engine hears it: a key of the player's ends the demo."""
        if message.type == "note_on" and self.demo is not None and not self.demo.over:
            self.demo.take_over()

    # ---- running --------------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until stopped; an error on the loop is one line, never silent (`supervise`)."""
        self.failed = not await supervise.serve_reporting_errors(self.engine, self._serve())

    async def _serve(self) -> None:
        engine = self.engine
        supervise.start_task(self.tasks, self.ports.watch(), engine, "watching the ports")
        if self.config.demo:
            self.demo = Demo(engine)
            supervise.start_task(self.tasks, self.demo.run(), engine)
        self._announce()
        for line in self.in_use():
            self._notice("info", line)
        self.recording.begin()
        try:
            await engine.run()
        finally:
            await supervise.stop_tasks(self.tasks)  # the demo's keys go up: the ports are open
            self.close()
            engine.emit(Stopped(engine.clock.now()))
            try:
                await self.recording.finish()
            finally:
                engine.emit(Finished(engine.clock.now()))
                await asyncio.sleep(0)  # reported (and logged) before the log closes
                if self.log is not None:
                    self.log.close()

    def handle(self, command: do.Command) -> None:
        """Carry out one command from the UI, on the loop."""
        engine = self.engine
        match command:
            case do.AnswerNow():
                engine.answer_now()
            case do.Panic():
                engine.panic()
            case do.Reconfigure(performance=performance):
                engine.reconfigure(performance)
            case do.ListPorts(kind=kind):
                supervise.start_task(self.tasks, self._list_ports(kind), engine, "ports")
            case do.SwitchPort(kind=kind, name=name):
                supervise.start_task(self.tasks, self.switch_port(kind, name), engine, "ports")
            case do.SwitchModel(folder=folder):
                supervise.start_task(self.tasks, self.switch_model(folder), engine, "model")
            case do.StartRecording(path=path):
                self.recording.start(path or self.config.record or RECORDINGS)
            case do.StopRecording():
                self.recording.stop()
            case do.Stop():
                engine.stop()

    async def switch_model(self, folder: Path) -> None:
        loop = asyncio.get_running_loop()
        try:
            runner = await loop.run_in_executor(None, ModelRunner.load, folder)
        except Exception as error:  # noqa: BLE001 - the old model plays on
            self._notice("warning", str(error) if isinstance(error, UserError) else repr(error))
            return
        self.engine.switch_model(runner)
        self.engine.emit(ModelLoaded(self.engine.clock.now(), str(folder)))

    def _announce(self) -> None:
        self.engine.emit(PortsInUse(self.engine.clock.now(), self.in_use()))

    def _notice(self, level: str, text: str) -> None:
        self.engine.notice(level, text)

    def close(self) -> None:
        """Close ports and sound (the event log stays open for the files' last words)."""
        self.ports.close()
        if self.synth is not None:
            with contextlib.suppress(Exception):
                self.synth.close()
        self.synth = None
