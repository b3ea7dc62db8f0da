"""The command line as a user runs it: real subprocesses, real files."""

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.midi_files import notes_from_midi
from tests.helpers import ENV, run


def test_generate_writes_midi_wav_and_plot_without_tensorflow(
    tiny_model: Path, test_piece: Path, tmp_path: Path
) -> None:
    out, wav, png = tmp_path / "x.mid", tmp_path / "x.wav", tmp_path / "x.png"
    script = (
        "import sys; from musicgen_live.cli import main; "
        f"code = main(['generate', '--seed', {str(test_piece)!r}, '--out', {str(out)!r}, "
        f"'--notes', '64', '--wav', {str(wav)!r}, '--plot', {str(png)!r}, "
        f"'--model', {str(tiny_model)!r}, '--rng-seed', '7']); "
        "assert 'tensorflow' not in sys.modules, 'generate imported TensorFlow'; sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=ENV, timeout=300
    )
    assert result.returncode == 0, result.stderr
    seed = notes_from_midi(test_piece)
    tracks = __import__("pretty_midi").PrettyMIDI(str(out)).instruments
    assert len(tracks[0].notes) == len(seed)
    assert 64 <= len(tracks[1].notes) <= 64 + ENDING_REACH  # a target: it closes on a tonic
    assert min(n.start for n in tracks[1].notes) >= max(n.start for n in seed) - 1e-3
    with wave.open(str(wav)) as handle:
        audio = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    assert np.abs(audio).max() > 1000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_rng_seed_same_output(tiny_model: Path, test_piece: Path, tmp_path: Path) -> None:
    outputs = []
    for name, rng_seed in (("a", "3"), ("b", "3"), ("c", "4")):
        path = tmp_path / f"{name}.mid"
        result = run(
            "generate",
            "--seed",
            str(test_piece),
            "--out",
            str(path),
            "--notes",
            "32",
            "--model",
            str(tiny_model),
            "--rng-seed",
            rng_seed,
        )
        assert result.returncode == 0, result.stderr
        outputs.append([(n.pitch, n.start, n.velocity) for n in notes_from_midi(path)])
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]


def one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_missing_and_broken_models_are_one_line_errors(
    test_piece: Path, tmp_path: Path, tiny_model: Path
) -> None:
    args = ("generate", "--seed", str(test_piece), "--out", str(tmp_path / "x.mid"), "--model")
    one_line_error(run(*args, str(tmp_path / "nowhere")), "is neither a model name")
    one_line_error(run(*args, str(tmp_path)), "no model.json")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.json").write_text((tiny_model / "model.json").read_text())
    (broken / "model.tflite").write_bytes(b"\x00" * 64)
    one_line_error(run(*args, str(broken)), "not a usable TFLite model")
    (broken / "model.json").write_text("{not json")
    one_line_error(run(*args, str(broken)), "not a model card")


def test_missing_soundfont_and_empty_seed_are_one_line_errors(
    tiny_model: Path, test_piece: Path, tmp_path: Path
) -> None:
    env = {**ENV, "MUSICGEN_SOUNDFONT": str(tmp_path / "none.sf2")}
    result = run(
        "generate",
        "--seed",
        str(test_piece),
        "--out",
        str(tmp_path / "x.mid"),
        "--model",
        str(tiny_model),
        "--wav",
        str(tmp_path / "x.wav"),
        env=env,
    )
    one_line_error(result, "soundfont not found")
    empty = tmp_path / "empty.mid"
    __import__("pretty_midi").PrettyMIDI().write(str(empty))
    result = run(
        "generate",
        "--seed",
        str(empty),
        "--out",
        str(tmp_path / "y.mid"),
        "--model",
        str(tiny_model),
    )
    one_line_error(result, "no notes")


def test_a_soundfont_that_is_not_one_is_one_line_before_any_work(
    tiny_model: Path, test_piece: Path, tmp_path: Path
) -> None:
    text = tmp_path / "x.sf2"
    text.write_text("not a soundfont\n")
    out, wav = tmp_path / "x.mid", tmp_path / "x.wav"
    argv = ["generate", "--seed", str(test_piece), "--out", str(out), "--wav", str(wav)]
    argv += ["--model", str(tiny_model), "--notes", "4"]
    result = run(*argv, "--soundfont", str(text))
    one_line_error(result, f"--soundfont: '{text}' is not a SoundFont")
    assert result.returncode == 2
    result = run(*argv, env={**ENV, "MUSICGEN_SOUNDFONT": str(text)})
    one_line_error(result, f"{text} is not a SoundFont")
    assert result.returncode == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["x.sf2"]


def test_eval_prints_the_table_with_the_baseline(tiny_model: Path, midi_folder: Path) -> None:
    result = run(
        "eval",
        "--data",
        str(midi_folder),
        "--model",
        str(tiny_model),
        "--split",
        "validation",
        "--markdown",
    )
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert table[0].startswith("| Model | Validation loss | Pitch NLL")
    assert "nan" not in result.stdout
    assert table[2].startswith("| tiny (note_lstm) |")
    assert table[3].startswith("| n-gram baseline (order")


def test_train_on_a_folder_without_music_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    result = run("train", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "run"))
    one_line_error(result, "no usable MIDI file")
