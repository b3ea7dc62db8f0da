"""What the UI remembers: only what the user changed, and nothing in the file that could
keep the UI from starting."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicgen_live.tui.settings import Settings, load_settings, remember
from tests.tui.fakes import fake_app


def test_remember_keeps_only_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    remember({"temperature": 0.7}, path)
    remember({"silence": 450}, path)
    assert path.read_text().split() == ["temperature", "=", "0.7", "silence", "=", "450"]
    assert load_settings(path) == Settings({"temperature": 0.7, "silence_ms": 450})


def test_a_file_that_is_not_utf8_moves_aside_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b'temperature = 0.7\nmode = "\xff"\n')
    (tmp_path / "settings.toml.bad").write_text("an older bad file")
    settings = load_settings(path)
    assert settings.controls == {}
    (warning,) = settings.warnings
    assert "not UTF-8" in warning and "settings.toml.bad2" in warning
    assert not path.exists()
    assert (tmp_path / "settings.toml.bad2").read_bytes().startswith(b"temperature")
    assert (tmp_path / "settings.toml.bad").read_text() == "an older bad file"
    remember({"temperature": 1.1}, path)  # a fresh file from then on
    assert load_settings(path) == Settings({"temperature": 1.1})


def test_a_file_that_is_not_toml_moves_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("this is [not toml\n")
    settings = load_settings(path)
    assert "not TOML" in settings.warnings[0] and (tmp_path / "settings.toml.bad").exists()


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("silence = -5", "silence"),
        ("temperature = 50.0", "temperature"),
        ('temperature = "hot"', "temperature"),
        ("mode = 3", "mode"),
        ('length = "0"', "length"),
        ("input = 4", "input"),
        ("tempo = 120", "tempo"),
    ],
)
def test_a_value_that_is_not_allowed_is_dropped_alone_with_a_warning_naming_it(
    tmp_path: Path, line: str, key: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"top_p = 0.8\n{line}\n")
    settings = load_settings(path)
    assert settings.controls == {"top_p": 0.8}
    (warning,) = settings.warnings
    assert key in warning and str(path) in warning
    assert path.exists()  # the user's file stays as it is


async def test_the_ui_starts_and_shows_the_warnings(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xff\xfe")
    settings = load_settings(path)
    app = fake_app(notices=settings.warnings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        logged = "\n".join(str(line) for line in app.query_one("#log").lines)  # type: ignore[attr-defined]
        assert "not UTF-8" in logged and "settings.toml.bad" in logged
