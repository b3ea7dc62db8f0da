"""SVG snapshots of the screens (pytest-textual-snapshot) over a fake engine;
`pytest tests/tui/test_snapshots.py --snapshot-update` redraws them after an intended change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RichLog

from musicgen_live.tui.app import MusicgenApp
from tests.tui.fakes import fake_app


@pytest.fixture(autouse=True)
def steady(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(MusicgenApp, "timestamp", staticmethod(lambda: "12:00:00"))


async def logged(pilot: Any) -> None:
    """Wait until the start-up lines are in the log, so every run draws the same screen."""
    for _ in range(100):
        if len(pilot.app.query_one(RichLog).lines) >= 2:
            break
        await pilot.pause(0.05)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(fake_app(), terminal_size=size, run_before=logged)


def test_help_screen(snap_compare: Any) -> None:
    async def help_open(pilot: Any) -> None:
        await logged(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(fake_app(), terminal_size=(80, 24), run_before=help_open)


def test_error_screen(snap_compare: Any) -> None:
    app = fake_app(
        fail="/nonexistent/model: no model.json (a model folder holds model.tflite and model.json)"
    )
    assert snap_compare(app, terminal_size=(80, 24))
