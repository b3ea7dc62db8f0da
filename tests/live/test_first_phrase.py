"""Nothing is imported on the engine's loop: the first phrase and its answer (a real model,
the defaults, clock out) load no module, in a fresh interpreter started as the live command
starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import ENV

ROOT = Path(__file__).resolve().parents[2]


def test_the_first_phrase_and_answer_import_nothing(tiny_model: Path) -> None:
    script = [sys.executable, "-m", "tests.live.first_phrase_imports", str(tiny_model)]
    done = subprocess.run(script, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert imported == [], imported
