"""Real FluidSynth rendering, checked by energy and by the pitch of the spectral peak."""

from pathlib import Path

import numpy as np
import pytest

from musicgen_live.errors import UserError
from musicgen_live.notes import Note
from musicgen_live.synth import (
    JACK_ID,
    SAMPLE_RATE,
    SynthSink,
    check_soundfont,
    find_soundfont,
    render,
)
from tests.rig.jack_rig import jack_lister

SYSTEM_SOUNDFONT = find_soundfont()


def peak_frequency(audio: np.ndarray) -> float:
    mono = audio.astype(np.float64).mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE)[spectrum.argmax()])


@pytest.mark.parametrize("pitch", [57, 69])
def test_a_rendered_note_sounds_at_its_pitch(pitch: int) -> None:
    audio = render([Note(pitch, 100, 0.0, 1.0)], find_soundfont(), tail=0.2)
    assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) > 100  # not silent
    expected = 440.0 * 2 ** ((pitch - 69) / 12)
    assert abs(peak_frequency(audio[: SAMPLE_RATE // 2]) - expected) / expected < 0.03


SOUNDFONT_HEADER = b"RIFF\x04\x00\x00\x00sfbk"


def test_soundfont_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    font = tmp_path / "mine.sf2"
    font.write_bytes(SOUNDFONT_HEADER)
    monkeypatch.setenv("MUSICGEN_SOUNDFONT", str(font))
    assert find_soundfont() == font
    assert find_soundfont(str(font)) == font
    monkeypatch.setenv("MUSICGEN_SOUNDFONT", str(tmp_path / "missing.sf2"))
    with pytest.raises(UserError, match="soundfont not found"):
        find_soundfont()


def test_a_file_that_is_not_a_soundfont_is_found_out_by_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = tmp_path / "x.sf2"
    text.write_text("not a soundfont\n")
    monkeypatch.setenv("MUSICGEN_SOUNDFONT", str(text))
    with pytest.raises(UserError, match=r"x.sf2 is not a SoundFont: it has no RIFF sfbk header"):
        find_soundfont()
    with pytest.raises(UserError, match="is not a SoundFont"):
        find_soundfont(str(text))
    assert check_soundfont(find_soundfont(str(SYSTEM_SOUNDFONT))) == SYSTEM_SOUNDFONT


def test_a_broken_soundfont_is_one_error_without_fluidsynths_own_lines(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(SOUNDFONT_HEADER + b"LIST\x04\x00\x00\x00junk")
    with pytest.raises(UserError, match="FluidSynth cannot load this soundfont"):
        render([Note(60, 100, 0.0, 0.5)], broken)
    assert capfd.readouterr().err == ""


@pytest.mark.jack
@pytest.mark.parametrize(
    ("audio_ports", "expected"),
    [
        (None, {"left": "system:playback_1", "right": "system:playback_2"}),
        (
            ("system:playback_2", "system:playback_1"),
            {"left": "system:playback_2", "right": "system:playback_1"},
        ),
    ],
)
def test_fluidsynth_on_jack_plays_into_the_playback_ports(
    jack_server: str, audio_ports: tuple[str, ...] | None, expected: dict[str, str]
) -> None:
    sink = SynthSink(find_soundfont(), "jack", audio_ports)
    try:
        client = jack_lister()
        connected = {
            port.shortname: [c.name for c in client.get_all_connections(port)]
            for port in client.get_ports(f"{JACK_ID}:")
        }
        assert {name: targets for name, targets in connected.items() if targets} == {
            name: [target] for name, target in expected.items()
        }
    finally:
        sink.close()


@pytest.mark.jack
def test_an_unknown_audio_port_is_a_one_line_error(jack_server: str) -> None:
    with pytest.raises(UserError, match="cannot connect FluidSynth to JACK port 'nowhere:1'"):
        SynthSink(find_soundfont(), "jack", ("nowhere:1",))
