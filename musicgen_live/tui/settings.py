"""Settings the UI remembers between runs (a TOML file in the user's config folder)."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs
import tomli_w


@dataclass
class Settings:
    input: str = "musicgen-live in"
    output: str = ""  # "" = FluidSynth when available, else the virtual output
    temperature: float = 1.0
    top_p: float = 0.95
    rhythm_temperature: float = 1.0
    dynamics_temperature: float = 1.0
    length: str = "32"
    silence: int = 400
    mode: str = "call-response"
    model: str = ""  # "" = the bundled default


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir("musicgen-live")) / "settings.toml"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; a missing or unreadable file gives the defaults."""
    path = path or settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return Settings()
    settings = Settings()
    for item in fields(Settings):
        value = data.get(item.name)
        if isinstance(value, type(getattr(settings, item.name))):
            setattr(settings, item.name, value)
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(tomli_w.dumps(asdict(settings)), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # settings are a convenience; never fail a session over them
