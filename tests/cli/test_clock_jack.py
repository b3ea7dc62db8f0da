"""MIDI clock on a JACK dummy server: `jack_midi_clock` (driven by JACK transport) on the
engine's input with `--sync clock --quantize 1/16`, and the engine's own clock out with
`--clock-out --bpm 120` on a monitoring port."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mido
import numpy as np
import pytest

from musicgen_live import assets
from tests.jack import MonitorProcess, phrase_events, play
from tests.rig.headless import running

PHRASE = assets.demo_phrase()
PERIOD = 256 / 48000  # the test server's JACK period
pytestmark = pytest.mark.jack


@contextmanager
def midi_clock(bpm: int, *ports: str) -> Iterator[subprocess.Popen[bytes]]:
    """`jack_midi_clock` at `bpm`, connected to `ports`, with JACK transport rolling."""
    assert shutil.which("jack_midi_clock"), "make test installs jack-midi-clock"
    clock = subprocess.Popen(
        ["jack_midi_clock", "-b", str(bpm), "-B", *ports],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        subprocess.run(["jack_transport"], input=b"play\n", capture_output=True, timeout=10)
        yield clock
    finally:
        subprocess.run(["jack_transport"], input=b"stop\n", capture_output=True, timeout=10)
        clock.terminate()
        clock.wait(timeout=10)


def tick_numbers(ticks: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """The monitor's ticks, each numbered by the gaps before it: a tick JACK lost on the way
    to the monitor (a gap of two periods) still counts, and one it delivered twice (a gap of
    almost nothing) counts once, so neither moves every tick after it by one."""
    times = np.asarray(ticks)
    gaps = np.diff(times)
    period = float(np.median(gaps))
    steps = np.round(gaps / period)
    kept = np.concatenate([[True], steps > 0])
    numbers = np.concatenate([[0.0], np.cumsum(steps)])
    return numbers[kept], times[kept]


def grid_error(onsets: list[float], ticks: list[float], every: int) -> np.ndarray:
    """Each onset's distance (s) to the nearest line of the grid the ticks lay down."""
    numbers, times = tick_numbers(ticks)
    period, zero = np.polyfit(numbers, times, 1)
    lines = (np.asarray(onsets) - zero) / (period * every)
    return np.abs(lines - np.round(lines)) * period * every


def test_a_tick_lost_or_doubled_on_the_way_to_the_monitor_does_not_move_its_grid() -> None:
    period = 60 / (120 * 24)
    ticks = [0.0005 * (k % 3) + k * period for k in range(200) if k != 30]  # one lost
    ticks.insert(100, ticks[99] + 0.0001)  # one delivered twice
    onsets = [k * 6 * period + 0.001 for k in range(5, 30)]
    assert float(grid_error(onsets, ticks, 6).max()) < 0.002
    assert float(grid_error([o + 0.02 for o in onsets], ticks, 6).min()) > 0.015


def assert_recorded_on_the_grid(midi: mido.MidiFile) -> None:
    """The take carries the clock's tempo and bars: 120 bpm in 4/4, the answer's notes on
    the file's sixteenths (120 ticks of 480 a beat; 3 ticks are 3 ms at 120 bpm)."""
    player, model = midi.tracks
    assert [m for m in player if m.type == "set_tempo"]
    beats = max(sum(m.time for m in track) for track in midi.tracks) / midi.ticks_per_beat
    assert abs(midi.length / beats - 0.5) < 0.005  # over the take: 120 bpm, within 1 %
    assert [m.numerator for m in player if m.type == "time_signature"] == [4]
    ticks = np.cumsum([m.time for m in model])
    onsets = [t for t, m in zip(ticks, model, strict=True) if m.type == "note_on" and m.velocity]
    off = np.abs((np.asarray(onsets) + 60) % 120 - 60)
    assert len(onsets) >= 12 and float(off.max()) <= 2 * PERIOD / 0.5 * 480 + 3, off


@pytest.mark.parametrize("quantize", ["1/16", "off"])
def test_answers_fall_on_the_grid_of_the_clock_followed(
    jack_server: str, tiny_model: Path, quantize: str, tmp_path: Path
) -> None:
    record = tmp_path / "take.mid"
    flags = ("--sync", "clock", "--quantize", quantize, "--length", "12", "--record", str(record))
    with running(tiny_model, *flags) as s:
        ticks = MonitorProcess(None, f"clock-monitor-{quantize.replace('/', '')}")
        engine_in = s.keyboard.name
        with midi_clock(120, engine_in, ticks.port_name):
            event = s.wait_event(lambda e: e.get("event") == "ClockChanged" and e.get("running"))
            assert event["source"] == "external"
            time.sleep(1.5)  # a few beats to lock on
            end = play(s.keyboard, phrase_events(PHRASE, 12))
            s.wait_event(lambda e: e.get("event") == "AnswerEnded", 30)
            tick_times = [t for t, m in ticks.messages if m.type == "clock"]
        ticks.close()
        onsets = [t for t, _ in s.capture.note_ons(end)]
        assert len(onsets) >= 12
        shown = [e for e in s.events if e.get("event") == "ClockChanged"]
        assert abs(float(shown[-1]["bpm"]) - 120) < 1.0  # type: ignore[arg-type]
        assert s.stop() == 0
    error = grid_error(onsets, tick_times, 6)
    if quantize == "1/16":  # within about two JACK periods (in and out) of a sixteenth
        assert float(error.max()) < 2 * PERIOD + 0.003, np.round(error * 1000, 1)
        assert_recorded_on_the_grid(mido.MidiFile(record))
    else:  # the model's own times: spread over the sixteenth (62.5 ms)
        assert float(np.median(error)) > 2 * PERIOD + 0.003, np.round(error * 1000, 1)


def test_clock_out_ticks_at_the_tempo_with_start_before_the_answer_and_stop_at_the_end(
    jack_server: str, tiny_model: Path
) -> None:
    with running(tiny_model, "--clock-out", "--bpm", "120", "--length", "8") as session:
        time.sleep(1.0)
        play(session.keyboard, phrase_events(PHRASE, 12))
        session.wait_event(lambda e: e.get("event") == "AnswerEnded", 30)
        time.sleep(0.5)
        assert session.stop() == 0
    messages = session.capture.messages
    kinds = [m.type for _, m in messages]
    assert kinds.count("start") == 1 and kinds[-1] == "stop"
    first_note = kinds.index("note_on")
    assert kinds.index("start") < first_note
    ticks = [t for t, m in messages if m.type == "clock"]
    gaps = np.diff(ticks)
    assert abs(float(gaps.mean()) - 60 / (120 * 24)) < 0.0005
    assert len(ticks) > 48 * 2  # ticks ran before Start too (a DAW can lock to the tempo)
