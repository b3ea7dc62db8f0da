"""What several test modules share: the small MIDI files, the command line run in this
process or as a user runs it, and a copy of a finished training run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from musicgen_live.cli import main

DATA = Path(__file__).parent / "data"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def exit_code(argv: list[str]) -> int:
    """`musicgen-live ARGV` in this process; argparse's exits become their status."""
    try:
        return main(argv)
    except SystemExit as stop:  # argparse
        return int(stop.code or 0)


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one line `musicgen-live ARGV` writes to stderr as it exits with status 2."""
    assert exit_code(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`musicgen-live ARGS` in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "musicgen_live", *args],
        capture_output=True,
        text=True,
        env=env or ENV,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def copy_of(run: Path, tmp_path: Path) -> Path:
    """A training run copied where a test may change it."""
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    return copy
