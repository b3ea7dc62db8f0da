"""The engine in a process of its own: what comes back when it cannot start, and when it is
stopped or terminated (the JACK tests in tests/tui/test_terminal.py play through it)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
import pytest

from musicgen_live.live.config import LiveConfig
from musicgen_live.live.events import EngineEvent, Failed, StateChanged
from musicgen_live.live.process import EngineProcess
from tests.rig.waiting import wait_until


def started(config: LiveConfig) -> tuple[EngineProcess, list[EngineEvent]]:
    events: list[EngineEvent] = []
    engine = EngineProcess(config, events.append)
    engine.start()
    return engine, events


def test_an_engine_that_cannot_start_says_why_once_and_its_process_ends(tmp_path: Path) -> None:
    engine, events = started(LiveConfig(model=tmp_path / "no-such-model"))
    assert engine.pid is not None
    assert wait_until(lambda: any(isinstance(e, Failed) for e in events), 30)
    time.sleep(0.5)  # the reader has seen the pipe close: no second line
    failures = [event for event in events if isinstance(event, Failed)]
    assert len(failures) == 1, events
    assert "no-such-model" in failures[0].text
    engine.stop()


@pytest.mark.jack
def test_an_engine_terminated_from_outside_says_so(jack_server: str, tiny_model: Path) -> None:
    engine, events = started(LiveConfig(model=tiny_model, backend="jack", demo=False))
    try:
        assert wait_until(lambda: any(isinstance(e, StateChanged) for e in events), 30)
        assert engine.pid is not None
        psutil.Process(engine.pid).send_signal(signal.SIGTERM)
        assert wait_until(lambda: any(isinstance(e, Failed) for e in events), 15)
    finally:
        engine.stop()
    failures = [event.text for event in events if isinstance(event, Failed)]
    assert failures == ["the engine's process ended (exit code 0)"]  # it stopped cleanly


def test_the_engines_process_runs_the_uis_musicgen_live_whatever_folder_the_user_is_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "musicgen_live"  # an old checkout, say, in the folder the user is in
    decoy.mkdir()
    (decoy / "__init__.py").write_text('raise ImportError("the folder\'s own copy")\n')
    monkeypatch.chdir(tmp_path)
    engine, events = started(LiveConfig(model=tmp_path / "no-such-model"))
    assert wait_until(lambda: any(isinstance(e, Failed) for e in events), 30)
    engine.stop()
    failures = [event.text for event in events if isinstance(event, Failed)]
    assert len(failures) == 1 and "no-such-model" in failures[0], failures
