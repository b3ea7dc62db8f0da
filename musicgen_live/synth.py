"""FluidSynth: soundfont discovery, a live sink, and offline rendering to WAV."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from musicgen_live.errors import UserError
from musicgen_live.files import whole_file
from musicgen_live.notes import Note, note_events
from musicgen_live.quiet_stderr import quiet_stderr

SAMPLE_RATE = 44100
SOUNDFONT_FOLDERS = (
    "/usr/share/sounds/sf2",
    "/usr/share/soundfonts",
    "/usr/local/share/soundfonts",
    "/opt/homebrew/share/soundfonts",
    "/opt/homebrew/share/fluid-synth",
    "~/Library/Audio/Sounds/Banks",
    "~/.local/share/soundfonts",
)
PREFERRED = ("FluidR3_GM.sf2", "default-GM.sf2", "TimGM6mb.sf2")


def soundfont_problem(path: Path) -> str | None:
    """Why PATH is not a SoundFont (a RIFF file of form sfbk: .sf2 and .sf3), or None; read
    from its header, so a wrong file fails before any work and FluidSynth never sees it."""
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
    except OSError as error:
        return f"cannot be read ({(error.strerror or str(error)).lower()})"
    if header[:4] != b"RIFF" or header[8:12] != b"sfbk":
        return "is not a SoundFont: it has no RIFF sfbk header, as .sf2 and .sf3 files have"
    return None


def check_soundfont(path: Path) -> Path:
    """PATH itself when it is a SoundFont, else a one-line UserError saying why."""
    problem = soundfont_problem(path)
    if problem:
        raise UserError(f"{path} {problem}")
    return path


def find_soundfont(explicit: str | Path | None = None) -> Path:
    """--soundfont, then $MUSICGEN_SOUNDFONT, then the usual system folders; checked."""
    for candidate in (explicit, os.environ.get("MUSICGEN_SOUNDFONT")):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise UserError(f"soundfont not found: {path}")
            return check_soundfont(path)
    found: list[Path] = []
    for folder in SOUNDFONT_FOLDERS:
        found += sorted(Path(folder).expanduser().glob("*.sf2"))
    for name in PREFERRED:
        for path in found:
            if path.name == name and path.is_file():
                return check_soundfont(path)
    if found:
        return check_soundfont(found[0])
    raise UserError(
        "no soundfont found (looked in --soundfont, $MUSICGEN_SOUNDFONT, "
        + ", ".join(SOUNDFONT_FOLDERS)
        + "); install one, e.g. apt install timgm6mb-soundfont"
    )


def load_fluidsynth() -> Any:
    """The pyfluidsynth module, or a clear error when libfluidsynth is missing."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it may announce its library there
            import fluidsynth
    except (ImportError, OSError) as error:
        raise UserError(
            f"FluidSynth is not available ({error}); "
            "install libfluidsynth3 (apt) or fluid-synth (brew)"
        ) from error
    return fluidsynth


def new_synth(soundfont: Path, gain: float = 0.5) -> Any:
    """A FluidSynth instance with a piano on channel 0 (no audio driver started)."""
    fluidsynth = load_fluidsynth()
    synth = fluidsynth.Synth(gain=gain, samplerate=float(SAMPLE_RATE))
    with quiet_stderr():  # a broken soundfont: FluidSynth's lines, then ours, would be noise
        font = synth.sfload(str(soundfont))
    if font == -1:
        synth.delete()
        raise UserError(f"{soundfont}: FluidSynth cannot load this soundfont")
    synth.program_select(0, font, 0, 0)
    return synth


PEAK_DBFS = -1.0  # the loudest sample of a rendered WAV, before --gain


