"""Settings the UI remembers between runs (a TOML file in the user's config folder)."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from musicgen_live import sampling as defaults


@dataclass(frozen=True)
class Settings:
    input: str = "musicgen-live in"
    output: str = ""  # "" = FluidSynth when available, else the virtual output
    temperature: float = defaults.TEMPERATURE
    top_p: float = defaults.TOP_P
    rhythm_temperature: float = defaults.RHYTHM_TEMPERATURE
    dynamics_temperature: float = defaults.DYNAMICS_TEMPERATURE
    length: str = "32"
    silence: int = 400
    mode: str = "call-response"
    model: str = ""  # "" = the bundled default


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir("musicgen-live")) / "settings.toml"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; a missing or unreadable file, or a value of the wrong type, gives
    the defaults."""
    path = path or settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return Settings()
    defaults = Settings()
    known: dict[str, Any] = {}
    for item in fields(Settings):
        value = data.get(item.name)
        default = getattr(defaults, item.name)
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is type(default):
            known[item.name] = value
    return replace(defaults, **known)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(tomli_w.dumps(asdict(settings)), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # settings are a convenience; never fail a session over them


def remember(changes: dict[str, Any], path: Path | None = None) -> None:
    """Save what the user changed, and only that (values given as flags stay unsaved)."""
    save_settings(replace(load_settings(path), **changes), path)
