"""Help and error screens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from musicgen_live.tui.control_panel import help_lines

ACTIONS = """\
[b]musicgen-live[/b]: play a phrase, pause, and the model answers.

[b]space[/b]  answer now (end the phrase)  [b]p[/b]      panic: all notes off
[b]r[/b]      record the session (MIDI)    [b]i / u[/b]  choose the input / output
[b]n[/b]      choose the model             [b]ctrl+p[/b] every action, by name
[b]?[/b]      this help                    [b]q[/b]      quit (all notes off first)
"""
CLOSING = """
Controls apply to the next answer and are remembered between runs.
Press escape or ? to close this help."""


def help_text() -> str:
    return "\n".join([ACTIONS, *help_lines(), CLOSING])


HINTS = {  # the first key found in the message picks the hint
    "no midi system": "`musicgen-live --demo` plays without a MIDI system; once one runs, "
    "`musicgen-live ports` lists its ports.",
    "soundfont": "Install a General MIDI soundfont (apt install timgm6mb-soundfont) or pass "
    "--soundfont FILE; or play to a MIDI output with --out NAME.",
    "port": "Run `musicgen-live ports` to see what exists, then pass --in / --out; "
    "a name that matches nothing opens a virtual port.",
    "model": "Start without --model to play the bundled model (`--model default`); a model "
    "you exported with `musicgen-live export RUN --out models/NAME` plays with --model NAME.",
    "driver": "FluidSynth needs an audio driver: on Linux PipeWire, PulseAudio or ALSA "
    "(/dev/snd), or a running JACK; on macOS CoreAudio needs nothing. Choose one with "
    "MUSICGEN_AUDIO_DRIVER, play to a MIDI output with --out NAME, or keep the session "
    "with --record DIR / --wav FILE.",
    "backend": "The MIDI system is not reachable: on Linux load the ALSA sequencer (sudo "
    "modprobe snd-seq) or start JACK (jackd -d dummy) for --backend jack; on macOS CoreMIDI "
    "needs nothing.",
}


def hint_for(message: str) -> str:
    text = message.lower()
    for key, hint in HINTS.items():
        if key in text:
            return hint
    return "See `musicgen-live --help` for the options."


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(help_text(), id="help-text")


class ErrorScreen(Screen[None]):
    """What went wrong and what to do; never a traceback."""

    BINDINGS = [Binding("q,escape", "app.quit_clean", "Quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error"):
            yield Static("[b red]musicgen-live cannot start[/b red]", id="error-title")
            yield Static(self.message, id="error-message", markup=False)
            yield Static(hint_for(self.message), id="error-hint", markup=False)
        yield Footer()
