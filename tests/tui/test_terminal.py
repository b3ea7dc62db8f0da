"""`musicgen-live` with its UI on screen in a pseudo-terminal, as a user runs it, on a JACK
dummy server: it answers a phrase, an idle screen writes next to nothing, and q quits cleanly."""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path

import psutil
import pytest

from musicgen_live import assets
from musicgen_live.answer_shape import ENDING_REACH
from tests.jack import MonitorProcess, keyboard, phrase_events, play, wait_port
from tests.midi_checks import sounding_after
from tests.rig.live_process import LiveProcess

PHRASE = assets.demo_phrase()
pytestmark = pytest.mark.jack


def wait_event(process: LiveProcess, name: str, timeout: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in list(process.events):
            if event.get("event") == name:
                return event
        time.sleep(0.02)
    raise AssertionError(f"no {name}; got {process.events[-5:]}")


def test_the_ui_on_screen_answers_idles_quietly_and_quits(
    jack_server: str, tiny_model: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    in_name, out_name = f"pty-in-{tag}", f"pty-out-{tag}"
    options = ["--in", in_name, "--out", out_name, "--model", str(tiny_model), "--length", "6"]
    process = LiveProcess(options, tui=True)
    keys = capture = None
    try:
        wait_event(process, "StateChanged")
        capture = MonitorProcess(wait_port("input", out_name), f"monitor-{tag}")
        keys = keyboard(f"keys-{tag}", wait_port("output", in_name))
        time.sleep(1.0)
        written = process.screen_bytes
        time.sleep(3.0)
        per_second = (process.screen_bytes - written) / 3.0
        assert per_second < 2000, f"an idle screen wrote {per_second:.0f} bytes/s"
        play(keys, phrase_events(PHRASE, 8))
        ended = wait_event(process, "AnswerEnded")
        assert 6 <= ended["notes"] <= 6 + ENDING_REACH  # a target: it closes on a tonic
        assert len(capture.note_ons()) == ended["notes"]
        assert process.stop() == 0
    finally:
        if process.process.poll() is None:
            process.process.kill()
        for port in (keys, capture):
            if port is not None:
                port.close()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGKILL])
def test_the_ui_ended_by_a_signal_mid_answer_leaves_no_note_sounding(
    jack_server: str, tiny_model: Path, number: signal.Signals
) -> None:
    """SIGTERM quits as q does, the terminal restored. The engine runs in a process of its
    own: when the UI's process dies (SIGKILL), the engine's sees its command pipe close and
    stops as on quit, every note off, then ends."""
    tag = uuid.uuid4().hex[:6]
    in_name, out_name = f"pty-in-{tag}", f"pty-out-{tag}"
    options = ["--in", in_name, "--out", out_name, "--model", str(tiny_model), "--length", "40"]
    process = LiveProcess(options, tui=True)
    keys = capture = None
    engines: list[psutil.Process] = []
    try:
        wait_event(process, "StateChanged")
        engines = psutil.Process(process.process.pid).children()
        assert len(engines) == 1  # the engine's own process
        capture = MonitorProcess(wait_port("input", out_name), f"monitor-{tag}")
        keys = keyboard(f"keys-{tag}", wait_port("output", in_name))
        time.sleep(0.5)
        end = play(keys, phrase_events(PHRASE, 8))
        assert capture.wait_for(lambda: len(capture.note_ons(end)) >= 3, 20)
        code = process.kill(number)
        if number == signal.SIGTERM:
            assert code == 0
            assert b"\x1b[?1049l" in process.screen_tail  # out of the alternate screen
        else:
            assert code == -number
        _, alive = psutil.wait_procs(engines, timeout=15)
        assert alive == []
        assert capture.wait_for(lambda: not sounding_after(capture.messages), 2)
        resets = [m.control for _, m in capture.messages if m.type == "control_change"]
        assert resets[-2:] == [64, 123]
    finally:
        if process.process.poll() is None:
            process.process.kill()
        for engine in engines:
            if engine.is_running():
                engine.kill()
        for port in (keys, capture):
            if port is not None:
                port.close()
