"""Training runs: artefacts, resume, and two workers training together."""

import csv
import json
import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from musicgen_live.config import TrainConfig, load_dataclass
from musicgen_live.errors import UserError


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
def test_resume_continues_a_stopped_run(tiny_run: Path, tmp_path: Path) -> None:
    from musicgen_live.config import save_json
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
