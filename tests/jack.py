"""Test keyboards that play into the engine, and checks of what came out; the JACK server
and monitoring ports themselves live in tests/rig/jack_rig.py, which the benchmarks use too."""

from __future__ import annotations

from pathlib import Path

import mido

from tests.jack_output import JackMidiOutput
from tests.midi_checks import every_note_closed_then_reset, sounding_after  # noqa: F401
from tests.rig.jack_rig import (  # noqa: F401 - the tests' one place to import them from
    Capture,
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


def phrase_events(path: Path, limit: int | None = None) -> list[tuple[float, mido.Message]]:
    """(seconds, message) to play a MIDI file's notes, note-offs first at equal times."""
    from musicgen_live.midi_files import note_messages, notes_from_midi

    notes = notes_from_midi(path)[:limit]
    return note_messages(notes, since=notes[0].start)
