"""The state panel shows which rule ends a phrase and the silence it waits for now; `e`
switches the rule for the next phrase."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import RichLog

from musicgen_live.live.commands import Reconfigure
from musicgen_live.live.events import PhraseEndRule
from musicgen_live.tui.settings import load_settings
from musicgen_live.tui.widgets import StatePanel
from tests.tui.fakes import fake_app


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def panel_text(app: object) -> str:
    return str(app.query_one(StatePanel).render())  # type: ignore[attr-defined]


async def test_the_state_panel_shows_the_rule_and_its_silence() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "phrase end adaptive 400 ms" in panel_text(app)  # from the engine's start
        for silence in (310.0, 250.0, 180.0):  # a burst: the latest one shows
            app.fake.on_event(PhraseEndRule(1.0, "adaptive", silence))
        await pilot.pause(0.1)
        assert "phrase end adaptive 180 ms" in panel_text(app)
        app.fake.on_event(PhraseEndRule(2.0, "fixed", 400.0))
        await pilot.pause(0.1)
        assert "phrase end fixed 400 ms" in panel_text(app)
        log = "\n".join(line.text for line in app.query_one(RichLog).lines)
        assert "phrase end" not in log  # the panel says it; the log is not flooded


async def test_e_switches_the_rule_and_remembers_it() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        sent = app.fake.commands[-1]
        assert isinstance(sent, Reconfigure) and sent.performance.phrase_end == "fixed"
    assert load_settings().controls == {"phrase_end": "fixed"}
