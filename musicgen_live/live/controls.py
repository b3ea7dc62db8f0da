"""The live controls, each defined once: one row per control with its default, range, step,
keys, screen group, label, command-line flag, help, remembered name and the span a MIDI
controller maps to. The flags, the remembered settings, `Performance`, the UI's steppers,
key bindings, palette and help screen are all built from `CONTROLS`.

A row's range is the flag's range everywhere: a flag outside it is refused, a remembered
value outside it is set aside, and keys and controllers clamp to it. Adding a control is
one row here plus its use.
"""

from __future__ import annotations

from collections.abc import Iterable

from musicgen_live import midi_clock, sampling
from musicgen_live.live.control_kinds import (
    Choice,
    Control,
    Length,
    Number,
    Pitch,
    Reach,
    Value,
)

SAMPLED = frozenset({"live", "generate", "eval"})  # the commands that draw answers


def _temperature(name: str, label: str, what: str, default: float, keys: str) -> Number:
    return Number(
        name=name,
        label=label,
        help=f"temperature of {what}: lower plays safer, higher bolder",
        default=default,
        low=0.05,
        high=5.0,
        step=0.05,
        controller=(0.1, 2.0),
        group="sampling",
        keys=(keys[0], keys[1]),
        flag=f"--{name.replace('_', '-')}",
        remembered=name,
        commands=SAMPLED,
    )


def _silence_bound(name: str, end: str, what: str, default: int) -> Number:
    return Number(
        name=name,
        label=f"silence {end} ms",
        help=f"the {what} silence the adaptive phrase end waits for, in ms",
        default=default,
        low=10,
        high=60_000,
        step=10,
        whole=True,
        flag=f"--silence-{end}",
        remembered=f"silence_{end}",
    )


ROWS: tuple[Control, ...] = (
    _temperature("temperature", "pitch temp", "pitch", sampling.TEMPERATURE, "tT"),
    Number(
        name="top_p",
        label="top-p",
        help="pitch nucleus: the most likely pitches that together hold this much probability",
        default=sampling.TOP_P,
        low=0.05,
        high=1.0,
        step=0.05,
        group="sampling",
        keys=("o", "O"),
        flag="--top-p",
        remembered="top_p",
        commands=SAMPLED,
    ),
    _temperature(
        "rhythm_temperature", "rhythm", "step and duration", sampling.RHYTHM_TEMPERATURE, "yY"
    ),
    _temperature(
        "dynamics_temperature", "dynamics", "velocity", sampling.DYNAMICS_TEMPERATURE, "dD"
    ),
    Length(
        name="length",
        label="length",
        help="answer length: a target in notes (the answer closes on the phrase's tonic within "
        "8 notes past it), or seconds as '8s'",
        default="32",
        low=1,
        high=10_000,
        step=4,
        controller=(4, 256),
        group="answer",
        keys=("l", "L"),
        flag="--length",
        remembered="length",
    ),
    Number(
        name="silence_ms",
        label="silence ms",
        help="silence that ends a phrase under the fixed phrase end, in ms",
        default=400,
        low=10,
        high=60_000,
        step=50,
        whole=True,
        controller=(50, 3000),
        group="answer",
        keys=("s", "S"),
        flag="--silence",
        remembered="silence",
    ),
    Choice(
        name="phrase_end",
        label="phrase end",
        help="what ends a phrase: a silence that follows your playing (adaptive), or always "
        "--silence (fixed; an explicit --silence chooses it unless --phrase-end is given)",
        default="adaptive",
        choices=("adaptive", "fixed"),
        keys=("e",),  # shown in the state panel, with the silence it waits for
        flag="--phrase-end",
        remembered="phrase_end",
    ),
    _silence_bound("silence_min_ms", "min", "shortest", 60),
    _silence_bound("silence_max_ms", "max", "longest", 1500),
    Choice(
        name="mode",
        label="mode",
        help="call-response answers each phrase; continuous keeps playing",
        default="call-response",
        choices=("call-response", "continuous"),
        group="answer",
        keys=("m",),
        flag="--mode",
        remembered="mode",
    ),
    Number(
        name="follow",
        label="follow",
        help="how far an answer takes the player's tempo, loudness and register: 0 plays the "
        "model's own, 1 the player's",
        default=sampling.FOLLOW,
        low=0.0,
        high=1.0,
        step=0.1,
        group="answer",
        keys=("f", "F"),
        flag="--follow",
        remembered="follow",
        commands=SAMPLED,
    ),
    Choice(
        name="sync",
        label="sync",
        help="follow the MIDI clock on the input (clock), or keep the model's own time (none)",
        default="none",
        choices=("none", "clock"),
        keys=("c",),
        flag="--sync",
        remembered="sync",
    ),
    Choice(
        name="quantize",
        label="quantize",
        help="snap answer onsets to the MIDI clock's grid (with --sync clock)",
        default="off",
        choices=("off", *midi_clock.QUANTIZE),
        keys=("g",),
        flag="--quantize",
        remembered="quantize",
    ),
    Choice(
        name="start_on",
        label="start on",
        help="where an answer starts under --sync clock: at once, on the next beat, or on "
        "the next bar",
        default="now",
        choices=midi_clock.START_ON,
        keys=("b",),
        flag="--start-on",
        remembered="start_on",
    ),
    Number(
        name="beats_per_bar",
        label="beats/bar",
        help="beats in a bar, for --start-on bar",
        default=4,
        low=1,
        high=16,
        step=1,
        whole=True,
        flag="--beats-per-bar",
        remembered="beats_per_bar",
    ),
    Choice(
        name="clock_out",
        label="clock out",
        help="send MIDI clock with Start and Stop on the outputs (at --bpm, or at the tempo "
        "of the phrase answered first)",
        default="off",
        choices=("off", "on"),
        bare="on",
        flag="--clock-out",
        remembered="clock_out",
    ),
    Reach(
        name="bpm",
        label="bpm",
        help="tempo of the clock sent with --clock-out, in quarter notes a minute, or "
        "'phrase' to take it from the phrase answered first",
        default=None,
        none_word="phrase",
        low=20,
        high=300,
        step=1,
        flag="--bpm",
        remembered="bpm",
    ),
    Reach(
        name="register",
        label="register",
        help="semitones an answer may go beyond the lowest and highest note it continues, "
        "or 'any' for no limit",
        default=sampling.REGISTER,
        low=0,
        high=48,
        step=1,
        flag="--register",
        commands=SAMPLED,
    ),
    Pitch(
        name="low",
        label="lowest",
        help="lowest pitch to play: 0-127 or a note name, C4 = 60",
        default=21,
        flag="--low",
        commands=SAMPLED,
    ),
    Pitch(
        name="high",
        label="highest",
        help="highest pitch to play: 0-127 or a note name, C4 = 60",
        default=108,
        flag="--high",
        commands=SAMPLED,
    ),
)
CONTROLS: dict[str, Control] = {control.name: control for control in ROWS}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(c.group for c in ROWS if c.group))


def in_group(group: str) -> list[Control]:
    return [control for control in ROWS if control.group == group]


def for_command(command: str) -> list[Control]:
    """The controls whose flags a subcommand takes."""
    return [control for control in ROWS if control.flag and command in control.commands]


def remembered_names() -> dict[str, Control]:
    """Controls by their key in the settings file."""
    return {control.remembered: control for control in ROWS if control.remembered}


def defaults(names: Iterable[str] | None = None) -> dict[str, Value]:
    return {name: CONTROLS[name].default for name in names or CONTROLS}
