"""The live configuration: one frozen record built once by the front hall (`cli/`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from musicgen_live.live.performance import Performance

DEFAULT_INPUT = "musicgen-live in"
DEFAULT_OUTPUT = "musicgen-live out"
SYNTH = "FluidSynth"  # the output name of the built-in synthesizer


@dataclass(frozen=True)
class LiveConfig:
    """Everything a live session is built from."""

    model: Path
    input: str = DEFAULT_INPUT
    output: str | None = None  # None: FluidSynth when it works, else the virtual output
    synth: bool = False
    soundfont: str | None = None
    audio_driver: str | None = None
    audio_ports: tuple[str, ...] | None = None  # JACK playback ports for FluidSynth
    backend: str | None = None
    performance: Performance = field(default_factory=Performance)
    trigger_cc: int | None = None
    input_channel: int | None = None  # 0-15; None listens on every channel
    output_channel: int = 0
    record: Path | None = None
    wav: Path | None = None  # the session rendered to audio when it ends
    demo: bool = False
    headless: bool = False
    json: bool = False
    rng_seed: int | None = None
    events: Path | None = None  # a file that gets every event as a JSON line
    notices: tuple[str, ...] = ()  # what was wrong with the remembered settings, for the UI
    # kinds ("input", "output") whose port was remembered: waited for when it is not there,
    # never made a virtual port named after another program's
    waits_for: frozenset[str] = frozenset()
