"""Live start to ready, resident memory, and whether TensorFlow was loaded.

Starts `musicgen-live live --headless` on its own JACK dummy server and times it from the
process start to its first event (the engine listening). Memory is the process's resident
set once ready; TensorFlow counts as loaded if any of its shared libraries is mapped.
Baseline, same run: a bare `python -c pass` start. Prints a table, then one JSON line.

    .venv/bin/python benchmarks/startup.py [--model FOLDER] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from musicgen_live import assets  # noqa: E402
from tests.rig.jack_rig import headless_command, start_jack  # noqa: E402


def start_once(model: Path) -> tuple[float, float, bool]:
    started = time.monotonic()
    process = subprocess.Popen(
        headless_command(model, "startup-in", "startup-out"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if json.loads(line).get("event") == "StateChanged":
            break
    ready = time.monotonic() - started
    info = psutil.Process(process.pid)
    rss = info.memory_info().rss / 2**20
    tensorflow = any("tensorflow" in m.path for m in info.memory_maps())
    process.terminate()
    process.wait(timeout=10)
    return ready, rss, tensorflow


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=assets.default_model())
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server = f"musicgen-startup-{os.getpid()}"
    jack = start_jack(server, Path(f"/tmp/{server}.log"))
    os.environ["JACK_DEFAULT_SERVER"] = server
    try:
        bare = []
        for _ in range(args.runs):
            started = time.monotonic()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append(time.monotonic() - started)
        runs = [start_once(args.model) for _ in range(args.runs)]
    finally:
        jack.terminate()
        jack.wait(timeout=10)
    result = {
        "ready_s": round(float(np.median([r[0] for r in runs])), 3),
        "ready_max_s": round(max(r[0] for r in runs), 3),
        "rss_mb": round(max(r[1] for r in runs), 1),
        "tensorflow_imported": any(r[2] for r in runs),
        "python_start_s": round(float(np.median(bare)), 3),
        "runs": args.runs,
    }
    print(f"{'measure':<36}{'value':>10}")
    print(f"{'live start to ready (median), s':<36}{result['ready_s']:>10.3f}")
    print(f"{'baseline: bare python start, s':<36}{result['python_start_s']:>10.3f}")
    print(f"{'resident memory when ready, MB':<36}{result['rss_mb']:>10.1f}")
    print(f"{'TensorFlow loaded':<36}{result['tensorflow_imported']!s:>10}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
