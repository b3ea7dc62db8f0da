"""The UI over a real engine on a machine without a MIDI system: the error screen says what
to do on this platform, and points at the demo, which runs anyway."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from textual.widgets import Static

from musicgen_live.live.config import LiveConfig
from musicgen_live.live.thread import EngineThread
from musicgen_live.tui.app import make_app
from musicgen_live.tui.screens import ErrorScreen


async def test_without_a_midi_system_the_error_screen_says_what_to_do(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("JACK_DEFAULT_SERVER", f"nowhere-{uuid.uuid4().hex[:8]}")
    config = LiveConfig(model=tiny_model, backend="jack")
    app = make_app(config, lambda on_event: EngineThread(config, on_event))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if isinstance(app.screen, ErrorScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, ErrorScreen)
        await pilot.pause()  # composed
        message = str(app.screen.query_one("#error-message", Static).render())
        hint = str(app.screen.query_one("#error-hint", Static).render())
        assert message.startswith("no MIDI system is reachable")
        assert "jackd -d dummy" in message and "sudo modprobe snd-seq" in message
        assert "musicgen-live --demo" in hint
        await pilot.press("q")
