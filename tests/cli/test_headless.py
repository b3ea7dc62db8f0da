"""`live --headless` for scripts: it stops once nothing reads its lines."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from tests.helpers import ENV


def demo_without_midi(tiny_model: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    """The demo in-process (no MIDI system answers), its JSON lines on a pipe."""
    env = {**ENV, "JACK_DEFAULT_SERVER": f"nowhere-{uuid.uuid4().hex[:8]}"}
    env |= {"MUSICGEN_AUDIO_DRIVER": "jack", "XDG_CONFIG_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "musicgen_live", "live", "--headless", "--json", "--demo"]
    command += ["--backend", "jack", "--model", str(tiny_model)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)


def exit_code(process: subprocess.Popen[bytes]) -> int:
    """How the session ended, once its reader went away (killed if still playing at 30 s)."""
    try:
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_session_ends_when_its_reader_goes_away(tiny_model: Path, tmp_path: Path) -> None:
    process = demo_without_midi(tiny_model, tmp_path)
    assert process.stdout is not None
    first = json.loads(process.stdout.readline())
    assert first["event"]
    process.stdout.close()  # the script reading it went away
    assert exit_code(process) == 0


def test_a_reader_gone_before_the_first_line_still_ends_the_session(
    tiny_model: Path, tmp_path: Path
) -> None:
    """The pipe is closed before the session is built: its first notices (printed while the
    ports open) are the ones that find no reader."""
    process = demo_without_midi(tiny_model, tmp_path)
    assert process.stdout is not None
    process.stdout.close()
    assert exit_code(process) == 0
