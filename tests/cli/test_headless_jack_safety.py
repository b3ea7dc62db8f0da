"""The headless program on a JACK dummy server where a real set-up goes wrong: its output
routed back into its input, a recording stopped with keys held, and a seeded session played
twice."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import mido
import pytest

from musicgen_live import assets
from musicgen_live.answer_shape import ENDING_REACH
from tests.jack import phrase_events, play
from tests.midi_checks import sounding_after
from tests.rig.headless import Headless, running
from tests.rig.jack_rig import jack_lister

PHRASE = assets.demo_phrase()
pytestmark = pytest.mark.jack


def port_of(session: Headless, side: str) -> str:
    """The full JACK name of the engine's own input ("in") or output ("out") port."""
    tag = session.process.args[session.process.args.index("--in") + 1].split("-")[-1]
    names = [p.name for p in jack_lister().get_ports(f"engine-{side}-{tag}", is_midi=True)]
    assert len(names) == 1, names
    return names[0]


def test_an_output_routed_into_the_input_is_not_answered(
    jack_server: str, tiny_model: Path
) -> None:
    with running(tiny_model, "--length", "8") as session:
        client = jack_lister()
        client.connect(port_of(session, "out"), port_of(session, "in"))
        try:
            play(session.keyboard, phrase_events(PHRASE, 12))
            time.sleep(12)
            answers = [e for e in session.events if e.get("event") == "AnswerStarted"]
            assert 1 <= len(answers) <= 2, [e.get("event") for e in session.events]
            assert any("MIDI loop" in str(e.get("text")) for e in session.events)
            # the player still interrupts an answer with the loop connected
            end = play(session.keyboard, phrase_events(PHRASE, 12))
            assert session.capture.wait_for(lambda: len(session.capture.note_ons(end)) >= 3, 15)
            session.keyboard.send(mido.Message("note_on", note=40, velocity=90))
            session.wait_event(lambda e: e.get("event") == "AnswerEnded" and e.get("interrupted"))
            session.keyboard.send(mido.Message("note_off", note=40))
        finally:
            client.disconnect(port_of(session, "out"), port_of(session, "in"))
        assert session.stop() == 0


def test_sigterm_with_keys_held_under_record_ends_every_note(
    jack_server: str, tiny_model: Path, tmp_path: Path
) -> None:
    with running(tiny_model, "--record", str(tmp_path / "take.mid")) as session:
        for pitch in (60, 64):
            session.keyboard.send(mido.Message("note_on", note=pitch, velocity=80))
        session.keyboard.send(mido.Message("control_change", control=64, value=127))
        session.wait_event(lambda e: e.get("event") == "NotePlayed" and e.get("pitch") == 64)
        assert session.stop(signal.SIGTERM) == 0
    player = mido.MidiFile(tmp_path / "take.mid").tracks[0]
    assert not sounding_after([(0.0, message) for message in player])
    pedal = [m.value for m in player if m.type == "control_change" and m.control == 64]
    assert pedal == [127, 0]


def answer_notes(model: Path) -> list[tuple[int, int]]:
    """(pitch, velocity) of the answer to the demo phrase, in a session seeded with 1."""
    with running(model, "--length", "12") as session:
        # at the same frames in both runs: the engine stamps input with JACK's own times
        session.keyboard.play_at_frames(phrase_events(PHRASE, 12))
        session.wait_event(lambda e: e.get("event") == "AnswerEnded", 30)
        notes = [(m.note, m.velocity) for _, m in session.capture.note_ons()]
        assert session.stop() == 0
    return notes


def test_the_same_seed_and_phrase_give_the_same_answer_in_two_runs(
    jack_server: str, tiny_model: Path
) -> None:
    first = answer_notes(tiny_model)
    assert 12 <= len(first) <= 12 + ENDING_REACH
    # The same pitches and velocities. The model hears a millisecond's difference in the
    # phrase's timing: the phrase is played from the start of a cycle, and the engine takes
    # its input's times in whole JACK cycles (`Arrivals`), so both runs hear the same phrase.
    assert answer_notes(tiny_model) == first
