"""The options of `musicgen-live live`: each checked as it is parsed (one line naming the
option, the value and what is allowed; exit 2), each with a help text and its default."""

from __future__ import annotations

import argparse
from pathlib import Path

from musicgen_live.cli import values
from musicgen_live.errors import UserError
from musicgen_live.live.config import DEFAULT_INPUT, DEFAULT_OUTPUT
from musicgen_live.live.take import check_recording_path


def recording_path(text: str) -> Path:
    """An argparse type: a new .mid file or a folder (new or existing), writable."""
    path = Path(text).expanduser()
    try:
        check_recording_path(path)
    except UserError as error:
        reason = str(error).removeprefix(f"--record {path}: ")
        raise argparse.ArgumentTypeError(f"{text!r}: {reason}") from None
    if path.suffix.lower() == ".mid":
        return values.output_file(".mid")(text)
    return values.output_folder(text)


def add_live_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--in",
        dest="input",
        default=DEFAULT_INPUT,
        metavar="PORT",
        help="MIDI input: a port name or a unique part of one; a name that matches nothing "
        "opens a virtual port of that name (with a warning naming the inputs there are)",
    )
    add(
        "--out",
        dest="output",
        default=None,
        metavar="PORT",
        help="MIDI output, named as --in (default: FluidSynth when a soundfont and an audio "
        f"driver work, else a virtual port {DEFAULT_OUTPUT!r})",
    )
    add(
        "--backend",
        choices=("alsa", "jack", "coremidi"),
        default=None,
        help="MIDI system (default: ALSA on Linux, CoreMIDI on macOS, or $MIDO_BACKEND)",
    )
    add("--synth", action="store_true", help="play through FluidSynth; an error if it cannot")
    add(
        "--soundfont",
        type=values.existing_file,
        default=None,
        metavar="SF2",
        help="General MIDI soundfont for FluidSynth (default: $MUSICGEN_SOUNDFONT, then the "
        "usual system folders)",
    )
    add(
        "--audio-driver",
        default=None,
        help="FluidSynth audio driver: pipewire, pulseaudio, alsa, jack, coreaudio... "
        "(default: $MUSICGEN_AUDIO_DRIVER, else the first that works)",
    )
    add(
        "--audio-ports",
        default=None,
        help="JACK playback ports for FluidSynth, comma-separated (default: the system's)",
    )
    add(
        "--trigger-cc",
        type=values.whole_number(0, 127),
        default=None,
        metavar="CC",
        help="a controller (0-127) that ends a phrase at once (default: none, only silence)",
    )
    add(
        "--channel",
        type=values.whole_number(1, 16),
        default=None,
        help="input channel 1-16 (default: every channel)",
    )
    add(
        "--record",
        type=recording_path,
        default=None,
        metavar="PATH",
        help="record the session into this folder, or into this one new .mid file",
    )
    add(
        "--wav",
        type=values.output_file(".wav"),
        default=None,
        metavar="FILE",
        help="render the session to this WAV file when it ends (FluidSynth; no sound card needed)",
    )
    add(
        "--demo",
        action="store_true",
        help="play the example phrase into the engine every few seconds; runs even without a "
        "MIDI system or an audio driver",
    )
    add("--headless", action="store_true", help="no UI: one log line per event")
    add("--json", action="store_true", help="with --headless: JSON lines")
    add(
        "--rng-seed",
        type=values.whole_number(0),
        default=None,
        metavar="N",
        help="seed of the sampling, for repeatable answers (default: random)",
    )
    add(
        "--events",
        type=values.output_file(),
        default=None,
        metavar="FILE",
        help="also write every event to this file, as JSON lines",
    )
    values.force_option(
        parser,
        "an existing --wav file, and add to an existing --events file (--record never "
        "replaces a file)",
    )
