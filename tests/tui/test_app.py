"""The app over a fake engine, driven by Textual's Pilot: what the keys send, what the
events show, the error screen, and an idle screen that costs nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Label, OptionList, RichLog, Static

from musicgen_live.live.commands import (
    AnswerNow,
    ListPorts,
    Panic,
    Reconfigure,
    StartRecording,
    StopRecording,
    SwitchPort,
)
from musicgen_live.live.events import (
    AnswerStarted,
    Failed,
    NotePlayed,
    Notice,
    PortsAvailable,
    PortSwitched,
    Recording,
    State,
    StateChanged,
)
from musicgen_live.live.performance import Performance
from musicgen_live.tui.screens import ErrorScreen, HelpScreen
from musicgen_live.tui.settings import Settings, load_settings, settings_path
from musicgen_live.tui.widgets import PianoRoll, StatePanel
from tests.tui.fakes import fake_app


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings go to a temporary home, never the user's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def value_of(app: object, control: str) -> str:
    return str(app.query_one(f"#{control}-value", Label).content)  # type: ignore[attr-defined]


async def test_the_screen_shows_the_values_in_force() -> None:
    app = fake_app(Performance(temperature=1.5, top_p=0.8, length="8", mode="continuous"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert value_of(app, "temperature") == "1.50"
        assert value_of(app, "top_p") == "0.80"
        assert value_of(app, "length") == "8"
        assert str(app.query_one("#mode", Button).label) == "continuous"
        await pilot.press("T")  # the first key sends the values in force, one step moved
        sent = app.fake.commands[-1]
        assert isinstance(sent, Reconfigure)
        assert sent.performance == Performance(
            temperature=1.55, top_p=0.8, length="8", mode="continuous"
        )
        assert load_settings() == Settings({"temperature": 1.55})  # only what the user changed


async def test_keys_send_commands() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("space", "p", "y", "D", "l", "S", "m", "r"):
            await pilot.press(key)
        commands = app.fake.commands
        assert isinstance(commands[0], AnswerNow) and isinstance(commands[1], Panic)
        performance = commands[-2].performance  # type: ignore[union-attr]
        assert (performance.rhythm_temperature, performance.dynamics_temperature) == (0.95, 1.05)
        assert (performance.length, performance.silence_ms, performance.mode) == (
            "28",
            450,
            "continuous",
        )
        assert isinstance(commands[-1], StartRecording)
        assert load_settings().controls["mode"] == "continuous"
        app.fake.on_event(Recording(1.0, "/music/session.mid"))
        await pilot.pause()
        assert "session.mid" in app.query_one(StatePanel).recording
        await pilot.press("r")
        assert isinstance(app.fake.commands[-1], StopRecording)
        await pilot.press("q")
    assert app.fake.stopped
    assert app.return_code == 0


async def test_events_show_on_the_screen() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "test out" in str(app.query_one("#ports", Static).content)
        now = time.monotonic()
        app.fake.on_event(StateChanged(now, State.ANSWERING))
        for pitch in range(60, 80):  # a burst of notes: one message draws them all
            app.fake.on_event(NotePlayed(now, "model", pitch, 70, True))
        app.fake.on_event(NotePlayed(now, "player", 50, 70, True))
        app.fake.on_event(AnswerStarted(now, 4.2))
        await pilot.pause(0.2)
        assert app.query_one(StatePanel).state is State.ANSWERING
        assert app.query_one(StatePanel).latencies == [4.2]
        assert len(app.query_one(PianoRoll).notes) == 21


async def test_the_output_chooser_offers_what_the_engine_lists() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")
        assert app.fake.commands[-1] == ListPorts("output")
        app.fake.on_event(PortsAvailable(0.0, "output", ("DAW:in", "FluidSynth")))
        await pilot.pause(0.1)
        options = app.screen.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt) for i in range(2)] == [
            "DAW:in",
            "FluidSynth",
        ]
        await pilot.press("enter")
        assert app.fake.commands[-1] == SwitchPort("output", "DAW:in")
        app.fake.on_event(PortSwitched(0.0, "output", "DAW:in"))  # the engine confirms
        await pilot.pause(0.1)
        assert load_settings().output == "DAW:in"


async def test_a_port_list_cancelled_before_it_came_never_pops_up() -> None:
    """The engine tells the list in the first gap of the music; a user who pressed escape
    meanwhile, or pressed the key twice, gets no list late, or one list, and q still quits."""
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u", "escape")
        app.fake.on_event(PortsAvailable(0.0, "output", ("DAW:in", "FluidSynth")))
        await pilot.pause(0.1)
        assert app.screen is app.screen_stack[0]  # no list over the main screen
        await pilot.press("u", "u")
        assert app.fake.commands.count(ListPorts("output")) == 2  # one per list asked for
        app.fake.on_event(PortsAvailable(0.0, "output", ("DAW:in", "FluidSynth")))
        app.fake.on_event(PortsAvailable(0.0, "output", ("DAW:in", "FluidSynth")))
        await pilot.pause(0.1)
        assert len(app.screen_stack) == 2  # the main screen and one list
        await pilot.press("q")  # closes the list, as it closes help; then quits
        assert len(app.screen_stack) == 1
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_port_the_engine_refuses_is_not_remembered() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")
        app.fake.on_event(PortsAvailable(0.0, "output", ("DAW:in", "FluidSynth")))
        await pilot.pause(0.1)
        await pilot.press("enter")
        assert app.fake.commands[-1] == SwitchPort("output", "DAW:in")
        app.fake.on_event(Notice(0.0, "warning", "cannot open output 'DAW:in'"))
        await pilot.pause(0.1)
        assert load_settings().output != "DAW:in"


async def test_keys_on_the_error_screen_do_nothing_but_help_and_quit() -> None:
    app = fake_app(fail="no input port 'Foo'; inputs: none")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        for key in ("t", "T", "o", "y", "D", "l", "s", "m", "space", "p", "r", "u", "i", "n"):
            await pilot.press(key)
        assert isinstance(app.screen, ErrorScreen)
        assert not settings_path().exists()  # nothing changed, nothing saved
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ErrorScreen)
        await pilot.press("q")
    assert app.return_code == 1  # a session that could not run is not a success


async def test_an_engine_that_fails_to_start_shows_the_error_screen() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.fake.on_event(Failed(0.0, "models/x: no model.json"))
        await pilot.pause(0.1)
        assert isinstance(app.screen, ErrorScreen)
        await pilot.press("T")
        assert not any(isinstance(c, Reconfigure) for c in app.fake.commands)


async def test_the_roll_redraws_only_when_something_changed() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        roll = app.query_one(PianoRoll)
        settled = await settle(pilot, roll)
        await pilot.pause(1.0)
        assert roll.draws == settled  # idle: not one frame
        now = time.monotonic()
        app.fake.on_event(NotePlayed(now, "player", 60, 70, True))
        app.fake.on_event(NotePlayed(now + 0.05, "player", 60, 0, False))
        await pilot.pause(0.5)
        assert roll.draws > settled  # a note came, and scrolls
        later = time.monotonic() + roll.size.width * roll.SECONDS_PER_COLUMN + 1
        roll.now = lambda: later  # once it has scrolled off, the roll is still again
        await pilot.pause(0.3)
        gone = roll.draws
        await pilot.pause(0.5)
        assert roll.draws == gone


async def test_the_roll_draws_runs_of_like_cells_not_each_cell() -> None:
    """A frame full of notes is a few segments a row, not one a cell: restyling thousands of
    cells took 40 ms of a core a frame, ten frames a second, while notes were on screen."""
    app = fake_app()
    async with app.run_test(size=(120, 40)) as pilot:
        roll = app.query_one(PianoRoll)
        now = time.monotonic()
        roll.now = lambda: now
        for i in range(60):
            at = now - 6 + i * 0.1
            roll.note("player" if i % 2 else "model", 40 + i % 30, True, at)
            roll.note("player" if i % 2 else "model", 40 + i % 30, False, at + 0.3)
        strips = roll.frame()
        assert len(strips) == roll.size.height
        assert all(strip.cell_length == roll.size.width for strip in strips)
        assert any("█" in strip.text for strip in strips)
        # each note starts and ends at most one run in its row
        assert sum(len(list(strip)) for strip in strips) <= len(strips) + 2 * 60
        await pilot.pause()


async def settle(pilot: Any, roll: PianoRoll) -> int:
    """The roll's draws once start-up is over: the engine's first lines are in the log and
    no frame came for half a second (layout after start-up may draw it once more)."""
    for _ in range(100):
        if len(pilot.app.query_one(RichLog).lines) >= 2:
            break
        await pilot.pause(0.05)
    draws = -1
    while draws != roll.draws:
        draws = roll.draws
        await pilot.pause(0.5)
    return draws


@pytest.mark.slow
async def test_an_idle_screen_uses_under_five_percent_of_a_core() -> None:
    app = fake_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(1.0)
        cpu, wall = time.process_time(), time.monotonic()
        await pilot.pause(10.0)
        share = (time.process_time() - cpu) / (time.monotonic() - wall)
    assert share < 0.05, f"idle UI used {share:.1%} of a core"
