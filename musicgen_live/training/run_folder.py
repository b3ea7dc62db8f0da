"""What a run folder remembers between sessions: epochs done, the best validation loss so
far, and the stages of the run (no TensorFlow here)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from musicgen_live.train_config import TrainConfig, save_json


def record_stage(
    run_dir: Path, epoch: int, config: TrainConfig, learning_rate: float | None = None
) -> list[dict[str, Any]]:
    """The run's stages (augmentation, averaging, dropout, a restarted learning rate), with
    a new one from `epoch` if any of them changed."""
    path = run_dir / "stages.json"
    stages: list[dict[str, Any]] = json.loads(path.read_text()) if path.exists() else []
    stage: dict[str, Any] = {"transpose": config.transpose, "stretch": config.stretch}
    if config.average:
        stage["average"] = True
    if config.dropout is not None:
        stage["dropout"] = config.dropout
    if learning_rate is not None:  # a restart is a new stage even with the same settings
        stage["learning_rate"] = learning_rate
    kept = ("transpose", "stretch", "average", "dropout")
    last = {k: v for k, v in stages[-1].items() if k in kept} if stages else None
    if last != stage:
        stages.append({"from_epoch": epoch, **stage})
        save_json(path, stages)
    return stages


def best_validation_loss(run_dir: Path) -> float | None:
    """The lowest validation loss of the epochs run so far, so that a resumed run replaces
    best.keras only with a better model."""
    history = run_dir / "history.csv"
    if not history.exists():
        return None
    with history.open(newline="") as handle:
        losses = [float(row["val_loss"]) for row in csv.DictReader(handle) if row.get("val_loss")]
    return min(losses, default=None)


def run_checkpoint(config: TrainConfig) -> str:
    """The checkpoint a run is for: the weight average of a run that averages, else the
    epoch with the best validation loss (what `export` takes and `metrics.json` measures)."""
    return "average" if config.average else "best"


def epochs_done(run_dir: Path) -> int:
    state = run_dir / "state.json"
    return int(json.loads(state.read_text())["epoch"]) if state.exists() else 0
