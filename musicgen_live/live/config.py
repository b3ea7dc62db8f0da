"""The live configuration: one frozen record built once by the front hall (`cli/`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from musicgen_live import sampling as defaults
from musicgen_live.errors import UserError
from musicgen_live.sampling import Sampling

DEFAULT_INPUT = "musicgen-live in"
DEFAULT_OUTPUT = "musicgen-live out"
SYNTH = "FluidSynth"  # the output name of the built-in synthesizer
MODES = ("call-response", "continuous")
SAMPLING_FIELDS = ("temperature", "top_p", "rhythm_temperature", "dynamics_temperature")


def parse_length(text: str) -> tuple[int | None, float | None]:
    """'32' -> 32 notes; '8s' -> 8 seconds."""
    try:
        notes, seconds = (None, float(text[:-1])) if text.endswith("s") else (int(text), None)
    except ValueError:
        notes = seconds = None
    if (notes is None or notes < 1) and (seconds is None or not 0 < seconds < math.inf):
        raise UserError(f"--length must be a number of notes or seconds like '8s', not {text!r}")
    return notes, seconds


@dataclass(frozen=True)
class Performance:
    """What the controls change while running; it applies to the next answer."""

    temperature: float = defaults.TEMPERATURE
    top_p: float = defaults.TOP_P
    rhythm_temperature: float = defaults.RHYTHM_TEMPERATURE
    dynamics_temperature: float = defaults.DYNAMICS_TEMPERATURE
    low: int = 21
    high: int = 108
    register: int | None = defaults.REGISTER
    length: str = "32"  # notes, or seconds as "8s"
    silence_ms: int = 400
    mode: str = "call-response"

    @property
    def length_notes(self) -> int | None:
        return parse_length(self.length)[0]

    @property
    def length_seconds(self) -> float | None:
        return parse_length(self.length)[1]

    @property
    def silence(self) -> float:
        return self.silence_ms / 1000

    def sampling(self) -> Sampling:
        return Sampling(
            self.temperature,
            self.top_p,
            self.rhythm_temperature,
            self.dynamics_temperature,
            self.low,
            self.high,
            self.register,
        )

    def check(self) -> Performance:
        """Itself, or a UserError naming the value that cannot work."""
        parse_length(self.length)
        if self.mode not in MODES:
            raise UserError(f"--mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not (math.isfinite(self.silence_ms) and self.silence_ms > 0):
            raise UserError(f"--silence must be a positive number of ms, not {self.silence_ms}")
        try:
            self.sampling()
        except ValueError as error:
            raise UserError(f"cannot sample with these settings: {error}") from None
        return self


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
