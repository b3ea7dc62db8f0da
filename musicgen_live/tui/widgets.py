"""The app's widgets: state, the live piano roll, and the controls."""

from __future__ import annotations

import collections
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from musicgen_live.live.events import State

COLOURS = {"player": "#4fa3ff", "model": "#ff9f43"}
CELL_STYLES = {  # a cell of the roll: empty, the player's, the model's, or both (the model's)
    0: RichStyle(color="#333333"),
    1: RichStyle(color=COLOURS["player"]),
    2: RichStyle(color=COLOURS["model"]),
    3: RichStyle(color=COLOURS["model"]),
}
STATE_STYLES = {
    State.LISTENING: ("LISTENING", "bold green"),
    State.HEARING: ("HEARING A PHRASE", "bold #4fa3ff"),
    State.ANSWERING: ("ANSWERING", "bold #ff9f43"),
}


@dataclass
class RollNote:
    source: str
    pitch: int
    start: float
    end: float | None = None


class PianoRoll(Widget):
    """The player's notes and the answers scrolling right to left, in two colours.

    It redraws only when something changed: a note came or went, or notes on screen moved
    by a column. An idle roll costs nothing."""

    SECONDS_PER_COLUMN = 0.1

    def __init__(self, now: Callable[[], float] = time.monotonic, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.notes: collections.deque[RollNote] = collections.deque(maxlen=2000)
        self._open: dict[tuple[str, int], RollNote] = {}
        self.now = now
        self.draws = 0
        self._changed = True
        self._last_end = float("-inf")  # the latest end of a closed note
        self._frame: list[Strip] | None = None  # the lines drawn, until something changes
        self._frame_width = 0

    def on_mount(self) -> None:
        self.set_interval(self.SECONDS_PER_COLUMN, self.scroll_on)

    def scroll_on(self) -> None:
        """Redraw if anything changed or anything on screen has moved on."""
        shown_from = self.now() - max(8, self.size.width) * self.SECONDS_PER_COLUMN
        if self._changed or self._open or self._last_end >= shown_from:
            self._changed = False
            self._frame = None
            self.refresh()

    def note(self, source: str, pitch: int, on: bool, at: float) -> None:
        key = (source, pitch)
        if on:
            if key in self._open:
                self._close(self._open[key], at)
            self._open[key] = RollNote(source, pitch, at)
            self.notes.append(self._open[key])
        elif key in self._open:
            self._close(self._open.pop(key), at)
        self._changed = True

    def clear_open(self, at: float) -> None:
        for note in self._open.values():
            self._close(note, at)
        self._open.clear()
        self._changed = True

    def _close(self, note: RollNote, at: float) -> None:
        note.end = at
        self._last_end = max(self._last_end, at)

    def render_line(self, y: int) -> Strip:
        """One line of the frame, drawn once per change (Textual's line API: a frame is a
        few segments a row, not a text of thousands of cells to restyle, which took 30 ms
        of a core a frame)."""
        width, height = self.size
        if self._frame is None or len(self._frame) != height or self._frame_width != width:
            self._frame, self._frame_width = self.frame(), width
        return self._frame[y] if 0 <= y < len(self._frame) else Strip.blank(width)

    def frame(self) -> list[Strip]:
        """The roll as it is now, a strip a row."""
        self.draws += 1
        width, height = max(8, self.size.width), max(3, self.size.height)
        end = self.now()
        start = end - width * self.SECONDS_PER_COLUMN
        visible = [n for n in self.notes if (n.end or end) >= start]
        low, high = self._pitch_range(visible, height)
        rows_per_pitch = (high - low + 1) / height
        grid = np.zeros((height, width), dtype=np.int8)  # 0 empty, 1 player, 2 model, 3 both
        for note in visible:
            row = height - 1 - min(height - 1, int((note.pitch - low) / rows_per_pitch))
            first = max(0, int((note.start - start) / self.SECONDS_PER_COLUMN))
            last = min(width, int(((note.end or end) - start) / self.SECONDS_PER_COLUMN) + 1)
            grid[row, first:last] |= 1 if note.source == "player" else 2
        base = self.rich_style  # the widget's own colours under the cells'
        styles = {value: base + style for value, style in CELL_STYLES.items()}
        strips = []
        for r in range(min(height, self.size.height)):
            row = grid[r]
            bounds = [0, *(np.flatnonzero(np.diff(row)) + 1).tolist(), width]  # runs of like cells
            segments = []
            for first, last in itertools.pairwise(bounds):
                value = int(row[first])
                if value == 0:
                    cells = ("·" if r % 4 == 3 else " ") * (last - first)
                else:
                    cells = "█" * (last - first)
                segments.append(Segment(cells, styles[value]))
            strips.append(Strip(segments, width).crop(0, self.size.width))
        return strips

    @staticmethod
    def _pitch_range(notes: list[RollNote], height: int) -> tuple[int, int]:
        if not notes:
            return 48, 84
        pitches = [n.pitch for n in notes]
        low, high = min(pitches) - 2, max(pitches) + 2
        if high - low + 1 < height:
            middle = (low + high) // 2
            low, high = middle - height // 2, middle - height // 2 + height - 1
        return max(0, low), min(127, high)


class StatePanel(Static):
    """Listening / hearing / answering, the response latency, late events, recording, and
    the rule that ends a phrase with the silence it waits for now."""

    state: reactive[State] = reactive(State.LISTENING)
    latencies: list[float]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.latencies = []
        self.late_events = 0
        self.recording = ""
        self.phrase_end = ""

    def show_phrase_end(self, rule: str, silence_ms: float) -> None:
        self.phrase_end = f"phrase end {rule} {silence_ms:.0f} ms"
        self.refresh()

    def add_latency(self, milliseconds: float) -> None:
        self.latencies = (self.latencies + [milliseconds])[-200:]
        self.refresh()

    def render(self) -> Text:
        label, style = STATE_STYLES.get(self.state, (self.state.upper(), "bold"))
        text = Text()
        text.append(f"● {label}\n", style=style)
        if self.latencies:
            p95 = float(np.percentile(self.latencies, 95))
            text.append(f"latency {self.latencies[-1]:.1f} ms  p95 {p95:.1f} ms\n")
        else:
            text.append("latency -\n")
        text.append(f"late events {self.late_events}\n")
        text.append(
            f"● REC {self.recording}" if self.recording else "not recording",
            style="red" if self.recording else "dim",
        )
        if self.phrase_end:
            text.append(f"\n{self.phrase_end}", style="dim")
        return text

    def watch_state(self, state: State) -> None:
        self.refresh()


class Stepper(Horizontal):
    """A value with − and + buttons (and keys bound by the app)."""

    def __init__(self, name: str, title: str, value: str) -> None:
        super().__init__(id=f"control-{name}", classes="stepper")
        self.control = name
        self.title = title
        self.value = value

    def compose(self) -> ComposeResult:
        yield Label(self.title, classes="stepper-title")
        yield Button("−", id=f"{self.control}-down", classes="step")
        yield Label(self.value, id=f"{self.control}-value", classes="stepper-value")
        yield Button("+", id=f"{self.control}-up", classes="step")

    def show(self, value: str) -> None:
        self.value = value
        self.query_one(f"#{self.control}-value", Label).update(value)
