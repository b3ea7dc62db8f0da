"""What the UI remembers between runs: a TOML file in the user's config folder that holds
only what the user changed on screen (a control by its remembered name, the ports, the
model). Nothing in it can keep the UI from starting: a file that cannot be read moves aside,
a value that is not allowed is dropped alone, each with a warning naming it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from musicgen_live.live.control_kinds import Value
from musicgen_live.live.controls import remembered_names

PLACES = ("input", "output", "model")  # remembered as text, beside the controls


@dataclass(frozen=True)
class Settings:
    controls: dict[str, Value] = field(default_factory=dict)  # by control name
    input: str = ""
    output: str = ""  # "" = FluidSynth when available, else the virtual output
    model: str = ""  # "" = the bundled default
    warnings: tuple[str, ...] = ()


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir("musicgen-live")) / "settings.toml"


def _set_aside(path: Path, reason: str) -> str:
    """Move an unreadable file to settings.toml.bad (numbered if taken); the warning."""
    target = path.with_name(path.name + ".bad")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.bad{number}")
    try:
        path.replace(target)
    except OSError as error:
        return f"{path}: {reason}; using the defaults (cannot move it aside: {error.strerror})"
    return f"{path}: {reason}; moved to {target.name}, using the defaults"


def _read(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The file's table, or an empty one and why."""
    try:
        text = path.read_bytes().decode("utf-8")
        return tomllib.loads(text), []
    except FileNotFoundError:
        return {}, []
    except OSError as error:
        return {}, [f"{path}: cannot read it ({error.strerror}); using the defaults"]
    except UnicodeDecodeError:
        return {}, [_set_aside(path, "not UTF-8 text")]
    except tomllib.TOMLDecodeError as error:
        return {}, [_set_aside(path, f"not TOML ({error})")]


def load_settings(path: Path | None = None) -> Settings:
    """The remembered settings; whatever is wrong is left out with a warning."""
    path = path or settings_path()
    data, warnings = _read(path)
    controls: dict[str, Value] = {}
    places: dict[str, str] = {}
    by_name = remembered_names()
    for key, value in data.items():
        control = by_name.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and control is not None:
            value = float(value) if isinstance(control.default, float) else value
        if control is not None and control.accepts(value):
            controls[control.name] = value
        elif key in PLACES and isinstance(value, str):
            places[key] = value
        elif control is not None:
            warnings.append(
                f"{path}: {key} = {value!r} set aside: {control.allowed().removeprefix('must ')}"
            )
        else:
            warnings.append(f"{path}: {key!r} is not a setting; left out")
    return Settings(controls, warnings=tuple(warnings), **places)


def remember(changes: dict[str, Any], path: Path | None = None) -> None:
    """Save what the user changed, and only that, keeping what else the file holds."""
    path = path or settings_path()
    data, warnings = _read(path)
    if warnings and path.exists():
        return  # a file that cannot be read is the user's to look at: never overwrite it
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(tomli_w.dumps(data | changes), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # settings are a convenience; never fail a session over them
