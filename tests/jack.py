"""Test keyboards that play into the engine, and checks of what came out; the JACK server
and monitoring ports themselves live in tests/rig/jack_rig.py, which the benchmarks use too."""

from __future__ import annotations

from pathlib import Path

import mido

from tests.jack_output import JackMidiOutput
from tests.rig.jack_rig import (  # noqa: F401 - the tests' one place to import them from
    Capture,
    JackCapture,
    MonitorProcess,
    backend,
    headless_command,
    play,
    start_jack,
    wait_port,
)


def keyboard(port_name: str, connect_to: str | None = None) -> JackMidiOutput:
    """A test output port, in its own JACK client."""
    client = f"test-{port_name}" if connect_to else port_name
    return JackMidiOutput(port_name, client, connect_to=connect_to)


def sounding_after(messages: list[tuple[float, mido.Message]]) -> set[tuple[int, int]]:
    """(channel, pitch) still on at the end, All Notes Off (CC123) honoured."""
    sounding: set[tuple[int, int]] = set()
    for _, message in messages:
        if message.type == "note_on" and message.velocity > 0:
            sounding.add((message.channel, message.note))
        elif message.type in ("note_on", "note_off"):
            sounding.discard((message.channel, message.note))
        elif message.type == "control_change" and message.control == 123:
            sounding = {key for key in sounding if key[0] != message.channel}
    return sounding


def every_note_closed_then_reset(messages: list[tuple[float, mido.Message]]) -> bool:
    """No note left on by note-offs alone, then CC64=0 and CC123 at the end."""
    notes_only = [(t, m) for t, m in messages if m.type != "control_change"]
    tail = [(m.control, m.value) for _, m in messages[-2:] if m.type == "control_change"]
    return not sounding_after(notes_only) and tail == [(64, 0), (123, 0)]


def phrase_events(path: Path, limit: int | None = None) -> list[tuple[float, mido.Message]]:
    """(seconds, message) to play a MIDI file's notes, note-offs first at equal times."""
    from musicgen_live.midi_files import note_messages, notes_from_midi

    notes = notes_from_midi(path)[:limit]
    return note_messages(notes, since=notes[0].start)
