"""The controls on screen, built from the controls table: a row of steppers per group
(`pitch temp − 0.90 +`), a button for a choice, their keys, their palette entries and their
lines in the help."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button

from musicgen_live.live.control_kinds import Choice, Control
from musicgen_live.live.controls import GROUPS, ROWS, in_group
from musicgen_live.live.performance import Performance
from musicgen_live.tui.widgets import Stepper

KEYED = tuple(control for control in ROWS if control.keys)
DIRECTIONS = {1: (1,), 2: (-1, 1)}  # a choice's key moves on; a stepper's go down and up


class ControlPanel(Vertical):
    """Every control that has a screen group, one row per group."""

    def __init__(self, performance: Performance) -> None:
        super().__init__(id="controls")
        self.performance = performance

    def compose(self) -> ComposeResult:
        for group in GROUPS:
            with Horizontal(classes="control-row"):
                for control in in_group(group):
                    value = self.performance.shown(control.name)
                    if isinstance(control, Choice):
                        yield Button(value, id=control.name, classes="choice")
                    else:
                        yield Stepper(control.name, control.label, value)

    def show(self, performance: Performance) -> None:
        """Show the values in force."""
        self.performance = performance
        for control in ROWS:
            if not control.group:
                continue
            value = performance.shown(control.name)
            if isinstance(control, Choice):
                self.query_one(f"#{control.name}", Button).label = value
            else:
                self.query_one(f"#control-{control.name}", Stepper).show(value)


def pressed(button: str) -> tuple[str, int] | None:
    """The control and direction a button of the panel stands for, if it is one."""
    for control in ROWS:
        if button == control.name and isinstance(control, Choice):
            return control.name, 1
        if button in (f"{control.name}-down", f"{control.name}-up"):
            return control.name, 1 if button.endswith("-up") else -1
    return None


def control_bindings() -> list[Binding]:
    """The keys of every keyed control: (down, up) step it, a choice's one key moves on."""
    return [
        Binding(key, f"step('{control.name}', {direction})", show=False)
        for control in KEYED
        for key, direction in zip(control.keys, DIRECTIONS[len(control.keys)], strict=True)
    ]


def control_commands(step: Callable[[str, int], None]) -> Iterator[SystemCommand]:
    """Palette entries: each stepper up and down, each choice's next value."""
    for control in KEYED:
        if isinstance(control, Choice):
            yield SystemCommand(
                f"{control.label}: next", control.help, lambda c=control.name: step(c, 1)
            )
            continue
        for word, direction in (("up", 1), ("down", -1)):
            yield SystemCommand(
                f"{control.label} {word}",
                control.help,
                lambda c=control.name, d=direction: step(c, d),
            )


def help_entry(control: Control) -> tuple[str, int]:
    """A control's line in the help, with its visible width."""
    keys = " / ".join(control.keys)
    what = "next" if isinstance(control, Choice) else "down / up"
    text = f"{keys:<7}{control.label} {what}"
    return f"[b]{keys}[/b]{text[len(keys) :]}", len(text)


def help_lines(width: int = 36) -> list[str]:
    """The keyed controls in two columns, the second starting at `width`."""
    entries = [help_entry(control) for control in KEYED]
    lines = []
    rights = entries[1::2] + [("", 0)] * (len(entries) % 2)
    for (left, shown), (right, _) in zip(entries[::2], rights, strict=True):
        lines.append((left + " " * max(1, width - shown) + right).rstrip())
    return lines
