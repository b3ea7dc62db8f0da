"""`musicgen-live live`: builds a session (model, ports, sinks, engine) and runs it,
headless or under the UI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mido

from musicgen_live.engine import Engine, EngineConfig
from musicgen_live.errors import UserError
from musicgen_live.events import EngineEvent, Notice, describe
from musicgen_live.midi_files import notes_from_midi
from musicgen_live.ports import MidiPorts
from musicgen_live.recorder import Recorder
from musicgen_live.runtime import ModelRunner, Sampling

DEFAULT_INPUT = "musicgen-live in"
DEFAULT_OUTPUT = "musicgen-live out"
SYNTH = "FluidSynth"
DEMO_PHRASE = Path(__file__).resolve().parent.parent / "examples" / "phrase.mid"
DEMO_PAUSE = 4.0  # seconds between the end of an answer and the next demo phrase
WATCH_INTERVAL = 1.0
GIL_SWITCH_SECONDS = 0.0005


def add_live_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="input", default=DEFAULT_INPUT, help="MIDI input port")
    parser.add_argument("--out", dest="output", default=None, help="MIDI output port")
    parser.add_argument("--backend", choices=("alsa", "jack", "coremidi"), default=None)
    parser.add_argument("--synth", action="store_true", help="play through FluidSynth")
    parser.add_argument("--soundfont", default=None)
    parser.add_argument("--audio-driver", default=None, help="FluidSynth audio driver")
    parser.add_argument("--length", default="32", help="answer length: notes, or seconds as '8s'")
    parser.add_argument("--silence", type=int, default=400, help="ms of silence that ends a phrase")
    parser.add_argument(
        "--trigger-cc", type=int, default=None, help="controller that ends a phrase"
    )
    parser.add_argument(
        "--channel", type=int, default=None, help="input channel 1-16 (default all)"
    )
    parser.add_argument("--mode", choices=("call-response", "continuous"), default="call-response")
    parser.add_argument("--record", type=Path, default=None, help="folder to record sessions into")
    parser.add_argument("--demo", action="store_true", help="play a phrase from examples/")
    parser.add_argument("--headless", action="store_true", help="no UI: one log line per event")
    parser.add_argument("--json", action="store_true", help="with --headless: JSON lines")
    parser.add_argument("--rng-seed", type=int, default=None)


def parse_length(text: str) -> tuple[int | None, float | None]:
    """'32' -> 32 notes; '8s' -> 8 seconds."""
    try:
        if text.endswith("s"):
            return None, float(text[:-1])
        return int(text), None
    except ValueError:
        raise UserError(
            f"--length must be a number of notes or seconds like '8s', not {text!r}"
        ) from None


def engine_config(args: argparse.Namespace, sampling: Sampling) -> EngineConfig:
    notes, seconds = parse_length(args.length)
    if args.channel is not None and not 1 <= args.channel <= 16:
        raise UserError("--channel must be between 1 and 16")
    return EngineConfig(
        silence=args.silence / 1000,
        trigger_cc=args.trigger_cc,
        input_channel=None if args.channel is None else args.channel - 1,
        length_notes=notes,
        length_seconds=seconds,
        mode=args.mode,
        sampling=sampling,
        rng_seed=args.rng_seed,
    )


@dataclass
class WatchedPort:
    """A port the session opened, watched so a vanished device is reported and re-opened."""

    kind: str
    wanted: str
    port: Any
    virtual: bool
    lost: bool = False


class LiveSession:
    """Owns the ports and sinks around one engine, and closes them on the way out."""

    def __init__(
        self, args: argparse.Namespace, sampling: Sampling, on_event: Callable[[EngineEvent], None]
    ):
        # MIDI callbacks run on the audio system's threads and need the GIL: never let other
        # Python work (the UI, decoding) hold it for the default 5 ms.
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        self.args = args
        self.on_event = on_event
        runner = ModelRunner.load(args.model)
        self.ports = MidiPorts(args.backend)
        self.watched: list[WatchedPort] = []
        self.user_played = False
        recorder = Recorder(args.record, started=0.0) if args.record else None
        self.engine = Engine(runner, engine_config(args, sampling), [], on_event, recorder=recorder)
        if recorder is not None:
            recorder.started = self.engine.clock.now()
        try:
            self._open_ports()
        except BaseException:
            self.close()
            raise
        # Everything loaded so far lives for the session: keep it out of the collector's
        # full passes, which would otherwise stall the music for tens of milliseconds.
        gc.collect()
        gc.freeze()

    def _open_ports(self) -> None:
        port, virtual = self.ports.open("input", self.args.input)
        port.callback = self._from_player
        self.watched.append(WatchedPort("input", self.args.input, port, virtual))
        synth_error = None
        if self.args.synth or self.args.output is None:
            try:
                self.engine.sinks.append(self._synth())
            except UserError as error:
                if self.args.synth:
                    raise
                synth_error = error
        if self.args.output is not None or synth_error is not None:
            port, virtual = self.ports.open("output", self.args.output or DEFAULT_OUTPUT)
            self.engine.sinks.append(port)
            self.watched.append(
                WatchedPort("output", self.args.output or DEFAULT_OUTPUT, port, virtual)
            )
        if synth_error is not None:
            self._notice(
                "info", f"no FluidSynth ({synth_error}); playing to MIDI output {DEFAULT_OUTPUT!r}"
            )

    def _synth(self) -> Any:
        from musicgen_live.synth import SynthSink, find_soundfont

        return SynthSink(find_soundfont(self.args.soundfont), self.args.audio_driver)

    def _from_player(self, message: mido.Message) -> None:
        if message.type == "note_on":
            self.user_played = True
        self.engine.receive(message)

    def _notice(self, level: str, text: str) -> None:
        self.on_event(Notice(self.engine.clock.now(), level, text))

    def describe_ports(self) -> list[str]:
        lines = [
            f"{w.kind}: {w.wanted} (virtual)" if w.virtual else f"{w.kind}: {w.port.name}"
            for w in self.watched
        ]
        return lines + [
            f"output: FluidSynth ({s.driver})" for s in self.engine.sinks if hasattr(s, "driver")
        ]

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._watch_ports())]
        if self.args.demo:
            tasks.append(asyncio.create_task(self._demo()))
        for line in self.describe_ports():
            self._notice("info", line)
        try:
            await self.engine.run()
        finally:
            for task in tasks:
                task.cancel()
            self.close()

    def close(self) -> None:
        for watched in self.watched:
            with contextlib.suppress(Exception):
                watched.port.close()
        for sink in self.engine.sinks:
            if not isinstance(sink, mido.ports.BasePort):
                with contextlib.suppress(Exception):
                    sink.close()

    async def _watch_ports(self) -> None:
        """Report a device that disappears, and open it again when it comes back."""
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            for watched in self.watched:
                if watched.virtual:
                    continue
                with contextlib.suppress(UserError):
                    present = watched.port.name in self.ports.names(watched.kind)
                    if not present and not watched.lost:
                        watched.lost = True
                        self._drop(watched)
                        self._notice("warning", f"{watched.kind} port {watched.port.name!r} lost")
                    elif present and watched.lost:
                        self._reopen(watched)

    def switch_port(self, kind: str, wanted: str) -> None:
        """Replace the input, or the MIDI output, while running ("FluidSynth" for the synth)."""
        try:
            if kind == "output" and wanted == SYNTH:
                self._replace_outputs(self._synth())
                return
            port, virtual = self.ports.open(kind, wanted)
        except UserError as error:
            self._notice("warning", str(error))
            return
        if kind == "input":
            port.callback = self._from_player
            for old in [w for w in self.watched if w.kind == "input"]:
                self._forget(old)
        else:
            self._replace_outputs(port)
        self.watched.append(WatchedPort(kind, wanted, port, virtual))
        self._notice("info", f"{kind}: {port.name}{' (virtual)' if virtual else ''}")

    def _replace_outputs(self, sink: Any) -> None:
        self.engine.silence_all()  # nothing left sounding on the outputs being replaced
        for old in [w for w in self.watched if w.kind == "output"]:
            self._forget(old)
        for sink in self.engine.sinks:
            with contextlib.suppress(Exception):
                sink.close()
        self.engine.sinks[:] = [sink]

    def _forget(self, watched: WatchedPort) -> None:
        self.watched.remove(watched)
        self._drop(watched)

    def _drop(self, watched: WatchedPort) -> None:
        if watched.port in self.engine.sinks:
            self.engine.sinks.remove(watched.port)
        with contextlib.suppress(Exception):
            watched.port.close()

    def _reopen(self, watched: WatchedPort) -> None:
        port, _ = self.ports.open(watched.kind, watched.wanted)
        if watched.kind == "input":
            port.callback = self._from_player
        else:
            self.engine.sinks.append(port)
        watched.port, watched.lost = port, False
        self._notice("info", f"{watched.kind} port {port.name!r} is back")

    async def _demo(self) -> None:
        """Play the example phrase into the engine (and out loud) until the user plays."""
        notes = notes_from_midi(DEMO_PHRASE)
        events = sorted(
            [(n.start, mido.Message("note_on", note=n.pitch, velocity=n.velocity)) for n in notes]
            + [(n.end, mido.Message("note_off", note=n.pitch)) for n in notes],
            key=lambda event: (event[0], event[1].type == "note_on"),
        )
        self._notice("info", "demo: playing the example phrase; play anything to take over")
        while not self.user_played:
            if self.engine.state == "listening":
                start = self.engine.clock.now()
                for at, message in events:
                    await asyncio.sleep(max(0.0, start + at - self.engine.clock.now()))
                    if self.user_played:
                        return
                    self.engine.echo(message)
                    self.engine.handle(message, self.engine.clock.now())
            await asyncio.sleep(DEMO_PAUSE)


def print_events(as_json: bool) -> Callable[[EngineEvent], None]:
    def show(event: EngineEvent) -> None:
        if as_json:
            line = json.dumps(
                {k: round(v, 4) if isinstance(v, float) else v for k, v in event.fields().items()}
            )
        else:
            line = f"{event.at:12.3f}  {describe(event)}"
        print(line, flush=True)

    return show


async def run_headless(args: argparse.Namespace, sampling: Sampling) -> int:
    session = LiveSession(args, sampling, print_events(args.json))
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, session.engine.stop)
    await session.run()
    return 0


def run_live(args: argparse.Namespace, sampling: Sampling) -> int:
    if args.headless:
        code = asyncio.run(run_headless(args, sampling))
        # Every note is off and every port closed by now. Leave without interpreter
        # finalization, which rtmidi's own threads can still race into.
        sys.stdout.flush()
        os._exit(code)
    if not sys.stdout.isatty():
        raise UserError("the live UI needs a terminal; use --headless for scripts")
    from musicgen_live.tui.app import run_app

    return run_app(args, sampling)
