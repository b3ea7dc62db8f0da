"""The bundled model, the demo phrase and the model list: the files shipped inside the package,
read through importlib.resources, and the folder where the user's own models live."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from musicgen_live.errors import UserError

DEFAULT = "default"  # the bundled model's name; no user model may take it
CARD = "model.json"  # every model folder holds one


def _bundled(*parts: str) -> Path:
    """A file or folder under musicgen_live/bundled/ (an installed package lies on disk)."""
    return Path(str(importlib.resources.files("musicgen_live").joinpath("bundled", *parts)))


def default_model() -> Path:
    """The folder of the model shipped with the package."""
    return _bundled("models", DEFAULT)


def demo_phrase() -> Path:
    """The phrase the demo plays: the opening of Fauré's Clair de lune."""
    return _bundled("phrase.mid")


def models_folder() -> Path:
    """Where the user's models live: `models/` of the checkout when running from one, else
    the per-user data folder. It may not exist yet."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "models"
    from platformdirs import user_data_dir

    return Path(user_data_dir("musicgen-live")) / "models"


def user_models() -> list[Path]:
    """Every folder of the models folder that holds a model, by name."""
    folder = models_folder()
    return sorted(card.parent for card in folder.glob(f"*/{CARD}") if card.parent.name != DEFAULT)


def model_choices() -> list[tuple[str, Path]]:
    """The models to choose from: the bundled one as `default` first, then the user's by name."""
    return [(DEFAULT, default_model())] + [(folder.name, folder) for folder in user_models()]


def is_reserved(folder: Path) -> bool:
    """Whether a folder would be a user model named `default`, which the bundled one is."""
    path = folder.expanduser().resolve()
    return path.name == DEFAULT and path.parent == models_folder().resolve()


def _is_name(text: str) -> bool:
    """Whether text names a folder of the models folder rather than a path."""
    return text not in ("", ".", "..") and Path(text).name == text


def resolve_model(text: str) -> Path:
    """The model folder a name or a path means: `default` (the bundled model), the name of a
    model in the models folder, or the path of a folder. UserError when it is none of them."""
    if text == DEFAULT:
        return default_model()
    if _is_name(text) and (models_folder() / text).is_dir():
        return models_folder() / text
    path = Path(text).expanduser()
    if text and path.is_dir():
        return path
    names = ", ".join(name for name, _ in model_choices())
    raise UserError(
        f"{text!r} is neither a model name ({names}; user models live in {models_folder()})"
        " nor a model folder"
    )


def model_name(folder: Path) -> str:
    """How a model is remembered: `default` for the bundled one, its name when it lies in the
    models folder, else its absolute path. resolve_model() reads it back."""
    path = folder.expanduser().resolve()
    if path == default_model().resolve():
        return DEFAULT
    if path.parent == models_folder().resolve() and path.name != DEFAULT:
        return path.name
    return str(path)
