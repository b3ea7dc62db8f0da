"""The headless engine on a JACK dummy server, driven through real MIDI ports."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import mido
import psutil
import pytest

from musicgen_live import assets
from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.live.recording import WRITE_EVERY
from tests.jack import (
    every_note_closed_then_reset,
    phrase_events,
    play,
    sounding_after,
)
from tests.jack import keyboard as jack_keyboard
from tests.rig.headless import Headless, start_headless

PHRASE = assets.demo_phrase()
pytestmark = pytest.mark.jack


@pytest.fixture
def headless(jack_server: str, tiny_model: Path) -> Iterator[Headless]:
    session = start_headless(tiny_model, "--length", "24")
    yield session
    if session.process.poll() is None:
        session.process.kill()
        session.process.wait()
    session.capture.close()
    session.keyboard.close()


def test_answers_a_phrase_after_it_ends(headless: Headless) -> None:
    phrase_end = play(headless.keyboard, phrase_events(PHRASE, 12))
    assert headless.capture.wait_for(lambda: headless.model_note_ons() >= 8, 15)
    first_answer = headless.capture.note_ons()[0][0]
    # the adaptive phrase end: a breath after the last key-up, well before the fixed 400 ms
    assert phrase_end + 0.06 < first_answer <= phrase_end + 0.15
    heard = headless.wait_event(lambda e: e.get("event") == "PhraseHeard")
    assert heard["notes"] == 12
    started = headless.wait_event(lambda e: e.get("event") == "AnswerStarted")
    assert 0 <= float(started["latency_ms"]) < 50  # type: ignore[arg-type]
    ended = headless.wait_event(lambda e: e.get("event") == "AnswerEnded", 30)
    assert 24 <= int(ended["notes"]) <= 24 + ENDING_REACH  # type: ignore[call-overload]
    assert headless.model_note_ons() == ended["notes"]
    assert not sounding_after(headless.capture.messages)
    assert headless.stop() == 0
    assert every_note_closed_then_reset(headless.capture.messages)


@pytest.mark.parametrize("moment", ["while hearing", "as the answer starts", "mid-answer"])
def test_sigterm_at_any_moment_leaves_no_note_on(headless: Headless, moment: str) -> None:
    events = phrase_events(PHRASE, 12)
    if moment == "while hearing":
        play(headless.keyboard, events[: len(events) // 2])
    else:
        play(headless.keyboard, events)
        wanted = 1 if moment == "as the answer starts" else 6
        assert headless.capture.wait_for(lambda: headless.model_note_ons() >= wanted, 15)
    assert headless.stop(signal.SIGTERM) == 0
    assert every_note_closed_then_reset(headless.capture.messages)


def test_ctrl_c_leaves_no_note_on(headless: Headless) -> None:
    play(headless.keyboard, phrase_events(PHRASE, 12))
    assert headless.capture.wait_for(lambda: headless.model_note_ons() >= 3, 15)
    assert headless.stop(signal.SIGINT) == 0
    assert every_note_closed_then_reset(headless.capture.messages)


def test_playing_again_interrupts_the_answer_and_is_heard(headless: Headless) -> None:
    events = phrase_events(PHRASE, 12)
    play(headless.keyboard, events)
    assert headless.capture.wait_for(lambda: headless.model_note_ons() >= 3, 15)
    interrupted_at = time.monotonic()
    headless.keyboard.send(mido.Message("note_on", note=60, velocity=80))
    time.sleep(0.1)
    within = [(t, m) for t, m in headless.capture.messages if t <= interrupted_at + 0.05]
    assert not sounding_after(within), "the answer kept sounding after the player came back"
    assert not headless.capture.note_ons(interrupted_at + 0.01)
    headless.keyboard.send(mido.Message("note_off", note=60))
    second_end = play(headless.keyboard, events[2:])
    assert headless.capture.wait_for(lambda: len(headless.capture.note_ons(second_end)) >= 3, 15)
    ended = headless.wait_event(lambda e: e.get("event") == "AnswerEnded" and e.get("interrupted"))
    assert ended["notes"]
    assert headless.stop() == 0
    assert every_note_closed_then_reset(headless.capture.messages)


def recorded_notes(folder: Path, ends: bool = False) -> list[int]:
    """Note-ons (or with `ends`, note ends) per track (player, model) of the one session
    file in `folder`, if written."""
    files = list(folder.glob("session-*.mid"))
    assert len(files) <= 1
    if not files:
        return []
    tracks = mido.MidiFile(files[0]).tracks
    if ends:
        return [
            sum(m.type == "note_off" or (m.type == "note_on" and m.velocity == 0) for m in track)
            for track in tracks
        ]
    return [sum(m.type == "note_on" and m.velocity > 0 for m in track) for track in tracks]


def test_recording_keeps_the_player_and_the_answer(
    jack_server: str, tiny_model: Path, tmp_path: Path
) -> None:
    session = start_headless(tiny_model, "--length", "8", "--record", str(tmp_path))
    try:
        play(session.keyboard, phrase_events(PHRASE, 12))
        ended = session.wait_event(lambda e: e.get("event") == "AnswerEnded", 30)
        answered = int(ended["notes"])  # type: ignore[call-overload]
        assert 8 <= answered <= 8 + ENDING_REACH
        # the file is complete before the process ends, within WRITE_EVERY seconds of the
        # last note's end (the answer ends after it)
        deadline = time.monotonic() + WRITE_EVERY + 3.0
        while time.monotonic() < deadline and recorded_notes(tmp_path, ends=True) != [12, answered]:
            time.sleep(0.1)
        assert recorded_notes(tmp_path) == [12, answered]
        assert recorded_notes(tmp_path, ends=True) == [12, answered]
        files = list(tmp_path.glob("session-*.mid"))
        session.process.kill()  # even a hard kill keeps what was played
        session.process.wait()
        assert len(mido.MidiFile(files[0]).tracks[1]) >= 2 * answered + 1
    finally:
        session.capture.close()
        session.keyboard.close()


@pytest.mark.slow
def test_a_flood_keeps_memory_bounded_and_the_engine_answering(headless: Headless) -> None:
    process = psutil.Process(headless.process.pid)
    rate, seconds, batch = 2000, 30, 20
    start = time.monotonic()
    sent = 0
    resident = []
    while time.monotonic() - start < seconds:
        for i in range(batch // 2):
            pitch = 36 + (sent // 2 + i) % 48
            headless.keyboard.send(mido.Message("note_on", note=pitch, velocity=64))
            headless.keyboard.send(mido.Message("note_off", note=pitch))
        sent += batch
        time.sleep(max(0.0, start + sent / rate - time.monotonic()))
        if sent % 10000 == 0:
            resident.append(process.memory_info().rss)
    assert sent >= rate * seconds
    assert resident[-1] - resident[1] < 40 * 2**20, [r // 2**20 for r in resident]
    time.sleep(1.0)
    end = play(headless.keyboard, phrase_events(PHRASE, 12))
    assert headless.capture.wait_for(lambda: len(headless.capture.note_ons(end)) >= 3, 15)
    assert headless.stop() == 0
    assert every_note_closed_then_reset(headless.capture.messages)


def test_a_vanished_input_is_reported_and_reopened(jack_server: str, tiny_model: Path) -> None:
    name = f"keyboard-{uuid.uuid4().hex[:6]}"
    keyboard = jack_keyboard(name)
    session = start_headless(tiny_model, "--length", "4", input_port=name)
    try:
        session.wait_event(
            lambda e: "input: " in str(e.get("text")) and "virtual" not in str(e.get("text"))
        )
        keyboard.close()
        session.wait_event(lambda e: e.get("level") == "warning" and "lost" in str(e.get("text")))
        assert session.process.poll() is None
        keyboard = jack_keyboard(name)
        session.wait_event(lambda e: "is back" in str(e.get("text")))
        end = play(keyboard, phrase_events(PHRASE, 8))
        assert session.capture.wait_for(lambda: len(session.capture.note_ons(end)) >= 2, 15)
        assert session.stop() == 0
    finally:
        keyboard.close()
        session.capture.close()
