"""The live configuration: flags > remembered settings > defaults, one test per field."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from musicgen_live import sampling as defaults
from musicgen_live.cli import DEFAULT_MODEL, build_parser
from musicgen_live.cli.live_config import resolve_config
from musicgen_live.errors import UserError
from musicgen_live.live.config import LiveConfig, parse_length
from musicgen_live.tui.settings import Settings, load_settings, remember, save_settings


def parse(*argv: str) -> tuple[argparse.Namespace, set[str]]:
    """As `musicgen-live live ARGV` parses them."""
    args = build_parser().parse_args(["live", *argv])
    return args, args.given_options


def resolve(remembered: Settings | None, *argv: str) -> LiveConfig:
    args, explicit = parse(*argv)
    return resolve_config(args, explicit, remembered)


FIELDS: list[tuple[str, list[str], Any, Any, Callable[[LiveConfig], Any], Any]] = [
    # settings field, flag, the flag's value, a remembered value, value in force, default
    ("input", ["--in", "Keys"], "Keys", "Piano", lambda c: c.input, "musicgen-live in"),
    ("output", ["--out", "DAW"], "DAW", "Synth 2", lambda c: c.output, None),
    (
        "temperature",
        ["--temperature", "1.5"],
        1.5,
        0.7,
        lambda c: c.performance.temperature,
        defaults.TEMPERATURE,
    ),
    ("top_p", ["--top-p", "0.8"], 0.8, 0.6, lambda c: c.performance.top_p, 0.95),
    (
        "rhythm_temperature",
        ["--rhythm-temperature", "1.2"],
        1.2,
        0.5,
        lambda c: c.performance.rhythm_temperature,
        1.0,
    ),
    (
        "dynamics_temperature",
        ["--dynamics-temperature", "0.6"],
        0.6,
        1.3,
        lambda c: c.performance.dynamics_temperature,
        1.0,
    ),
    ("length", ["--length", "8"], "8", "4s", lambda c: c.performance.length, "32"),
    ("silence", ["--silence", "250"], 250, 900, lambda c: c.performance.silence_ms, 400),
    (
        "mode",
        ["--mode", "continuous"],
        "continuous",
        "continuous",
        lambda c: c.performance.mode,
        "call-response",
    ),
    (
        "model",
        ["--model", "/flag/model"],
        Path("/flag/model"),
        "/saved/model",
        lambda c: c.model,
        DEFAULT_MODEL,
    ),
]


@pytest.mark.parametrize(
    ("field", "flag", "given", "saved", "value", "default"), FIELDS, ids=[f[0] for f in FIELDS]
)
def test_flags_win_then_remembered_settings_then_defaults(
    field: str,
    flag: list[str],
    given: Any,
    saved: Any,
    value: Callable[[LiveConfig], Any],
    default: Any,
) -> None:
    remembered = Settings(**{field: saved})
    assert value(resolve(remembered, *flag)) == given
    expected_saved = Path(saved) if field == "model" else saved
    assert value(resolve(remembered)) == expected_saved
    assert value(resolve(Settings())) == default
    assert value(resolve(None, *flag)) == given  # headless: flags, then defaults only
    assert value(resolve(None)) == default


def test_remembered_fluidsynth_plays_through_the_synth_unless_flags_say_otherwise() -> None:
    saved = Settings(output="FluidSynth")
    config = resolve(saved)
    assert (config.output, config.synth) == (None, True)
    config = resolve(saved, "--out", "DAW")
    assert (config.output, config.synth) == ("DAW", False)


def test_an_abbreviated_flag_wins_too() -> None:
    assert resolve(Settings(temperature=0.7), "--temp", "1.5").performance.temperature == 1.5


def test_the_issue_command_line_plays_what_it_says() -> None:
    """`--temperature 1.5 --top-p 0.8 --length 8 --mode continuous` over remembered values."""
    remembered = Settings(temperature=1.0, top_p=0.95, length="32", mode="call-response")
    config = resolve(
        remembered,
        "--temperature",
        "1.5",
        "--top-p",
        "0.8",
        "--length",
        "8",
        "--mode",
        "continuous",
    )
    performance = config.performance
    assert (performance.temperature, performance.top_p) == (1.5, 0.8)
    assert (performance.length, performance.mode) == ("8", "continuous")
    sampling = performance.sampling()
    assert (sampling.temperature, sampling.top_p) == (1.5, 0.8)


@pytest.mark.parametrize(
    "argv",
    [["--length", "eight"], ["--length", "0"], ["--channel", "17"], ["--silence", "0"]],
)
def test_flags_that_cannot_work_stop_the_parser_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse(*argv)
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and argv[0] in lines[0] and repr(argv[1]) in lines[0]


@pytest.mark.parametrize("remembered", [Settings(length="0"), Settings(silence=-100)])
def test_remembered_values_that_cannot_work_are_one_line_errors(remembered: Settings) -> None:
    with pytest.raises(UserError) as error:
        resolve(remembered)
    assert "\n" not in str(error.value)


def test_length_in_notes_or_seconds() -> None:
    assert parse_length("32") == (32, None)
    assert parse_length("8s") == (None, 8.0)


def test_remember_saves_only_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    save_settings(Settings(temperature=0.7, length="16"), path)
    remember({"top_p": 0.8}, path)
    assert load_settings(path) == Settings(temperature=0.7, length="16", top_p=0.8)
