"""The wheel works on its own: built from the package, installed into a folder of its own and
run from elsewhere, it finds its bundled model and the demo phrase, and leaves model.keras out."""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.midi_files import notes_from_midi
from tests.helpers import ENV

ROOT = Path(__file__).resolve().parent.parent
ANSWER_WITHIN = 25.0  # seconds from the start to the first answer of the demo


def build_wheel(folder: Path) -> Path:
    """The wheel, built from a copy of the sources so the checkout gets no build/ folder."""
    source = folder / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "musicgen_live", source / "musicgen_live", ignore=ignore)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*pip, "-w", str(folder / "dist"), str(source)], check=True, timeout=300)
    return next((folder / "dist").glob("musicgen_live-*.whl"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the wheel is installed into, alone."""
    folder = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(folder)
    names = zipfile.ZipFile(wheel).namelist()
    bundled = "musicgen_live/bundled/"
    for name in ("models/default/model.json", "models/default/model.tflite", "phrase.mid"):
        assert bundled + name in names
    assert not [name for name in names if name.endswith(".keras")]
    target = folder / "target"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target"]
    subprocess.run([*install, str(target), str(wheel)], check=True, timeout=300)
    return target


def installed_env(target: Path, home: Path) -> dict[str, str]:
    """Imports from the installed copy; no MIDI system, no sound, no remembered settings."""
    return ENV | {
        "PYTHONPATH": str(target),
        "JACK_DEFAULT_SERVER": f"nowhere-{uuid.uuid4().hex[:8]}",
        "MUSICGEN_AUDIO_DRIVER": "jack",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }


def musicgen_live(*args: str) -> list[str]:
    return [sys.executable, "-m", "musicgen_live", *args]


@pytest.mark.slow
def test_the_installed_wheel_generates_from_its_bundled_model(
    installed: Path, tmp_path: Path
) -> None:
    env = installed_env(installed, tmp_path)
    where = [sys.executable, "-c", "import musicgen_live; print(musicgen_live.__file__)"]
    imported = subprocess.run(where, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert Path(imported.stdout.strip()).is_relative_to(installed), imported
    phrase = installed / "musicgen_live" / "bundled" / "phrase.mid"
    generate = musicgen_live("generate", "--seed", str(phrase), "--out", "x.mid", "--notes", "16")
    result = subprocess.run(
        generate, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    seed = notes_from_midi(phrase)
    added = len(notes_from_midi(tmp_path / "x.mid")) - len(seed)
    assert 16 <= added <= 16 + ENDING_REACH  # --notes is a target: the answer closes on a tonic


def read_lines(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)


@pytest.mark.slow
def test_the_installed_wheel_plays_its_demo(installed: Path, tmp_path: Path) -> None:
    command = musicgen_live("live", "--demo", "--headless", "--json", "--backend", "jack")
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=installed_env(installed, tmp_path),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_lines, args=(process, lines), daemon=True).start()
    events: list[str] = []
    deadline = time.monotonic() + ANSWER_WITHIN
    try:
        while "AnswerStarted" not in events:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            events.append(json.loads(line)["event"])
        assert "AnswerStarted" in events, (events, errors.read_text())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, errors.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
