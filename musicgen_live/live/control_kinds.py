"""What a live control's values are: a number in a range, an answer length, a reach in
semitones, a pitch, or a choice of words; how each is read, checked, stepped, shown, and
set from a MIDI controller. The controls themselves are rows of `live/controls.py`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

Value = float | int | str | None
LIVE = frozenset({"live"})


@dataclass(frozen=True, kw_only=True)
class Control:
    """One live control. Subclasses say what its values are."""

    name: str  # the field of Performance, the palette's and the settings' own word
    label: str  # on screen, beside the value
    help: str  # one line for --help and the help screen
    default: Value
    group: str = ""  # the row of steppers it sits in ("" = none: flag, settings, keys)
    keys: tuple[str, ...] = ()  # (down, up) for a stepper, (next,) for a choice
    flag: str = ""  # the command-line option; "" = none
    remembered: str = ""  # its key in the settings file; "" = never remembered
    commands: frozenset[str] = LIVE  # the subcommands that take the flag
    bare: Value = None  # the value of the flag given without one (None: a value is needed)

    def parse(self, text: str) -> Value:
        """A value from text (a flag, a settings file); ValueError says what is allowed."""
        raise NotImplementedError

    def allowed(self) -> str:
        raise NotImplementedError

    def accepts(self, value: object) -> bool:
        """Whether a value (from a settings file or code) is one of this control's."""
        raise NotImplementedError

    def stepped(self, value: Value, direction: int) -> Value:
        """One step up (1) or down (-1), within the range."""
        raise NotImplementedError

    def from_controller(self, position: int) -> Value:
        """The value a MIDI controller (0-127) at `position` stands for."""
        raise NotImplementedError

    def shown(self, value: Value) -> str:
        return str(value)

    def rejected(self, text: str) -> ValueError:
        return ValueError(f"{text!r} is not allowed: {self.allowed()}")


@dataclass(frozen=True, kw_only=True)
class Number(Control):
    """A number in [low, high], stepped by `step`; `whole` for integers. A controller spans
    `controller` (a narrower, useful part of the range), or the whole range."""

    low: float
    high: float
    step: float
    whole: bool = False
    controller: tuple[float, float] | None = None

    def parse(self, text: str) -> Value:
        try:
            value = self.read(text)
        except ValueError:
            raise self.rejected(text) from None
        if not self.accepts(value):
            raise self.rejected(text)
        return value

    def read(self, text: str) -> float | int:
        """The number a text says; ValueError when it says none."""
        return int(text) if self.whole else float(text)

    def allowed(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        return f"must be {kind} from {self.low:g} to {self.high:g}"

    def accepts(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.whole and not float(value).is_integer():
            return False
        return math.isfinite(value) and self.low <= value <= self.high

    def clamp(self, value: float) -> float | int:
        value = min(self.high, max(self.low, value))
        return int(round(value)) if self.whole else round(value, 4)

    def stepped(self, value: Value, direction: int) -> Value:
        current = float(value) if isinstance(value, int | float) else float(str(self.default))
        return self.clamp(current + direction * self.step)

    def from_controller(self, position: int) -> Value:
        low, high = self.controller or (self.low, self.high)
        return self.clamp(low + (high - low) * min(127, max(0, position)) / 127)

    def shown(self, value: Value) -> str:
        return str(value) if self.whole else f"{float(value or 0):.2f}"


@dataclass(frozen=True, kw_only=True)
class Length(Number):
    """An answer length: a whole number of notes ("32") or of seconds ("8s"), each within
    [low, high]; stepping keeps the unit."""

    whole: bool = True

    def parse(self, text: str) -> Value:
        notes, seconds = self.split(text)
        return f"{notes}" if notes is not None else f"{seconds:g}s"

    def split(self, text: str) -> tuple[int | None, float | None]:
        """'32' -> (32, None) notes; '8s' -> (None, 8.0) seconds."""
        number = text.strip().removesuffix("s")
        try:
            value = float(number) if text.strip().endswith("s") else int(number)
        except ValueError:
            raise self.rejected(text) from None
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise self.rejected(text)
        return (value, None) if isinstance(value, int) else (None, value)

    def allowed(self) -> str:
        return (
            f"must be a whole number of notes from {self.low:g} to {self.high:g}, "
            "or of seconds such as '8s'"
        )

    def accepts(self, value: object) -> bool:
        try:
            return isinstance(value, str) and self.parse(value) == value
        except ValueError:
            return False

    def stepped(self, value: Value, direction: int) -> Value:
        notes, seconds = self.split(str(value))
        if notes is not None:
            return str(self.clamp(notes + direction * self.step))
        moved = min(self.high, max(self.low, (seconds or 0) + direction * self.step))
        return f"{moved:g}s"

    def from_controller(self, position: int) -> Value:
        return str(super().from_controller(position))


@dataclass(frozen=True, kw_only=True)
class Reach(Number):
    """Semitones, or `none_word` ("any") for no limit at all."""

    whole: bool = True
    none_word: str = "any"

    def parse(self, text: str) -> Value:
        return None if text.strip().lower() == self.none_word else super().parse(text)

    def allowed(self) -> str:
        return f"{super().allowed()}, or {self.none_word!r}"

    def accepts(self, value: object) -> bool:
        return value is None or super().accepts(value)

    def stepped(self, value: Value, direction: int) -> Value:
        if value is None:
            return None if direction > 0 else self.clamp(self.high)
        return super().stepped(value, direction)

    def shown(self, value: Value) -> str:
        return self.none_word if value is None else str(value)


PITCH_CLASSES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
NOTE_NAME = re.compile(r"([A-Ga-g])([#b]?)(-?\d+)")


def pitch_number(name: str) -> int:
    """A MIDI pitch from a note name, counting C4 = 60 (so C3 = 48, A0 = 21); ValueError if none."""
    match = NOTE_NAME.fullmatch(name.strip())
    if not match:
        raise ValueError(name)
    letter, accidental, octave = match.groups()
    shift = {"#": 1, "b": -1, "": 0}[accidental]
    return 12 * (int(octave) + 1) + PITCH_CLASSES[letter.upper()] + shift


def note_name(pitch: int) -> str:
    return f"{NAMES[pitch % 12]}{pitch // 12 - 1}"


@dataclass(frozen=True, kw_only=True)
class Pitch(Number):
    """A MIDI pitch 0-127, given as a number or a note name (C4 = 60)."""

    low: float = 0
    high: float = 127
    step: float = 1
    whole: bool = True

    def read(self, text: str) -> int:
        return int(text) if text.strip().lstrip("-").isdigit() else pitch_number(text)

    def allowed(self) -> str:
        return "must be a MIDI pitch 0-127 or a note name such as C4 (= 60), F#3 or Bb2"

    def shown(self, value: Value) -> str:
        return note_name(int(value or 0))


@dataclass(frozen=True, kw_only=True)
class Choice(Control):
    """One of a few words; its key moves to the next."""

    choices: tuple[str, ...]

    def parse(self, text: str) -> Value:
        if text not in self.choices:
            raise self.rejected(text)
        return text

    def allowed(self) -> str:
        return f"must be one of {', '.join(self.choices)}"

    def accepts(self, value: object) -> bool:
        return value in self.choices

    def stepped(self, value: Value, direction: int) -> Value:
        index = self.choices.index(str(value)) if value in self.choices else 0
        return self.choices[(index + direction) % len(self.choices)]

    def from_controller(self, position: int) -> Value:
        index = min(127, max(0, position)) * len(self.choices) // 128
        return self.choices[index]