def render(
    notes: Sequence[Note], soundfont: Path, tail: float = 1.0, gain_db: float = 0.0
) -> np.ndarray:
    """Stereo int16 audio of the notes, rendered offline event by event, its peak at
    PEAK_DBFS + gain_db (FluidSynth alone leaves a piano some 20 dB quieter)."""
    synth = new_synth(soundfont)
    chunks, rendered = [], 0
    try:
        for event in note_events(notes):
            frames = int(event.time * SAMPLE_RATE) - rendered
            if frames > 0:
                chunks.append(synth.get_samples(frames))
                rendered += frames
            if event.starts:
                synth.noteon(0, event.pitch, event.velocity)
            else:
                synth.noteoff(0, event.pitch)
        chunks.append(synth.get_samples(int(tail * SAMPLE_RATE)))
    finally:
        synth.delete()
    return normalise(np.concatenate(chunks).reshape(-1, 2), PEAK_DBFS + gain_db)


def normalise(audio: np.ndarray, peak_dbfs: float) -> np.ndarray:
    """int16 audio scaled so its loudest sample sits at peak_dbfs (silence stays silent)."""
    samples = audio.astype(np.float64)
    loudest = np.abs(samples).max(initial=0.0)
    if loudest > 0:
        samples *= 32767 * 10 ** (peak_dbfs / 20) / loudest
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def write_wav(path: Path, audio: np.ndarray) -> None:
    """Write stereo int16 audio; the file appears only once complete."""
    with whole_file(path) as partial, wave.open(str(partial), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(audio.astype("<i2").tobytes())


LINUX_DRIVERS = ("pipewire", "pulseaudio", "alsa", "jack")
JACK_ID = "musicgen-live-synth"  # FluidSynth's JACK client; its ports are :left and :right


class SynthSink:
    """Plays engine messages through FluidSynth on an audio driver (a live sink). On JACK its
    outputs are connected to `audio_ports` (left, right), by default the system's playback."""

    def __init__(
        self,
        soundfont: Path,
        driver: str | None = None,
        audio_ports: Sequence[str] | None = None,
        **settings: str,
    ) -> None:
        # never let FluidSynth's JACK driver start a JACK server that would outlive us
        os.environ.setdefault("JACK_NO_START_SERVER", "1")
        self.synth = new_synth(soundfont)
        for key, value in settings.items():
            self.synth.setting(key, value)
        self.synth.setting("audio.jack.id", JACK_ID)
        self.synth.setting("audio.jack.autoconnect", 0 if audio_ports else 1)
        tried = [driver] if driver else [os.environ.get("MUSICGEN_AUDIO_DRIVER") or ""]
        if not tried[0]:
            tried = ["coreaudio"] if sys.platform == "darwin" else list(LINUX_DRIVERS)
        for name in tried:
            with quiet_stderr():  # drivers that are absent complain on stderr
                self.synth.start(driver=name)
            if self.synth.audio_driver:
                self.driver = name
                if name == "jack" and audio_ports:
                    self._connect(audio_ports)
                return
        self.synth.delete()
        raise UserError(
            f"FluidSynth could not open an audio driver (tried {', '.join(tried)}); "
            "set MUSICGEN_AUDIO_DRIVER or use a MIDI output (--out)"
        )

    def _connect(self, audio_ports: Sequence[str]) -> None:
        """Left and right to the JACK ports asked for (one port takes both)."""
        targets = list(audio_ports) * 2 if len(audio_ports) == 1 else list(audio_ports)
        for source, target in zip(("left", "right"), targets, strict=False):
            try:
                done = subprocess.run(
                    ["jack_connect", f"{JACK_ID}:{source}", target],
                    capture_output=True,
                    text=True,
                    timeout=10,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                self.close()
                raise UserError(f"cannot connect FluidSynth's JACK ports ({error})") from error
            if done.returncode != 0:
                self.close()
                raise UserError(
                    f"cannot connect FluidSynth to JACK port {target!r} "
                    "(`jack_lsp` lists the ports)"
                )

    def send(self, message: Any) -> None:
        if message.type == "note_on" and message.velocity > 0:
            self.synth.noteon(message.channel, message.note, message.velocity)
        elif message.type in ("note_on", "note_off"):
            self.synth.noteoff(message.channel, message.note)
        elif message.type == "control_change":
            self.synth.cc(message.channel, message.control, message.value)

    def close(self) -> None:
        self.synth.delete()
