"""SVG snapshots of the screens (pytest-textual-snapshot); `pytest --snapshot-update` redraws
them after an intended change of layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RichLog

from musicgen_live.cli import build_parser, explicit_options
from musicgen_live.host import EngineHost
from musicgen_live.live import LiveSession
from musicgen_live.runtime import Sampling
from musicgen_live.tui.app import MusicgenApp, merge_settings
from musicgen_live.tui.settings import Settings


@pytest.fixture(autouse=True)
def steady(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(MusicgenApp, "timestamp", staticmethod(lambda: "12:00:00"))


def make_app(*argv: str) -> MusicgenApp:
    parser = build_parser()
    args = parser.parse_args(["live", "--backend", "jack", *argv])
    args.explicit = explicit_options(args.live_parser, ["live", *argv])
    merged = merge_settings(args, Settings())
    merged.sampling = Sampling()

    def host(options: Any, sampling: Sampling, on_event: Any) -> EngineHost:
        return EngineHost(LiveSession(options, sampling, on_event))

    return MusicgenApp(merged, Settings(), host)


async def logged(pilot: Any) -> None:
    """Wait until the start-up lines are in the log, so every run draws the same screen."""
    for _ in range(100):
        if len(pilot.app.query_one(RichLog).lines) >= 2:
            break
        await pilot.pause(0.05)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(
    snap_compare: Any, jack_server: str, tiny_model: Path, size: tuple[int, int]
) -> None:
    app = make_app("--in", "snapshot in", "--out", "snapshot out", "--model", str(tiny_model))
    assert snap_compare(app, terminal_size=size, run_before=logged)


def test_help_screen(snap_compare: Any, jack_server: str, tiny_model: Path) -> None:
    app = make_app("--in", "snapshot in", "--out", "snapshot out", "--model", str(tiny_model))

    async def help_open(pilot: Any) -> None:
        await logged(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=help_open)


def test_error_screen(snap_compare: Any) -> None:
    app = make_app("--model", "/nonexistent/model")
    assert snap_compare(app, terminal_size=(80, 24))
