"""The MIDI clock under the ports: none, the clock followed with its tempo, or the clock
sent; `c`, `g` and `b` step sync, quantize and where an answer starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import RichLog, Static

from musicgen_live.live.commands import Reconfigure
from musicgen_live.live.events import ClockChanged
from tests.tui.fakes import fake_app


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def ports_text(app: object) -> str:
    return str(app.query_one("#ports", Static).render())  # type: ignore[attr-defined]


async def test_the_clock_and_its_tempo_show_under_the_ports() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "clock: none" in ports_text(app)
        assert "output: test out" in ports_text(app)
        app.fake.on_event(ClockChanged(1.0, "external", 119.8, True))
        await pilot.pause(0.1)
        assert "clock: external 119.8 bpm running" in ports_text(app)
        assert "output: test out" in ports_text(app)  # the ports stay
        app.fake.on_event(ClockChanged(2.0, "internal", 96.0, False))
        await pilot.pause(0.1)
        assert "clock: internal 96.0 bpm" in ports_text(app)
        log = "\n".join(line.text for line in app.query_one(RichLog).lines)
        assert "clock:" not in log  # shown above, not logged


async def test_keys_step_sync_quantize_and_start_on() -> None:
    app = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("c", "g", "g", "g", "b"):
            await pilot.press(key)
        await pilot.pause(0.1)
        sent = [c.performance for c in app.fake.commands if isinstance(c, Reconfigure)]
        last = sent[-1]
        assert (last.sync, last.quantize, last.start_on) == ("clock", "1/16", "beat")
