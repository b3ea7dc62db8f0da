"""What a run folder remembers between sessions: epochs done, the best validation loss so
far, and the augmentation stages (no TensorFlow here)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from musicgen_live.config import TrainConfig, save_json


def record_stage(run_dir: Path, epoch: int, config: TrainConfig) -> list[dict[str, Any]]:
    """The run's augmentation stages, with a new one from `epoch` if it changed."""
    path = run_dir / "stages.json"
    stages: list[dict[str, Any]] = json.loads(path.read_text()) if path.exists() else []
    stage = {"transpose": config.transpose, "stretch": config.stretch}
    if not stages or {k: stages[-1][k] for k in stage} != stage:
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


def epochs_done(run_dir: Path) -> int:
    state = run_dir / "state.json"
    return int(json.loads(state.read_text())["epoch"]) if state.exists() else 0
