"""The live configuration: flags > remembered settings > defaults, and every control's flag
refused outside its row's range in one line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from musicgen_live import assets
from musicgen_live.cli import build_parser
from musicgen_live.cli.live_config import resolve_config
from musicgen_live.live.config import LiveConfig
from musicgen_live.live.control_kinds import Control
from musicgen_live.live.controls import for_command
from musicgen_live.tui.settings import Settings
from tests.live.control_values import outside

LIVE_CONTROLS = for_command("live")


def parse(*argv: str, command: str = "live") -> argparse.Namespace:
    """As `musicgen-live COMMAND ARGV` parses them."""
    required = ["--seed", "x.mid", "--out", "y.mid"] if command == "generate" else []
    return build_parser().parse_args([command, *argv, *required])  # checked in order


def resolve(remembered: Settings | None, *argv: str) -> LiveConfig:
    args = parse(*argv)
    return resolve_config(args, args.given_options, remembered)


def other_value(control: Control) -> str:
    """A value of the control's other than its default, as a flag would give it."""
    moved = control.stepped(control.default, -1)
    if moved == control.default:
        moved = control.stepped(control.default, 1)
    return control.shown(moved) if control.name not in ("low", "high") else str(moved)


@pytest.mark.parametrize("control", LIVE_CONTROLS, ids=[c.name for c in LIVE_CONTROLS])
def test_flags_win_then_remembered_settings_then_defaults(control: Control) -> None:
    given = control.parse(other_value(control))
    saved = control.stepped(given, -1) if control.stepped(given, -1) != given else control.default
    remembered = Settings({control.name: saved} if control.remembered else {})
    flag = [control.flag, other_value(control)]
    assert getattr(resolve(remembered, *flag).performance, control.name) == given
    expected = saved if control.remembered else control.default
    assert getattr(resolve(remembered).performance, control.name) == expected
    assert getattr(resolve(None, *flag).performance, control.name) == given  # headless
    assert getattr(resolve(None).performance, control.name) == control.default


@pytest.mark.parametrize(
    ("field", "flag", "saved", "value"),
    [
        ("input", ["--in", "Keys"], "Piano", lambda c: c.input),
        ("output", ["--out", "DAW"], "Synth 2", lambda c: c.output),
    ],
)
def test_ports_follow_the_same_order(field: str, flag: list[str], saved: str, value) -> None:  # type: ignore[no-untyped-def]
    remembered = Settings(**{field: saved})
    assert value(resolve(remembered, *flag)) == flag[1]
    assert value(resolve(remembered)) == saved
    assert value(resolve(None)) in ("musicgen-live in", None)


def test_the_model_is_remembered_by_name_and_a_missing_one_falls_back(tmp_path: Path) -> None:
    assert resolve(Settings(model="default")).model == assets.default_model()
    config = resolve(Settings(model=str(tmp_path / "gone")))
    assert config.model == assets.default_model()
    assert any("remembered model is gone" in notice for notice in config.notices)
    assert resolve(Settings(model="default"), "--model", str(tmp_path)).model == tmp_path


def test_remembered_fluidsynth_plays_through_the_synth_unless_flags_say_otherwise() -> None:
    saved = Settings(output="FluidSynth")
    config = resolve(saved)
    assert (config.output, config.synth) == (None, True)
    config = resolve(saved, "--out", "DAW")
    assert (config.output, config.synth) == ("DAW", False)


def test_an_abbreviated_flag_wins_too() -> None:
    remembered = Settings({"temperature": 0.7})
    assert resolve(remembered, "--temp", "1.5").performance.temperature == 1.5


def test_the_settings_warnings_are_shown_once_running() -> None:
    config = resolve(Settings(warnings=("settings.toml: silence = -5 set aside",)))
    assert config.notices == ("settings.toml: silence = -5 set aside",)


CASES = [
    (command, control, text)
    for command in ("live", "generate", "eval")
    for control in for_command(command)
    for text in outside(control)
]


@pytest.mark.parametrize(
    ("command", "control", "text"), CASES, ids=[f"{c}-{k.name}-{t}" for c, k, t in CASES]
)
def test_a_flag_outside_its_range_is_refused_in_one_line(
    command: str, control: Control, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse(f"{control.flag}={text}", command=command)
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and control.flag in lines[0] and repr(text) in lines[0]


@pytest.mark.parametrize("argv", [["--channel", "17"], ["--trigger-cc", "200"]])
def test_other_flags_that_cannot_work_stop_the_parser_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse(*argv)
    assert stopped.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
