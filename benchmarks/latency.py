"""Response latency and onset accuracy of the live engine, through a JACK dummy server.

Starts its own `jackd -d dummy` (48 kHz, 64-frame periods), runs `musicgen-live live
--headless` on it, plays phrases cut from the hannds test pieces into the engine's input
many times, and measures on a monitoring port:

- response: the moment the phrase detector fired (the engine's PhraseHeard event, same
  monotonic clock) to the first answer note arriving on the monitoring port;
- onset error: each answer note-on's arrival against its scheduled time (the engine reports
  when it sent each note and how late that was against its deadline).

Baseline, same run: the JACK transport alone (a test port sending straight to the monitor).
Prints a table, then one JSON line.

    .venv/bin/python benchmarks/latency.py [--model models/default] [--answers 40]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import mido
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from musicgen_live.midi_files import notes_from_midi  # noqa: E402
from musicgen_live.training.datasets import hannds_folder  # noqa: E402
from tests.jack import (  # noqa: E402
    Capture,
    backend,
    headless_command,
    keyboard,
    play,
    start_jack,
    wait_port,
)


def phrases(count: int, notes: int = 10) -> list[list[tuple[float, mido.Message]]]:
    """Short phrases from the held-out hannds pieces, each starting at time 0."""
    result = []
    pieces = [notes_from_midi(p) for p in sorted((hannds_folder() / "test").glob("*.mid"))]
    for index in range(count):
        piece = pieces[index % len(pieces)]
        offset = (index * 37) % (len(piece) - notes)
        cut = piece[offset : offset + notes]
        first, last = cut[0].start, max(n.start for n in cut)
        events = [
            (n.start - first, mido.Message("note_on", note=n.pitch, velocity=n.velocity))
            for n in cut
        ]
        events += [
            (min(n.end, last + 0.3) - first, mido.Message("note_off", note=n.pitch)) for n in cut
        ]
        result.append(sorted(events, key=lambda e: (e[0], e[1].type == "note_on")))
    return result


def transport_baseline(rounds: int = 200) -> list[float]:
    """JACK alone: a message from one test port to another, arrival minus send."""
    midi = backend()
    capture = Capture()
    sink = midi.open_input("baseline-in", virtual=True, client_name="baseline")
    sink.callback = capture
    source = keyboard("baseline-out", wait_port("output", "baseline-in"))
    time.sleep(0.2)
    sent = []
    for index in range(rounds):
        sent.append(time.monotonic())
        source.send(mido.Message("note_on", note=60 + index % 12, velocity=64))
        time.sleep(0.005 + (index % 7) * 0.0007)
    time.sleep(0.2)
    source.close()
    sink.close()
    return [arrived - start for start, (arrived, _) in zip(sent, capture.messages, strict=False)]


def wait_for_answer(
    events: list[dict[str, object]], start: int, timeout: float = 30.0
) -> list[dict[str, object]]:
    """The engine's events from the phrase heard after `start` to the end of its answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mine = events[start:]
        heard = [i for i, e in enumerate(mine) if e["event"] == "PhraseHeard"]
        if heard and any(e["event"] == "AnswerEnded" for e in mine[heard[0] :]):
            time.sleep(0.05)  # the last note-offs cross the JACK period
            return events[start + heard[0] :]
        time.sleep(0.01)
    raise RuntimeError(f"no answer within {timeout} s; last events: {events[-5:]}")


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--answers", type=int, default=40)
    parser.add_argument("--length", type=int, default=12, help="notes per answer")
    parser.add_argument(
        "--realtime", action="store_true", help="run JACK with realtime scheduling (as root)"
    )
    args = parser.parse_args()

    server = f"musicgen-bench-{os.getpid()}"
    jack = start_jack(server, Path(f"/tmp/{server}.log"), realtime=args.realtime)
    os.environ["JACK_DEFAULT_SERVER"] = server
    engine = None
    try:
        baseline = transport_baseline()
        engine = subprocess.Popen(
            headless_command(
                args.model,
                "bench-in",
                "bench-out",
                "--length",
                str(args.length),
                "--silence",
                "300",
                "--rng-seed",
                "0",
            ),
            stdout=subprocess.PIPE,
            text=True,
        )
        events: list[dict[str, object]] = []

        def read() -> None:
            assert engine is not None and engine.stdout is not None
            for line in engine.stdout:
                events.append(json.loads(line))

        threading.Thread(target=read, daemon=True).start()
        midi = backend()
        capture = Capture()
        monitor = midi.open_input(wait_port("input", "bench-out"))
        monitor.callback = capture
        player = keyboard("bench-keys", wait_port("output", "bench-in"))
        time.sleep(0.5)
        responses, onset_errors, mismatched = [], [], 0
        for events_of_phrase in phrases(args.answers):
            before_events, before_notes = len(events), len(capture.messages)
            played_until = play(player, events_of_phrase)
            mine = wait_for_answer(events, before_events, played_until)
            heard = next(e for e in mine if e["event"] == "PhraseHeard")
            played = [
                e for e in mine if e["event"] == "NotePlayed" and e["source"] == "model" and e["on"]
            ]
            arrivals = [
                (t, m.note)
                for t, m in capture.messages[before_notes:]
                if m.type == "note_on" and m.velocity > 0 and t >= float(heard["at"])  # type: ignore[arg-type]
            ]
            responses.append(arrivals[0][0] - float(heard["at"]))  # type: ignore[arg-type]
            if [pitch for _, pitch in arrivals] != [note["pitch"] for note in played]:
                mismatched += 1  # a message lost or garbled between the ports: no onset pairs
                continue
            for note, (arrived, _) in zip(played, arrivals, strict=True):
                scheduled = float(note["at"]) - float(note["late_ms"]) / 1000  # type: ignore[arg-type]
                onset_errors.append(arrived - scheduled)
            time.sleep(0.3)
        engine.send_signal(signal.SIGTERM)
        engine.wait(timeout=10)
    finally:
        if engine is not None and engine.poll() is None:
            engine.kill()
        jack.terminate()
        jack.wait(timeout=10)

    result = {
        "answers": len(responses),
        "response_p50_ms": round(pct(responses, 50), 3),
        "response_p95_ms": round(pct(responses, 95), 3),
        "response_max_ms": round(pct(responses, 100), 3),
        "onset_error_p50_ms": round(pct(onset_errors, 50), 3),
        "onset_error_p99_ms": round(pct(onset_errors, 99), 3),
        "onsets": len(onset_errors),
        "answers_with_lost_or_garbled_notes": mismatched,
        "jack_transport_p50_ms": round(pct(baseline, 50), 3),
        "jack_transport_p99_ms": round(pct(baseline, 99), 3),
    }
    rows = (
        ("phrase end -> first answer note", "response_p50_ms", "response_p95_ms"),
        ("answer onset - scheduled time", "onset_error_p50_ms", "onset_error_p99_ms"),
        ("baseline: JACK transport alone", "jack_transport_p50_ms", "jack_transport_p99_ms"),
    )
    print(f"{'measure':<40}{'p50 ms':>10}{'p95/p99 ms':>12}")
    for title, middle, tail in rows:
        print(f"{title:<40}{result[middle]:>10.2f}{result[tail]:>12.2f}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
