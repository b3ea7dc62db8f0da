"""What the answers sound through: FluidSynth on an audio driver when one works; the demo's
in-process loop when no MIDI system is reachable, saying plainly when nothing can sound; and
the session rendered to a WAV file at the end (`--wav`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from musicgen_live.live.config import LiveConfig

IN_PROCESS_INPUT = "input: the demo, in-process (no MIDI ports)"
SILENT_OUTPUT = ("output: none, no sound here", "keep it: --record DIR or --wav FILE")


def open_synth(config: LiveConfig) -> Any:
    """A FluidSynth sink as the config asks; UserError saying why when there is none."""
    from musicgen_live.synth import SynthSink, find_soundfont

    return SynthSink(find_soundfont(config.soundfont), config.audio_driver, config.audio_ports)


def in_process_notices(midi_error: str, synth_error: str | None) -> list[tuple[str, str]]:
    """(level, text) to tell the user the demo runs without MIDI ports, and whether it sounds.
    Short lines first, so an 80-column log shows what matters."""
    notices = [
        ("warning", "no MIDI system here: the demo plays in-process, straight into the engine"),
        ("info", midi_error),
    ]
    if synth_error is not None:
        notices.insert(
            1, ("warning", "no sound here: keep what plays with --record DIR or --wav FILE")
        )
        notices.append(("info", f"no sound because: {synth_error}"))
    return notices


def write_session_wav(recording: Path, wav: Path, soundfont: str | None) -> str:
    """Render a recorded session (both tracks) to `wav`; returns a line saying what it did."""
    from musicgen_live.midi_files import notes_from_midi
    from musicgen_live.synth import find_soundfont, render, write_wav

    notes = notes_from_midi(recording) if recording.exists() else []
    if not notes:
        return f"nothing played, so no {wav} written"
    write_wav(wav, render(notes, find_soundfont(soundfont)))
    return f"session rendered to {wav} ({len(notes)} notes)"
