"""The real app over a real engine thread on a JACK dummy server, driven by Textual's Pilot:
play, steer, record, panic and quit with every note off; a stalled UI never delays a note;
switching the output while running."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mido
import pytest
from textual.widgets import OptionList

from musicgen_live import assets
from musicgen_live import sampling as defaults
from musicgen_live.cli import build_parser
from musicgen_live.cli.live_config import resolve_config
from musicgen_live.live.events import EngineEvent, NotePlayed, Recording
from musicgen_live.live.thread import EngineThread
from musicgen_live.tui.app import make_app
from musicgen_live.tui.settings import load_settings
from musicgen_live.tui.widgets import PianoRoll, StatePanel
from tests.jack import MonitorProcess, every_note_closed_then_reset, wait_port

PHRASE = assets.demo_phrase()
pytestmark = pytest.mark.jack


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


class Rig:
    """The app, the engine's events as the engine thread saw them, and test ports."""

    def __init__(self, model: Path, tmp_path: Path, *extra: str) -> None:
        tag = uuid.uuid4().hex[:6]
        self.in_name, self.out_name = f"ui-in-{tag}", f"ui-out-{tag}"
        argv = ["live", "--backend", "jack", "--in", self.in_name, "--out", self.out_name]
        argv += ["--model", str(model), "--rng-seed", "3", "--record", str(tmp_path / "rec")]
        args = build_parser().parse_args([*argv, *extra])
        self.config = resolve_config(args, args.given_options, load_settings())
        self.events: list[EngineEvent] = []
        self.engine: EngineThread | None = None
        self.app = make_app(self.config, self.engine_factory)
        self.capture: MonitorProcess | None = None

    def engine_factory(self, on_event: Callable[[EngineEvent], None]) -> EngineThread:
        def both(event: EngineEvent) -> None:
            self.events.append(event)
            on_event(event)

        self.engine = EngineThread(self.config, both)
        return self.engine

    def performance(self) -> Any:
        assert self.engine is not None and self.engine.session is not None
        return self.engine.session.engine.conductor.performance

    def connect(self) -> None:
        self.capture = MonitorProcess(wait_port("input", self.out_name), f"monitor-{self.out_name}")

    async def play(self, notes: int) -> float:
        """Play the example phrase from another process; the app keeps running meanwhile."""
        player = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.play_phrase", self.in_name, str(PHRASE), str(notes),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        output, _ = await player.communicate()
        return float(output.decode().split()[-1])

    def close(self) -> None:
        if self.capture is not None:
            self.capture.close()


@pytest.fixture
def rig(jack_server: str, tiny_model: Path, tmp_path: Path) -> Iterator[Rig]:
    setup = Rig(tiny_model, tmp_path, "--length", "24")
    yield setup
    setup.close()


async def settle(pilot: Any, condition: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.05)
    return False


