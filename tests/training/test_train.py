"""Training runs: artefacts, resume, and two workers training together."""

import csv
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from musicgen_live.errors import UserError
from musicgen_live.midi_files import write_midi
from musicgen_live.notes import Note
from musicgen_live.train_config import TrainConfig, load_dataclass
from musicgen_live.training.datasets import hash_split
from tests.helpers import DATA, ENV, copy_of, exit_code, one_line_error
from tests.helpers import run as run_command


def history_epochs(run: Path) -> list[int]:
    with (run / "history.csv").open() as handle:
        return [int(row["epoch"]) for row in csv.DictReader(handle)]


@pytest.mark.slow
def test_a_run_writes_checkpoints_history_curves_logs_and_metrics(tiny_run: Path) -> None:
    for name in (
        "checkpoints/last.keras",
        "checkpoints/best.keras",
        "history.csv",
        "loss_curves.png",
        "metrics.json",
        "config.json",
        "state.json",
    ):
        assert (tiny_run / name).is_file(), name
    assert any((tiny_run / "logs").rglob("events.out.tfevents*"))
    assert history_epochs(tiny_run) == [0, 1]
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert metrics["ngram"]["order"] >= 1
    assert metrics["splits"]["validation"]["model"]["pitch_nll"] > 0


@pytest.mark.slow
def test_train_tells_how_each_epoch_goes_and_no_tensorflow_noise(
    midi_folder: Path, tmp_path: Path
) -> None:
    env = {name: value for name, value in ENV.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    result = run_command(
        "train", "--data", str(midi_folder), "--out", str(tmp_path / "run"), "--window", "8",
        "--batch-size", "16", "--epochs", "1", "--steps-per-epoch", "2",
        "--validation-windows", "32", "--cache-dir", str(tmp_path / "cache"), env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no TensorFlow or Keras chatter, no warnings
    lines = result.stdout.splitlines()  # not a terminal: lines, not a bar
    for step in ("1/2 (50 %)", "2/2 (100 %)"):
        assert any(line.startswith(f"epoch 1/1: step {step}, loss ") for line in lines), lines
    ended = [line for line in lines if line.startswith("epoch 1/1 in ")]
    assert len(ended) == 1 and "validation loss" in ended[0] and "learning rate" in ended[0]


@pytest.mark.slow
def test_deterministic_runs_from_one_seed_give_the_same_weights(
    midi_folder: Path, tmp_path: Path
) -> None:
    import numpy as np

    from musicgen_live.model.architectures import load_checkpoint

    weights = []
    for name in ("first", "second"):
        result = run_command(
            "train", "--data", str(midi_folder), "--out", str(tmp_path / name), "--window", "8",
            "--batch-size", "16", "--epochs", "1", "--steps-per-epoch", "3", "--transpose", "2",
            "--validation-windows", "32", "--cache-dir", str(tmp_path / "cache"),
            "--deterministic",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        model = load_checkpoint(tmp_path / name / "checkpoints" / "last.keras")
        weights.append(model.get_weights())
    assert len(weights[0]) == len(weights[1]) > 0
    for first, second in zip(*weights, strict=True):
        np.testing.assert_array_equal(first, second)


@pytest.mark.slow
def test_resume_continues_a_stopped_run(tiny_run: Path, tmp_path: Path) -> None:
    from musicgen_live.train_config import save_json
    from musicgen_live.training.train import train

    config = replace(
        load_dataclass(TrainConfig, tiny_run / "config.json"), out=str(tmp_path / "run"), epochs=1
    )
    run = train(config, progress=False)
    assert history_epochs(run) == [0]
    # as if the user had asked for two epochs and the process was killed after the first
    save_json(run / "config.json", replace(config, epochs=2))
    train(config, resume=True, progress=False)
    assert history_epochs(run) == [0, 1]
    with pytest.raises(UserError, match="already holds a run"):
        train(config, progress=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_two_local_workers_train_one_step_together(tiny_run: Path, tmp_path: Path) -> None:
    config = load_dataclass(TrainConfig, tiny_run / "config.json")
    workers = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    command = [
        sys.executable,
        "-m",
        "musicgen_live",
        "train",
        "--data",
        config.data,
        "--arch",
        "lstm",
        "--out",
        str(tmp_path / "cluster"),
        "--window",
        "8",
        "--batch-size",
        "16",
        "--epochs",
        "1",
        "--steps-per-epoch",
        "1",
        "--validation-windows",
        "64",
        "--strategy",
        "multi-worker",
        "--cache-dir",
        str(config.cache_dir),
    ]
    processes = []
    for index in range(2):
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CONFIG": json.dumps(tf_config), "CUDA_VISIBLE_DEVICES": ""}
        processes.append(
            subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        )
    outputs = [process.communicate(timeout=240)[0] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output[-3000:]
    assert history_epochs(tmp_path / "cluster") == [0]
    assert (tmp_path / "cluster" / "worker-1" / "history.csv").is_file()


@pytest.mark.slow
def test_resume_honours_new_epochs_and_says_when_nothing_is_left(
    tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = copy_of(tiny_run, tmp_path)  # two epochs of two, done
    assert exit_code(["train", "--out", str(run), "--resume"]) == 0
    printed = capsys.readouterr().out
    assert "nothing to do" in printed and "trained 2 of 2 epochs" in printed
    assert "run written" not in printed
    argv = ["train", "--out", str(run), "--resume", "--epochs", "3", "--max-minutes", "5"]
    assert exit_code(argv) == 0
    assert "run written" in capsys.readouterr().out
    assert history_epochs(run) == [0, 1, 2]
    saved = load_dataclass(TrainConfig, run / "config.json")
    assert (saved.epochs, saved.max_minutes, saved.window) == (3, 5.0, 8)


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (
            ["--window", "16"],
            "--window 16: the run in {run} was started with 8, which --resume cannot",
        ),
        (["--arch", "lstm"], "--arch lstm: the run in {run} was started with note_lstm"),
        (["--order", "pitch,velocity,step,duration"], "--order pitch,velocity,step,duration: "),
        (["--no-sustain"], "--no-sustain: the run in {run} was started without --no-sustain"),
    ],
)
def test_resume_refuses_a_setting_that_cannot_change(
    tiny_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flag: list[str],
    expected: str,
) -> None:
    run = copy_of(tiny_run, tmp_path)
    before = (run / "config.json").read_text()
    line = one_line_error(capsys, ["train", "--out", str(run), "--resume", "--epochs", "9", *flag])
    assert expected.format(run=run) in line
    assert (run / "config.json").read_text() == before


@pytest.mark.slow
def test_force_starts_a_run_over_and_leaves_the_rest_of_the_folder(
    tiny_run: Path, midi_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = copy_of(tiny_run, tmp_path)
    (run / "notes.txt").write_text("mine")
    (run / "average.json").write_text("{}")  # as if the old run had averaged
    (run / "worker-1").mkdir()
    argv = ["train", "--data", str(midi_folder), "--out", str(run), "--window", "8"]
    argv += ["--batch-size", "16", "--epochs", "1", "--steps-per-epoch", "1"]
    argv += ["--validation-windows", "32", "--cache-dir", str(tmp_path / "cache")]
    line = one_line_error(capsys, argv)
    assert "already holds a run: --resume continues it, --force starts it over" in line
    line = one_line_error(capsys, [*argv, "--force", "--resume"])
    assert "--force starts it over: give one of them" in line
    assert history_epochs(run) == [0, 1]  # nothing changed yet
    assert exit_code([*argv, "--force"]) == 0
    assert history_epochs(run) == [0]
    assert load_dataclass(TrainConfig, run / "config.json").epochs == 1
    assert json.loads((run / "state.json").read_text())["epoch"] == 1
    assert not (run / "average.json").exists() and not (run / "worker-1").exists()
    assert (run / "notes.txt").read_text() == "mine"


def test_train_on_only_unusable_files_gives_each_reason_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    (data / "corrupt.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage")
    shutil.copy(DATA / "drums.mid", data / "drums.mid")
    argv = ["train", "--data", str(data), "--out", str(run), "--cache-dir", str(tmp_path / "c")]
    assert exit_code(argv) == 2
    error = capsys.readouterr().err
    assert "no usable MIDI file for training in" in error and "(2 found, all skipped)" in error
    assert f"{data / 'corrupt.mid'}: not a readable MIDI file" in error
    assert f"{data / 'drums.mid'}: no notes (the file holds only drums" in error
    assert not run.exists()


def test_train_tracks_choose_what_is_learned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    shutil.copy(DATA / "band.mid", data / "band.mid")
    argv = ["train", "--data", str(data), "--out", str(run), "--cache-dir", str(tmp_path / "c")]
    assert exit_code([*argv, "--tracks", "Drums"]) == 2
    assert "--tracks Drums chooses only drums" in capsys.readouterr().err
    assert not run.exists()


def test_train_says_when_the_only_good_file_is_held_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    for velocity in range(1, 128):  # a file whose content the split puts into test
        write_midi(
            data / "piece.mid", [Note(60 + i, velocity, i * 0.5, i * 0.5 + 0.4) for i in range(12)]
        )
        if hash_split(hashlib.sha256((data / "piece.mid").read_bytes()).hexdigest()) == "test":
            break
    (data / "corrupt.mid").write_bytes(b"junk")
    argv = ["train", "--data", str(data), "--out", str(run), "--cache-dir", str(tmp_path / "c")]
    line = one_line_error(capsys, argv)
    assert "falls into the training split: the usable files are held out (1 in test)" in line
    assert not run.exists()


def test_a_resumed_run_may_ease_the_augmentation_off_and_records_each_stage(
    tmp_path: Path,
) -> None:
    from musicgen_live.training.run_folder import record_stage, resumed_config

    saved = TrainConfig(out=str(tmp_path), transpose=5, stretch=0.1)
    record_stage(tmp_path, 0, saved)
    plain = resumed_config(
        saved, replace(saved, transpose=0, stretch=0.0), {"transpose", "stretch"}
    )
    assert (plain.transpose, plain.stretch) == (0, 0.0)
    record_stage(tmp_path, 73, plain)
    record_stage(tmp_path, 75, plain)  # the same augmentation: no new stage
    assert json.loads((tmp_path / "stages.json").read_text()) == [
        {"from_epoch": 0, "transpose": 5, "stretch": 0.1},
        {"from_epoch": 73, "transpose": 0, "stretch": 0.0},
    ]


def test_a_resumed_run_keeps_the_best_checkpoint_unless_it_does_better(tmp_path: Path) -> None:
    from musicgen_live.training.run_folder import best_validation_loss

    assert best_validation_loss(tmp_path) is None
    (tmp_path / "history.csv").write_text("epoch,loss,val_loss\n0,9.5,9.2\n1,9.1,9.05\n2,9.0,9.1\n")
    assert best_validation_loss(tmp_path) == 9.05
