"""The controls table: every row's values, steps, clamps and controller spans."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from musicgen_live.errors import UserError
from musicgen_live.live.control_kinds import (
    Choice,
    Control,
    Length,
    Number,
    Pitch,
    note_name,
    pitch_number,
)
from musicgen_live.live.controls import CONTROLS, ROWS
from musicgen_live.live.performance import Performance
from tests.live.control_values import outside


@pytest.mark.parametrize("control", ROWS, ids=[c.name for c in ROWS])
def test_every_default_is_a_value_of_its_own_row(control: Control) -> None:
    assert control.accepts(control.default)
    assert control.parse(control.shown(control.default)) == control.default


@pytest.mark.parametrize("control", ROWS, ids=[c.name for c in ROWS])
def test_values_outside_a_row_are_refused_and_performance_refuses_them_too(
    control: Control,
) -> None:
    for text in outside(control):
        with pytest.raises(ValueError, match="is not allowed: must be"):
            control.parse(text)
    if isinstance(control, Number) and not isinstance(control, Length):
        with pytest.raises(UserError, match=control.flag):
            Performance(**{control.name: control.high + control.step})


@pytest.mark.parametrize("control", ROWS, ids=[c.name for c in ROWS])
def test_a_step_moves_the_right_way_and_stops_at_the_ends(control: Control) -> None:
    if isinstance(control, Choice):
        moved = Performance().stepped(control.name, 1)
        assert getattr(moved, control.name) != control.default
        return
    assert isinstance(control, Number)
    for value, direction in ((control.default, 1), (control.default, -1)):
        before = Performance(**{control.name: value})
        after = getattr(before.stepped(control.name, direction), control.name)
        assert compare(after, control) * direction >= compare(value, control) * direction
    top = control.parse(f"{control.high:g}")
    bottom = control.parse(f"{control.low:g}")
    assert getattr(Performance(**{control.name: top}).stepped(control.name, 1), control.name) == top
    lowered = Performance(**{control.name: bottom}).stepped(control.name, -1)
    assert getattr(lowered, control.name) == bottom


def compare(value: object, control: Control) -> float:
    if isinstance(control, Length):
        return float(str(value).removesuffix("s"))
    return float("inf") if value is None else float(value)  # type: ignore[arg-type]


def test_a_controller_spans_the_useful_part_of_the_range() -> None:
    silence = CONTROLS["silence_ms"]
    assert Performance().from_controller("silence_ms", 0).silence_ms == 50
    assert Performance().from_controller("silence_ms", 127).silence_ms == 3000
    assert isinstance(silence, Number) and silence.high == 60_000  # the flag's range is wider
    mode = Performance().from_controller("mode", 127).mode
    assert mode == "continuous"
    assert Performance().from_controller("temperature", 64).temperature == pytest.approx(1.06, 0.01)


def test_length_keeps_its_unit_and_reads_notes_or_seconds() -> None:
    performance = Performance(length="8s")
    assert (performance.length_notes, performance.length_seconds) == (None, 8.0)
    assert performance.stepped("length", 1).length == "12s"
    assert Performance(length="32").length_notes == 32


@pytest.mark.parametrize(
    ("text", "pitch"),
    [("C4", 60), ("C3", 48), ("A0", 21), ("C8", 108), ("F#3", 54), ("Bb2", 46), ("c-1", 0)],
)
def test_note_names_count_c4_as_60(text: str, pitch: int) -> None:
    assert pitch_number(text) == pitch
    assert Pitch(name="x", label="x", help="", default=60).parse(text) == pitch
    assert pitch_number(note_name(pitch)) == pitch


def test_register_is_semitones_or_any() -> None:
    register = CONTROLS["register"]
    assert register.parse("7") == 7 and register.parse("any") is None
    for text in ("-1", "49", "x"):
        with pytest.raises(ValueError):
            register.parse(text)


def test_sampling_follows_the_controls() -> None:
    sampling = Performance(temperature=1.5, top_p=0.8, low=40, high=90, register=None).sampling()
    assert (sampling.temperature, sampling.top_p, sampling.low, sampling.high) == (1.5, 0.8, 40, 90)
    assert sampling.register is None
    with pytest.raises(UserError, match="--low 90 is above --high 40"):
        Performance(low=90, high=40).check()


def test_a_performance_is_frozen_and_knows_only_its_controls() -> None:
    performance = Performance()
    with pytest.raises(AttributeError):
        performance.temperature = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="no control named tempo"):
        Performance(tempo=120)
    assert performance.replace(temperature=1.2) == Performance(temperature=1.2)
    assert hash(performance) == hash(Performance())


def test_a_performance_and_a_config_cross_to_the_engines_process_whole() -> None:
    """The UI hands its config to the engine's own process, pickled."""
    from musicgen_live.live.config import LiveConfig

    performance = Performance(temperature=1.3, follow=0.25)
    config = LiveConfig(model=Path("models/x"), performance=performance, rng_seed=3)
    again = pickle.loads(pickle.dumps(config))
    assert again == config
    assert again.performance.temperature == 1.3 and again.performance.follow == 0.25
