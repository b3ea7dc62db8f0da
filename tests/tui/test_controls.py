"""Every keyed control of the table on the real app: a flag's value in force, then its keys
step from it the right way and the screen shows the result; no key does two things."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from textual.widgets import Button, Label

from musicgen_live.cli import build_parser
from musicgen_live.cli.live_config import resolve_config
from musicgen_live.live.commands import Reconfigure
from musicgen_live.live.control_kinds import Choice, Control, Number
from musicgen_live.tui.app import MusicgenApp
from musicgen_live.tui.control_panel import KEYED
from musicgen_live.tui.settings import load_settings
from tests.tui.fakes import fake_app

NUMBERS = [c for c in KEYED if isinstance(c, Number)]


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def shown(app: MusicgenApp, control: Control) -> str:
    if isinstance(control, Choice):
        return str(app.query_one(f"#{control.name}", Button).label)
    return str(app.query_one(f"#{control.name}-value", Label).content)


def as_number(control: Control, text: str) -> float:
    return float(text.removesuffix("s"))


CASES = [(control, end) for control in NUMBERS for end in ("low", "high")]


@pytest.mark.parametrize(("control", "end"), CASES, ids=[f"{c.name}-{e}" for c, e in CASES])
async def test_keys_step_from_the_flag_value_the_right_way(control: Number, end: str) -> None:
    """From a flag at an end of the range: the key toward the outside stays there (clamped),
    the other one steps back inside, and the value shown is the one sent."""
    value = control.low if end == "low" else control.high
    outward, inward = (0, 1) if end == "low" else (1, 0)
    args = build_parser().parse_args(["live", control.flag, f"{value:g}"])
    config = resolve_config(args, args.given_options, load_settings())
    app = fake_app(config.performance)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert as_number(control, shown(app, control)) == pytest.approx(value)
        await pilot.press(control.keys[outward])
        assert as_number(control, shown(app, control)) == pytest.approx(value)
        await pilot.press(control.keys[inward])
        moved = as_number(control, shown(app, control))
        assert (moved - value) * (1 if end == "low" else -1) > 0
        sent = app.fake.commands[-1]
        assert isinstance(sent, Reconfigure)
        assert as_number(control, str(getattr(sent.performance, control.name))) == moved


CHOICES = [c for c in KEYED if isinstance(c, Choice)]


@pytest.mark.parametrize("choice", CHOICES, ids=[c.name for c in CHOICES])
async def test_a_choice_key_moves_to_the_next_choice_and_is_remembered(choice: Choice) -> None:
    following = choice.stepped(choice.default, 1)
    back = choice.stepped(following, 1)
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(choice.keys[0])
        assert getattr(app.performance, choice.name) == following
        if choice.group:  # its button shows it, and a click moves it on too
            assert shown(app, choice) == following
            await pilot.click(f"#{choice.name}")
            assert shown(app, choice) == back
        else:
            await pilot.press(choice.keys[0])
        assert getattr(app.performance, choice.name) == back
    assert load_settings().controls == {choice.name: back}


async def test_the_buttons_step_like_the_keys() -> None:
    app = fake_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#silence_ms-up")
        assert shown(app, next(c for c in KEYED if c.name == "silence_ms")) == "450"
    assert load_settings().controls == {"silence_ms": 450}


def test_no_key_does_two_things() -> None:
    keys = Counter(
        key.strip() for binding in MusicgenApp.BINDINGS for key in str(binding.key).split(",")
    )
    assert [key for key, count in keys.items() if count > 1] == []
    assert all(key in keys for control in KEYED for key in control.keys)
