"""The bundled files and the model names: `default`, a user model by name, a folder by path."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicgen_live import assets
from musicgen_live.errors import UserError
from tests.helpers import one_line_error


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A models folder holding `mine` (a model), `empty` (no model.json) and a `default`."""
    folder = tmp_path / "models"
    for name in ("mine", "default"):
        (folder / name).mkdir(parents=True)
        (folder / name / "model.json").write_text("{}")
    (folder / "empty").mkdir()
    monkeypatch.setattr(assets, "models_folder", lambda: folder)
    return folder


def test_the_bundled_files_are_inside_the_package() -> None:
    package = Path(assets.__file__).parent
    for path in (assets.default_model() / "model.json", assets.default_model() / "model.tflite"):
        assert path.is_file() and package in path.parents
    assert assets.demo_phrase().is_file() and package in assets.demo_phrase().parents


def test_a_checkout_keeps_its_models_beside_the_package() -> None:
    assert assets.models_folder() == Path(assets.__file__).resolve().parents[1] / "models"


def test_default_names_the_bundled_model_even_beside_a_user_folder_of_that_name(
    models: Path,
) -> None:
    assert assets.resolve_model("default") == assets.default_model()
    assert assets.model_choices() == [
        ("default", assets.default_model()),
        ("mine", models / "mine"),
    ]


def test_a_name_in_the_models_folder_or_a_path(models: Path, tmp_path: Path) -> None:
    assert assets.resolve_model("mine") == models / "mine"
    assert assets.resolve_model("empty") == models / "empty"  # loading it says what is missing
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert assets.resolve_model(str(elsewhere)) == elsewhere


@pytest.mark.parametrize("text", ["nothing", "", "no/such/folder", "/no/such/folder"])
def test_anything_else_is_refused_in_one_line(models: Path, text: str) -> None:
    with pytest.raises(UserError) as refused:
        assets.resolve_model(text)
    message = str(refused.value)
    assert "\n" not in message and "default, mine" in message and str(models) in message


def test_model_name_round_trips(models: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for folder, name in [
        (assets.default_model(), "default"),
        (models / "mine", "mine"),
        (elsewhere, str(elsewhere.resolve())),
    ]:
        assert assets.model_name(folder) == name
        assert assets.resolve_model(name).resolve() == folder.resolve()
    assert assets.model_name(models / "default") == str((models / "default").resolve())


def test_no_user_model_may_be_named_default(
    models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.json").write_text("{}")  # looks like a run: the --out check is what stops
    line = one_line_error(capsys, ["export", str(run), "--out", str(models / "default")])
    assert "--out" in line and "default" in line
    assert assets.is_reserved(models / "default")
    assert not assets.is_reserved(models / "mine" / "default")


def test_a_mistyped_model_stops_before_any_work(
    models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_line_error(capsys, ["generate", "--model", "minr", "--seed", "x.mid"])
    assert "--model" in line and "'minr'" in line
