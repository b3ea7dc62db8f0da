"""The Textual app over the live engine: ports, state, the roll, controls, log.

The app knows the engine only as something that takes commands and sends events
(`EngineHandle`), built by the factory `make_app` is given: the real one runs in its own
process, so a slow frame can never delay a note; tests give a fake one.
"""

from __future__ import annotations

import collections
import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, RichLog, Static

from musicgen_live.assets import model_choices, model_name
from musicgen_live.errors import UserError
from musicgen_live.live.commands import (
    AnswerNow,
    Command,
    ListPorts,
    Panic,
    Reconfigure,
    StartRecording,
    StopRecording,
    SwitchModel,
    SwitchPort,
)
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.controls import CONTROLS
from musicgen_live.live.events import EngineEvent, Failed, NotePlayed, Notice, Recording, describe
from musicgen_live.live.performance import Performance
from musicgen_live.tui import messages
from musicgen_live.tui.choice import ChoiceScreen
from musicgen_live.tui.control_panel import ControlPanel, control_bindings, pressed
from musicgen_live.tui.palette import live_commands
from musicgen_live.tui.screens import ErrorScreen, HelpScreen
from musicgen_live.tui.settings import remember
from musicgen_live.tui.widgets import PianoRoll, StatePanel

ALLOWED_WHEN_FAILED = {"help", "quit", "quit_clean", "pop_screen"}


class EngineHandle(Protocol):
    def start(self) -> None: ...
    def submit(self, command: Command) -> None: ...
    def stop(self) -> None: ...


EngineFactory = Callable[[Callable[[EngineEvent], None]], EngineHandle]


class MusicgenApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "musicgen-live"
    BINDINGS = [
        Binding("space", "answer_now", "Answer now"),
        Binding("p", "panic", "Panic"),
        Binding("r", "record", "Record"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit_clean", "Quit"),
        *control_bindings(),
        Binding("i", "choose('input')", "Input", show=False),
        Binding("u", "choose('output')", "Output", show=False),
        Binding("n", "choose('model')", "Model", show=False),
        Binding("escape", "cancel_listing", "Cancel", show=False),
    ]

    def __init__(self, config: LiveConfig, engine_factory: EngineFactory) -> None:
        super().__init__()
        self.config = config
        self.performance = config.performance  # the values in force
        self.engine_factory = engine_factory
        self.engine: EngineHandle | None = None
        self.failed = False
        self.recording: str | None = None
        self._notes: collections.deque[NotePlayed] = collections.deque()
        self._port_lines: list[str] = []
        self._clock_line = ""
        self._listing: str | None = None  # the ports asked for (i, u) and not shown yet
        self.farewell: list[str] = []  # what the engine said while the app quit (--wav)

    # ---- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="top"):
            yield StatePanel(id="state")
            yield Static("", id="ports")
        yield PianoRoll(id="roll")
        yield ControlPanel(self.performance)
        with Vertical(id="log-box"):
            yield RichLog(id="log", max_lines=500, wrap=False, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        for text in self.config.notices:  # what was wrong with the remembered settings
            self.log_line(f"warning: {text}")
        try:
            self.engine = self.engine_factory(self._from_engine)
            self.engine.start()
        except UserError as error:
            self.engine = None
            self.show_error(str(error))

    def on_unmount(self) -> None:
        self.stop_engine()

    def stop_engine(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.stop()

    def show_error(self, text: str) -> None:
        self.failed = True
        self.push_screen(ErrorScreen(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Once the engine failed, keys do nothing but help and quit."""
        return not self.failed or action in ALLOWED_WHEN_FAILED

    def submit(self, command: Command) -> None:
        if self.engine is not None and not self.failed:
            self.engine.submit(command)

    # ---- engine events (posted from the engine's thread) ------------------------------------

    def _from_engine(self, event: EngineEvent) -> None:
        if self.engine is None and isinstance(event, Notice | Recording | Failed):
            self.farewell.append(describe(event))  # while quitting: said on the terminal after
        elif isinstance(event, NotePlayed):
            self._notes.append(event)
            self.post_message(messages.NotesArrived())
        else:
            self.post_message(messages.message_for(event))

    def on_notes_arrived(self) -> None:
        roll = self.query_one(PianoRoll)
        while self._notes:
            note = self._notes.popleft()
            roll.note(note.source, note.pitch, note.on, note.at)

    def on_state_shown(self, message: messages.StateShown) -> None:
        self.query_one(StatePanel).state = message.state

    def on_clock_shown(self, message: messages.ClockShown) -> None:
        self._clock_line = f"clock: {message.line}"
        self._show_ports()

    def on_phrase_end_shown(self, message: messages.PhraseEndShown) -> None:
        self.query_one(StatePanel).show_phrase_end(message.rule, message.silence_ms)

    def on_latency_measured(self, message: messages.LatencyMeasured) -> None:
        self.query_one(StatePanel).add_latency(message.latency_ms)
        self.log_line(message.line)

    def on_answer_done(self, message: messages.AnswerDone) -> None:
        state = self.query_one(StatePanel)
        state.late_events = message.late_events
        state.refresh()
        self.query_one(PianoRoll).clear_open(message.at)
        self.log_line(message.line)

    def on_ports_shown(self, message: messages.PortsShown) -> None:
        self._port_lines = list(message.lines)
        self._show_ports()

    def _show_ports(self) -> None:
        """The ports in use, and the MIDI clock under them."""
        lines = self._port_lines + ([self._clock_line] if self._clock_line else [])
        self.query_one("#ports", Static).update("\n".join(lines))

    def on_port_choices(self, message: messages.PortChoices) -> None:
        """The list asked for, once: one cancelled (escape) meanwhile never pops up late."""
        kind = message.kind
        if kind != self._listing:
            return
        self._listing = None

        def chosen(value: str | None) -> None:
            if value is not None:
                self.submit(SwitchPort(kind, value))  # remembered once the engine switched

        self.push_screen(ChoiceScreen(f"Choose the {kind}", list(message.names)), chosen)

    def on_port_chosen(self, message: messages.PortChosen) -> None:
        remember({message.kind: message.name})

    def on_recording_shown(self, message: messages.RecordingShown) -> None:
        self.recording = message.path or None
        state = self.query_one(StatePanel)
        state.recording = Path(message.path).name if message.path else ""
        state.refresh()
        self.log_line(
            f"recording to {message.path}" if message.path else f"recording saved: {message.saved}"
        )

    def on_model_shown(self, message: messages.ModelShown) -> None:
        remember({"model": model_name(Path(message.folder))})
        self.log_line(f"model: {message.folder}")

    def on_engine_failed(self, message: messages.EngineFailed) -> None:
        self.show_error(message.text)

    def on_log_line(self, message: messages.LogLine) -> None:
        self.log_line(message.text)

    @staticmethod
    def timestamp() -> str:
        return datetime.datetime.now().strftime("%H:%M:%S")

    def log_line(self, text: str) -> None:
        self.query_one(RichLog).write(f"{self.timestamp()}  {text}")

    # ---- actions ---------------------------------------------------------------------------

    def action_answer_now(self) -> None:
        self.submit(AnswerNow())

    def action_panic(self) -> None:
        self.submit(Panic())
        self.log_line("panic: all notes off")

    def action_record(self) -> None:
        self.submit(StartRecording() if self.recording is None else StopRecording())

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_quit_clean(self) -> None:
        """Quit, all notes off first; a session that could not run ends with status 1. With
        `--wav` the log says so first: the session's render holds the screen."""
        if self.config.wav is not None and self.engine is not None and not self.failed:
            self.log_line(f"quitting: rendering the session to {self.config.wav} first")
            self.call_after_refresh(self._quit)
        else:
            self._quit()

    def _quit(self) -> None:
        self.stop_engine()
        code = 1 if self.failed else 0
        self.exit(code, return_code=code)

    def action_step(self, control: str, direction: int) -> None:
        self._apply(self.performance.stepped(control, direction), control)
        self.query_one(ControlPanel).show(self.performance)

    def action_choose(self, kind: str) -> None:
        if kind != "model":
            if self._listing != kind:  # pressed again while waiting: still one list
                self._listing = kind
                self.submit(ListPorts(kind))  # the engine answers with PortsAvailable
            return
        folders = dict(model_choices())

        def chosen(value: str | None) -> None:
            if value is not None:
                self.submit(SwitchModel(folders[value]))

        self.push_screen(ChoiceScreen("Choose the model", list(folders)), chosen)

    def action_cancel_listing(self) -> None:
        self._listing = None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        control = pressed(event.button.id or "")
        if control is not None:
            self.action_step(*control)

    def _apply(self, performance: Performance, control: str) -> None:
        """Controls apply to the next answer; the one changed is remembered."""
        if self.failed:
            return
        self.performance = performance
        self.submit(Reconfigure(performance))
        if CONTROLS[control].remembered:
            remember({CONTROLS[control].remembered: getattr(performance, control)})

    def get_system_commands(self, screen: Screen[Any]) -> Iterator[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.failed:
            return
        yield from live_commands(self)


def make_app(config: LiveConfig, engine_factory: EngineFactory) -> MusicgenApp:
    """The app over whatever engine the factory builds (a real one, or a test's fake)."""
    return MusicgenApp(config, engine_factory)
