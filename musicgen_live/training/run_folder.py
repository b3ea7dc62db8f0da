"""What a run folder remembers between sessions: epochs done, the best validation loss so
far, the stages of the run, and which settings a resume may change (no TensorFlow here)."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

from musicgen_live.errors import UserError
from musicgen_live.train_config import TrainConfig, save_json

# What a resumed run may change: these bound or place the work, ease the augmentation off,
# restart the learning rate, change the dropout or average the weights for the last epochs
# (each stage is recorded in stages.json and the model card).
RESUMABLE = frozenset(
    {
        "epochs",
        "learning_rate",
        "average",
        "dropout",
        "max_minutes",
        "patience",
        "strategy",
        "steps_per_epoch",
        "cache_dir",
        "transpose",
        "stretch",
        "deterministic",
    }
)


def resumed_config(
    saved: TrainConfig, requested: TrainConfig, changed: Collection[str]
) -> TrainConfig:
    """The saved run's settings, updated with those the user typed (`changed`) that may change
    mid-run; UserError for one that may not."""
    updates = {}
    for name in sorted(changed):
        value, before = getattr(requested, name), getattr(saved, name)
        if value == before or (isinstance(value, tuple) and list(value) == list(before)):
            continue
        if name not in RESUMABLE:
            flag = "--no-sustain" if name == "sustain" else "--" + name.replace("_", "-")
            if isinstance(value, bool):
                given, was = flag, f"without {flag}"
            else:
                given, was = f"{flag} {_as_typed(value)}", f"with {_as_typed(before)}"
            raise UserError(
                f"{given}: the run in {requested.out} was started {was}, which --resume cannot "
                "change; start a new run with another --out"
            )
        updates[name] = value
    return replace(saved, out=requested.out, **updates)


def _as_typed(value: Any) -> str:
    return ",".join(value) if isinstance(value, list | tuple) else str(value)


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


# What a run writes into its folder (train, averaging, multi-worker copies); nothing else
# there is touched when a run starts over.
RUN_FILES = (
    "config.json", "state.json", "stages.json", "history.csv", "loss_curves.png",
    "metrics.json", "average.json",
)  # fmt: skip
RUN_FOLDERS = ("checkpoints", "logs", "worker-*")


def clear_run(run_dir: Path) -> None:
    """Remove the run in `run_dir`, for a new one to start there (train --force)."""
    for name in RUN_FILES:
        (run_dir / name).unlink(missing_ok=True)
    for pattern in RUN_FOLDERS:
        for folder in run_dir.glob(pattern):
            shutil.rmtree(folder)


def run_checkpoint(config: TrainConfig) -> str:
    """The checkpoint a run is for: the weight average of a run that averages, else the
    epoch with the best validation loss (what `export` takes and `metrics.json` measures)."""
    return "average" if config.average else "best"


def epochs_done(run_dir: Path) -> int:
    state = run_dir / "state.json"
    return int(json.loads(state.read_text())["epoch"]) if state.exists() else 0
