"""MIDI clock in and out, through a JACK dummy server (48 kHz, 64-frame periods).

Clock in: `jack_midi_clock -b 120 -B` (JACK transport rolling) drives the engine's input,
which runs `live --headless --sync clock --quantize 1/16` with the bundled model; phrases from
the hannds test pieces are played into it, and a monitoring port in its own process stamps
both the clock's ticks and the answer notes at their frames. Each answer onset's distance to
the nearest sixteenth of the grid the ticks lay down (a line fitted to the monitored ticks)
is the grid error. Then `jack_midi_clock` is restarted at 90 bpm while the transport rolls,
and the same is measured against the new grid, counting from one beat after the restart.

Clock out: `live --headless --clock-out --bpm 120`; the monitor measures the clock's
intervals (mean and jitter: each interval's distance from the mean), and checks that Start
arrives before the first answer note and Stop after the engine is told to quit.

Baseline, same run: the ticks of `jack_midi_clock` itself, measured the same way.
Prints a table, then one JSON line.

    .venv/bin/python benchmarks/clock.py [--answers 12]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.latency import phrases, wait_for_answer  # noqa: E402
from musicgen_live import assets  # noqa: E402
from tests.rig.jack_rig import (  # noqa: E402
    MonitorProcess,
    backend,
    close_listers,
    play,
    start_jack,
    wait_port,
)
from tests.rig.live_process import LiveProcess  # noqa: E402

SIXTEENTH = 6  # ticks
NEAR = 3  # ticks either side of an onset that say where the grid is
DUPLICATE = 0.001  # seconds: two ticks closer than this are one recorded twice


def midi_clock(bpm: int, *ports: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["jack_midi_clock", "-b", str(bpm), "-B", *ports],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def transport(command: str) -> None:
    subprocess.run(["jack_transport"], input=command.encode() + b"\n", capture_output=True)


def grid_errors(onsets: list[float], ticks: list[float]) -> list[float]:
    """Each onset's distance (s) to the nearest sixteenth of the grid around it: a line fitted
    to the ticks within NEAR ticks either side, so the grid is where the ticks themselves
    are. Local, because the dummy driver's clock and the monotonic clock drift apart by up
    to 1 % under load, and its ticks jump by milliseconds after an overrun. Which tick
    starts a sixteenth is taken from the onsets (the phase that fits them best): the monitor,
    a Python client at 750 cycles a second, may miss the first ticks after Start, so it
    cannot number them."""
    times = np.asarray(ticks)
    numbers = tick_numbers(times)
    positions, periods = [], []
    for onset in onsets:
        near = np.abs(times - onset) <= (NEAR + 0.5) * np.median(np.diff(times))
        if near.sum() < NEAR:
            continue
        period, zero = np.polyfit(numbers[near], times[near], 1)
        positions.append((onset - zero) / period)
        periods.append(period)
    if not positions:
        return []
    ticks_at, seconds = np.asarray(positions), np.asarray(periods)

    def errors(phase: int) -> np.ndarray:
        lines = (ticks_at - phase) / SIXTEENTH
        return np.abs(lines - np.round(lines)) * SIXTEENTH * seconds

    best = min(range(SIXTEENTH), key=lambda phase: float(np.median(errors(phase))))
    return list(errors(best))


def clock_ticks(capture: MonitorProcess, since: int = 0) -> list[float]:
    """The arrival times of the clock ticks the monitor recorded, each once: a loaded
    monitor sometimes records a tick twice, a few microseconds apart (a JACK cycle handed to
    it twice after an overrun; the engine's input got it once)."""
    times: list[float] = []
    for at, message in capture.messages[since:]:
        if message.type == "clock" and not (times and at - times[-1] < DUPLICATE):
            times.append(at)
    return times


def tick_numbers(times: np.ndarray, least: int = 0) -> np.ndarray:
    """Each tick's number from the first: each gap rounded to whole periods, so a tick the
    monitor missed still counts (two periods are two ticks) and a tick it stamped late does
    not count twice (1.6 and then 0.4 periods are two ticks)."""
    period = float(np.median(np.diff(times)))
    return np.concatenate([[0], np.cumsum(np.maximum(least, np.round(np.diff(times) / period)))])


def jitter(ticks: list[float]) -> tuple[float, float]:
    """(mean interval, p99 of each interval's distance from the mean), in ms. Two ticks at
    once count as two intervals, one of them empty: a sender that falls behind shows."""
    times = np.asarray(ticks)
    gaps = np.diff(times) / np.diff(tick_numbers(times, least=1))  # per tick, across missed
    return float(gaps.mean() * 1000), float(np.percentile(np.abs(gaps - gaps.mean()), 99) * 1000)


def answer_onsets(
    engine: LiveProcess, player: object, capture: MonitorProcess, count: int
) -> list[float]:
    """Play `count` phrases; the arrival times of the answers' note-ons."""
    onsets: list[float] = []
    for events_of_phrase in phrases(count):
        before = len(engine.events)
        end = play(player, events_of_phrase)
        wait_for_answer(engine.events, before)
        onsets += [t for t, m in capture.note_ons(end)]
        time.sleep(0.3)
    return onsets


def clock_in(model: str, answers: int) -> dict[str, float]:
    # one monitoring port hears both the clock and the answers (one Python JACK client, as
    # two would compete for the two cores at 750 cycles a second)
    capture = ticks = MonitorProcess(None, "monitor")
    engine = LiveProcess(
        ["--in", "clock-in", "--out", capture.port_name, "--model", model, "--rng-seed", "0"]
        + ["--sync", "clock", "--quantize", "1/16", "--length", "12"]
    )
    try:
        engine_in = wait_port("output", "clock-in")
        player = backend().open_output(engine_in)
        clock = midi_clock(120, engine_in, ticks.port_name)
        time.sleep(0.5)
        transport("play")
        time.sleep(2.0)
        onsets = answer_onsets(engine, player, capture, answers)
        tick_times = clock_ticks(ticks)
        errors = grid_errors(onsets, tick_times)
        baseline_jitter = jitter(tick_times)
        clock.terminate()
        clock.wait()
        restarted = len(ticks.messages)
        clock = midi_clock(90, engine_in, ticks.port_name)  # the transport still rolls
        time.sleep(2.0)
        after_onsets = answer_onsets(engine, player, capture, max(4, answers // 3))
        new_ticks = clock_ticks(ticks, restarted)
        beat = 60 / 90
        after_errors = grid_errors([t for t in after_onsets if t > new_ticks[0] + beat], new_ticks)
        clock.terminate()
        clock.wait()
        transport("stop")
        player.close()  # type: ignore[attr-defined]
        capture.close()
    finally:
        engine.stop()
    return {
        "grid_error_p50_ms": float(np.percentile(errors, 50) * 1000),
        "grid_error_p99_ms": float(np.percentile(errors, 99) * 1000),
        "grid_error_max_ms": float(max(errors) * 1000),
        "onsets": float(len(errors)),
        "after_restart_p99_ms": float(np.percentile(after_errors, 99) * 1000),
        "after_restart_onsets": float(len(after_errors)),
        "source_interval_ms": baseline_jitter[0],
        "source_jitter_p99_ms": baseline_jitter[1],
    }


def clock_out(model: str) -> dict[str, float]:
    capture = MonitorProcess(None, "daw")
    engine = LiveProcess(
        ["--in", "out-keys", "--out", capture.port_name, "--model", model, "--rng-seed", "0"]
        + ["--clock-out", "--bpm", "120", "--length", "16"]
    )
    try:
        player = backend().open_output(wait_port("output", "out-keys"))
        time.sleep(2.0)
        for events_of_phrase in phrases(2):
            before = len(engine.events)
            play(player, events_of_phrase)
            wait_for_answer(engine.events, before)
        time.sleep(2.0)
        player.close()
    finally:
        engine.stop()
    time.sleep(0.3)
    kinds = [m.type for _, m in capture.messages]
    capture.close()
    # every tick as recorded: two ticks sent at once by a late engine must show
    ticks = [t for t, m in capture.messages if m.type == "clock"]
    interval, spread = jitter(ticks)
    return {
        "clock_out_interval_ms": interval,
        "clock_out_jitter_p99_ms": spread,
        "clock_out_ticks": float(len(ticks)),
        "start_before_first_note": float(kinds.index("start") < kinds.index("note_on")),
        "stop_at_the_end": float(kinds[-1] == "stop"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(assets.default_model()))
    parser.add_argument("--answers", type=int, default=12)
    args = parser.parse_args()
    server = f"musicgen-clock-{os.getpid()}"
    jack = start_jack(server, Path(f"/tmp/{server}.log"), period=64)
    os.environ["JACK_DEFAULT_SERVER"] = server
    try:
        result = clock_in(args.model, args.answers) | clock_out(args.model)
    finally:
        close_listers()
        jack.terminate()
        jack.wait(timeout=10)
    print("| figure | value |\n|---|---|")
    for name, value in result.items():
        print(f"| {name} | {value:.2f} |")
    print(json.dumps({k: round(v, 3) for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