async def test_play_see_steer_record_panic_and_quit(rig: Rig) -> None:
    async with rig.app.run_test(size=(80, 24)) as pilot:
        assert await settle(pilot, lambda: rig.app.recording is not None)  # --record
        await pilot.press("r")  # stop that one: this test records its own
        assert await settle(pilot, lambda: rig.app.recording is None)
        rig.connect()
        await pilot.pause(0.3)
        played_until = await rig.play(12)
        assert await settle(pilot, lambda: rig.app.query_one(StatePanel).state == "answering")
        roll = rig.app.query_one(PianoRoll)
        assert await settle(pilot, lambda: {n.source for n in roll.notes} == {"player", "model"})
        assert rig.capture is not None
        assert await settle(pilot, lambda: len(rig.capture.note_ons()) >= 1)
        assert rig.capture.note_ons()[0][0] > played_until
        assert rig.app.query_one(StatePanel).latencies

        await pilot.press("T")  # temperature up, for the next answer
        raised = round(defaults.TEMPERATURE + 0.05, 2)
        assert await settle(pilot, lambda: rig.performance().temperature == raised)
        assert load_settings().controls["temperature"] == raised  # remembered
        await pilot.press("y")  # rhythm temperature down, dynamics up
        await pilot.press("D")
        assert await settle(pilot, lambda: rig.performance().rhythm_temperature == 0.95)
        assert await settle(pilot, lambda: rig.performance().dynamics_temperature == 1.05)

        await pilot.press("r")
        assert await settle(pilot, lambda: rig.app.recording is not None)
        recording_from = len(rig.events)
        await pilot.press("p")  # panic: everything off now
        assert await settle(
            pilot,
            lambda: any(
                m.type == "control_change" and m.control == 123 for _, m in rig.capture.messages
            ),
        )
        await rig.play(8)
        assert await settle(pilot, lambda: len(rig.capture.note_ons(time.monotonic() - 5)) >= 2)
        await pilot.press("r")
        assert await settle(
            pilot,
            lambda: any(isinstance(e, Recording) and e.saved for e in rig.events[recording_from:]),
        )
        saved = next(
            e.saved for e in rig.events[recording_from:] if isinstance(e, Recording) and e.saved
        )
        tracks = mido.MidiFile(saved).tracks
        heard = [
            e
            for e in rig.events[recording_from:]
            if isinstance(e, NotePlayed) and e.source == "player" and e.on
        ]
        # every note the engine heard while recording is in the file (the phrase has 8)
        assert len(heard) >= 6
        assert sum(m.type == "note_on" and m.velocity > 0 for m in tracks[0]) == len(heard)
        await pilot.press("q")
    time.sleep(0.2)
    assert every_note_closed_then_reset(rig.capture.messages), [
        (round(t, 3), str(m)) for t, m in rig.capture.messages[-6:]
    ]


async def test_a_stalled_ui_never_delays_the_engine(rig: Rig) -> None:
    async with rig.app.run_test(size=(80, 24)) as pilot:
        rig.connect()
        await pilot.pause(0.3)
        await rig.play(12)
        await pilot.press("space")  # answer now: this test is about playback, not listening
        assert rig.capture is not None
        assert await settle(pilot, lambda: len(rig.capture.note_ons()) >= 1)
        during: list[float] = []
        for _ in range(3):  # the UI thread does nothing for a second, until notes fell in one
            blocked_from = time.monotonic()
            time.sleep(1.0)
            blocked_until = time.monotonic()
            await pilot.pause(0.1)
            played = [
                e for e in rig.events if isinstance(e, NotePlayed) and e.source == "model" and e.on
            ]
            during += [e.late_ms for e in played if blocked_from <= e.at <= blocked_until]
            if len(during) >= 2:  # (the answer's rhythm may leave a second without notes)
                break
        arrivals = [(t, m.note) for t, m in rig.capture.note_ons()]
        assert [p for _, p in arrivals] == [e.pitch for e in played][: len(arrivals)]
        # the engine sent each note on time while the UI slept (a UI-bound engine would be
        # up to 1000 ms late), and each reached the port
        assert len(during) >= 2, "no answer notes fell in the stalled seconds"
        assert max(during) < 10.0, during
        assert len(arrivals) >= len([e for e in played if e.at <= blocked_until])
        await pilot.press("q")


async def test_switching_the_output_while_running(rig: Rig) -> None:
    other = MonitorProcess(None, f"second-{uuid.uuid4().hex[:6]}")
    try:
        async with rig.app.run_test(size=(120, 40)) as pilot:
            rig.connect()
            await pilot.pause(0.5)
            await pilot.press("u")
            assert await settle(pilot, lambda: bool(rig.app.screen.query(OptionList)))
            options = rig.app.screen.query_one(OptionList)
            prompts = [
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            ]
            assert not [p for p in prompts if rig.in_name in p]  # never its own input
            options.highlighted = next(i for i, p in enumerate(prompts) if other.port_name in p)
            await pilot.press("enter")
            await pilot.pause(0.5)
            await rig.play(8)
            await pilot.press("space")  # answer now, as a user may
            assert await settle(pilot, lambda: len(other.note_ons()) >= 2)
            await pilot.press("q")
    finally:
        other.close()
