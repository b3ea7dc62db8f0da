"""`live --headless` for scripts: it stops once nothing reads its lines."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from tests.helpers import ENV


def test_the_session_ends_when_its_reader_goes_away(tiny_model: Path, tmp_path: Path) -> None:
    """The demo in-process (no MIDI system answers), its stdout a pipe that is then closed."""
    env = {**ENV, "JACK_DEFAULT_SERVER": f"nowhere-{uuid.uuid4().hex[:8]}"}
    env |= {"MUSICGEN_AUDIO_DRIVER": "jack", "XDG_CONFIG_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "musicgen_live", "live", "--headless", "--json", "--demo"]
    command += ["--backend", "jack", "--model", str(tiny_model)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None
    first = json.loads(process.stdout.readline())
    assert first["event"]
    process.stdout.close()  # the script reading it went away
    try:
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0


def test_a_reader_gone_before_the_first_line_still_ends_the_session(
    tiny_model: Path, tmp_path: Path
) -> None:
    """The pipe is closed before the session is built: its first notices (printed while the
    ports open) are the ones that find no reader."""
    env = {**ENV, "JACK_DEFAULT_SERVER": f"nowhere-{uuid.uuid4().hex[:8]}"}
    env |= {"MUSICGEN_AUDIO_DRIVER": "jack", "XDG_CONFIG_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "musicgen_live", "live", "--headless", "--json", "--demo"]
    command += ["--backend", "jack", "--model", str(tiny_model)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert process.stdout is not None
    process.stdout.close()
    try:
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0
