"""The Textual app over the live engine: ports, state, the roll, controls, log.

The engine runs in its own thread (EngineHost); the app sends it commands and renders
its events, so a slow frame can never delay a note.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
from pathlib import Path
from typing import Any

import platformdirs
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, RichLog, Static

from musicgen_live.errors import UserError
from musicgen_live.events import (
    AnswerEnded,
    AnswerStarted,
    EngineEvent,
    NotePlayed,
    Notice,
    PhraseHeard,
    StateChanged,
    describe,
)
from musicgen_live.runtime import Sampling
from musicgen_live.tui.choice import ChoiceScreen
from musicgen_live.tui.messages import EngineUpdate
from musicgen_live.tui.screens import ErrorScreen, HelpScreen
from musicgen_live.tui.settings import Settings, save_settings
from musicgen_live.tui.widgets import PianoRoll, StatePanel, Stepper

MODELS = Path(__file__).resolve().parent.parent.parent / "models"
RECORDINGS = Path(platformdirs.user_music_dir()) / "musicgen-live"
STEPS = {  # control: (step, lowest, highest)
    "temperature": (0.05, 0.1, 2.0),
    "top_p": (0.05, 0.5, 1.0),
    "rhythm_temperature": (0.05, 0.1, 2.0),
    "dynamics_temperature": (0.05, 0.1, 2.0),
    "length": (4, 4, 256),
    "silence": (50, 100, 3000),
}


class MusicgenApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "musicgen-live"
    BINDINGS = [
        Binding("space", "answer_now", "Answer now"),
        Binding("p", "panic", "Panic"),
        Binding("r", "record", "Record"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit_clean", "Quit"),
        Binding("t", "step('temperature', -1)", "Temp −", show=False),
        Binding("T", "step('temperature', 1)", "Temp +", show=False),
        Binding("o", "step('top_p', -1)", show=False),
        Binding("O", "step('top_p', 1)", show=False),
        Binding("y", "step('rhythm_temperature', -1)", show=False),
        Binding("Y", "step('rhythm_temperature', 1)", show=False),
        Binding("d", "step('dynamics_temperature', -1)", show=False),
        Binding("D", "step('dynamics_temperature', 1)", show=False),
        Binding("l", "step('length', -1)", show=False),
        Binding("L", "step('length', 1)", show=False),
        Binding("s", "step('silence', -1)", show=False),
        Binding("S", "step('silence', 1)", show=False),
        Binding("m", "toggle_mode", "Mode", show=False),
        Binding("i", "choose('input')", "Input", show=False),
        Binding("u", "choose('output')", "Output", show=False),
        Binding("n", "choose('model')", "Model", show=False),
    ]

    def __init__(self, args: argparse.Namespace, settings: Settings, host_factory: Any) -> None:
        super().__init__()
        self.args = args
        self.settings = settings
        self.host_factory = host_factory
        self.host: Any = None
        self.recording: Path | None = None

    # ---- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="top"):
            yield StatePanel(id="state")
            yield Static("", id="ports")
        yield PianoRoll(id="roll")
        with Vertical(id="controls"):
            with Horizontal(classes="control-row"):
                yield Stepper("temperature", "pitch temp", f"{self.settings.temperature:.2f}")
                yield Stepper("top_p", "top-p", f"{self.settings.top_p:.2f}")
                yield Stepper(
                    "rhythm_temperature", "rhythm", f"{self.settings.rhythm_temperature:.2f}"
                )
                yield Stepper(
                    "dynamics_temperature", "dynamics", f"{self.settings.dynamics_temperature:.2f}"
                )
            with Horizontal(classes="control-row"):
                yield Stepper("length", "length", self.settings.length)
                yield Stepper("silence", "silence ms", str(self.settings.silence))
                yield Button(self.settings.mode, id="mode")
        with Vertical(id="log-box"):
            yield RichLog(id="log", max_lines=500, wrap=False, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        try:
            self.host = self.host_factory(self.args, self._sampling(), self._from_engine)
        except UserError as error:
            self.push_screen(ErrorScreen(str(error)))
            return
        self.query_one("#ports", Static).update("\n".join(self.host.session.describe_ports()))
        self.host.start()

    def on_unmount(self) -> None:
        if self.host is not None:
            self.host.stop()

    # ---- engine events (posted from the engine thread) --------------------------------------

    def _from_engine(self, event: EngineEvent) -> None:
        self.post_message(EngineUpdate(event))

    def on_engine_update(self, message: EngineUpdate) -> None:
        event = message.event
        state = self.query_one(StatePanel)
        roll = self.query_one(PianoRoll)
        match event:
            case NotePlayed(source=source, pitch=pitch, on=on, at=at):
                roll.note(source, pitch, on, at)
                return
            case StateChanged(state=value):
                state.state = value
                return
            case AnswerStarted(latency_ms=latency):
                state.add_latency(latency)
            case AnswerEnded(late_events=late, at=at):
                state.late_events = late
                state.refresh()
                roll.clear_open(at)
            case Notice(text=text) if text.startswith(("input:", "output:")):
                self.query_one("#ports", Static).update(
                    "\n".join(self.host.session.describe_ports())
                )
            case PhraseHeard():
                pass
        self.log_line(describe(event))

    @staticmethod
    def timestamp() -> str:
        return datetime.datetime.now().strftime("%H:%M:%S")

    def log_line(self, text: str) -> None:
        stamp = self.timestamp()
        self.query_one(RichLog).write(f"{stamp}  {text}")

    # ---- actions ---------------------------------------------------------------------------

    def action_answer_now(self) -> None:
        if self.host is not None:
            self.host.answer_now()

    def action_panic(self) -> None:
        if self.host is not None:
            self.host.panic()
            self.log_line("panic: all notes off")

    def action_record(self) -> None:
        if self.host is None:
            return
        state = self.query_one(StatePanel)
        if self.recording is None:
            self.recording = self.host.start_recording(Path(self.args.record or RECORDINGS))
            state.recording = self.recording.name
            self.log_line(f"recording to {self.recording}")
        else:
            self.host.stop_recording()
            self.log_line(f"recording saved: {self.recording}")
            self.recording, state.recording = None, ""
        state.refresh()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_quit_clean(self) -> None:
        if self.host is not None:
            self.host.stop()
            self.host = None
        save_settings(self.settings)
        self.exit(0)

    def action_step(self, control: str, direction: int) -> None:
        step, lowest, highest = STEPS[control]
        current = float(str(getattr(self.settings, control)).rstrip("s"))
        value = min(highest, max(lowest, round(current + direction * step, 2)))
        if control == "length":
            unit = "s" if self.settings.length.endswith("s") else ""
            self.settings.length = f"{int(value)}{unit}"
            shown = self.settings.length
        elif control == "silence":
            self.settings.silence = int(value)
            shown = str(int(value))
        else:
            setattr(self.settings, control, value)
            shown = f"{value:.2f}"
        self.query_one(f"#control-{control}", Stepper).show(shown)
        self._apply()

    def action_toggle_mode(self) -> None:
        self.settings.mode = (
            "continuous" if self.settings.mode == "call-response" else "call-response"
        )
        self.query_one("#mode", Button).label = self.settings.mode
        self._apply()

    def action_choose(self, kind: str) -> None:
        if self.host is None:
            return
        if kind == "model":
            options = sorted(str(p.parent) for p in MODELS.glob("*/model.json"))
        else:
            options = self.host.session.ports.names(kind)
            options += ["FluidSynth"] if kind == "output" else []
            options += [f"musicgen-live {'in' if kind == 'input' else 'out'}"]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            if kind == "model":
                try:
                    self.host.switch_model(Path(value))
                except UserError as error:
                    self.log_line(f"warning: {error}")
                    return
                self.settings.model = value
                self.log_line(f"model: {value}")
            else:
                self.host.switch_port(kind, value)
                setattr(self.settings, kind, value)
            save_settings(self.settings)

        self.push_screen(ChoiceScreen(f"Choose the {kind}", options), chosen)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "mode":
            self.action_toggle_mode()
        elif button.endswith(("-up", "-down")):
            control, direction = button.rsplit("-", 1)
            self.action_step(control, 1 if direction == "up" else -1)

    def _sampling(self) -> Sampling:
        base: Sampling = self.args.sampling
        return dataclasses.replace(
            base,
            temperature=self.settings.temperature,
            top_p=self.settings.top_p,
            rhythm_temperature=self.settings.rhythm_temperature,
            dynamics_temperature=self.settings.dynamics_temperature,
        )

    def _apply(self) -> None:
        """Controls apply to the next answer."""
        from musicgen_live.live import parse_length

        notes, seconds = parse_length(self.settings.length)
        if self.host is not None:
            self.host.reconfigure(
                sampling=self._sampling(),
                length_notes=notes,
                length_seconds=seconds,
                silence=self.settings.silence / 1000,
                mode=self.settings.mode,
            )
        save_settings(self.settings)

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Answer now", "End the phrase and answer at once", self.action_answer_now
        )
        yield SystemCommand("Panic", "All notes off", self.action_panic)
        yield SystemCommand("Record", "Start or stop recording the session", self.action_record)
        yield SystemCommand("Toggle mode", "Call-response or continuous", self.action_toggle_mode)
        yield SystemCommand(
            "Choose input", "Pick the MIDI input", lambda: self.action_choose("input")
        )
        yield SystemCommand(
            "Choose output",
            "Pick the MIDI output or FluidSynth",
            lambda: self.action_choose("output"),
        )
        yield SystemCommand(
            "Choose model", "Pick a model from models/", lambda: self.action_choose("model")
        )
        for control in STEPS:
            yield SystemCommand(
                f"{control} up", f"Raise {control}", lambda c=control: self.action_step(c, 1)
            )
            yield SystemCommand(
                f"{control} down", f"Lower {control}", lambda c=control: self.action_step(c, -1)
            )
        yield SystemCommand("Help", "Keys and what they do", self.action_help)


SAMPLING = {"temperature", "top_p", "rhythm_temperature", "dynamics_temperature"}
REMEMBERED = {"input", "output", "length", "silence", "mode", "model"} | SAMPLING


def merge_settings(args: argparse.Namespace, settings: Settings) -> argparse.Namespace:
    """Flags given on the command line win (this run only); the rest come from the settings
    the UI remembered."""
    explicit: set[str] = getattr(args, "explicit", set())
    merged = argparse.Namespace(**vars(args))
    for name in REMEMBERED - explicit:
        saved = getattr(settings, name)
        if name == "output":
            merged.output = None if saved in ("", "FluidSynth") else saved
            merged.synth = merged.synth or saved == "FluidSynth"
        elif name == "model":
            merged.model = Path(saved) if saved else args.model
        elif name == "silence":
            merged.silence = saved
        elif name not in SAMPLING:
            setattr(merged, name, saved)
    return merged


def run_app(args: argparse.Namespace, sampling: Sampling) -> int:
    from musicgen_live.host import EngineHost
    from musicgen_live.live import LiveSession
    from musicgen_live.tui.settings import load_settings

    settings = load_settings()
    merged = merge_settings(args, settings)
    merged.sampling = sampling

    def host_factory(options: argparse.Namespace, current: Sampling, on_event: Any) -> EngineHost:
        return EngineHost(LiveSession(options, current, on_event))

    return MusicgenApp(merged, settings, host_factory).run() or 0
