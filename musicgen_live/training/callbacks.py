"""What runs after every epoch of `train`: checkpoints, history, the time budget, and either
the learning-rate schedule with early stopping or, in an averaging stretch, the running mean
of the weights."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import keras

from musicgen_live.train_config import TrainConfig, save_json
from musicgen_live.training.averaging import WeightAverage
from musicgen_live.training.plots import plot_history
from musicgen_live.training.run_folder import best_validation_loss


class RunState(keras.callbacks.Callback):
    """After every epoch: remember the epoch for --resume, redraw the loss curves,
    and stop once the time budget is spent."""

    def __init__(self, run_dir: Path, deadline: float | None) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.deadline = deadline

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        state = self.run_dir / "state.json"
        self.trained = json.loads(state.read_text()).get("seconds", 0.0) if state.exists() else 0.0
        self.started = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        seconds = self.trained + time.monotonic() - self.started
        save_json(self.run_dir / "state.json", {"epoch": epoch + 1, "seconds": round(seconds, 1)})
        plot_history(self.run_dir / "history.csv", self.run_dir / "loss_curves.png")
        if self.deadline is not None and time.monotonic() > self.deadline:
            print(f"time budget reached after epoch {epoch + 1}")
            self.model.stop_training = True


def epoch_callbacks(
    run_dir: Path, config: TrainConfig, initial_epoch: int, validation_data: Any
) -> list[keras.callbacks.Callback]:
    """The callbacks of a run. Averaging keeps the learning rate constant and runs to the
    epoch or time limit: the mean, not the latest weights, is what it is for."""
    checkpoints = run_dir / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + config.max_minutes * 60 if config.max_minutes else None
    schedule: list[keras.callbacks.Callback] = (
        [WeightAverage(run_dir, initial_epoch, validation_data)]
        if config.average
        else [
            keras.callbacks.EarlyStopping(patience=config.patience, restore_best_weights=False),
            keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=max(1, config.patience // 2)),
        ]
    )
    return [
        keras.callbacks.ModelCheckpoint(checkpoints / "last.keras"),
        keras.callbacks.ModelCheckpoint(
            checkpoints / "best.keras",
            save_best_only=True,
            initial_value_threshold=best_validation_loss(run_dir) if initial_epoch else None,
        ),
        keras.callbacks.CSVLogger(run_dir / "history.csv", append=initial_epoch > 0),
        keras.callbacks.TensorBoard(run_dir / "logs"),
        *schedule,
        RunState(run_dir, deadline),
    ]
