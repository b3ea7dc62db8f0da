"""What runs after every epoch of `train`: checkpoints, history, the time budget, and either
the learning-rate schedule with early stopping or, in an averaging stretch, the running mean
of the weights."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import keras

from musicgen_live.train_config import TrainConfig, save_json
from musicgen_live.training.averaging import WeightAverage
from musicgen_live.training.plots import plot_history
from musicgen_live.training.progress import EpochBar, EpochLines, epoch_summary
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


class Progress(keras.callbacks.Callback):
    """Says where each epoch stands while it runs (a bar on a terminal, else a line every
    tenth or 30 s) and, once it ends, its losses in one line."""

    def __init__(self, epochs: int, steps: int, terminal: bool) -> None:
        super().__init__()
        self.epochs, self.steps, self.terminal = epochs, steps, terminal
        self.current: EpochBar | EpochLines | None = None
        self.started = time.monotonic()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.started = time.monotonic()
        self.current = (
            EpochBar(epoch + 1, self.epochs, self.steps, sys.stdout)
            if self.terminal
            else EpochLines(epoch + 1, self.epochs, self.steps, self.started, _say)
        )

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.current is not None:
            loss = float((logs or {}).get("loss", float("nan")))
            self.current.step(batch + 1, loss, time.monotonic())

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None
        seconds = time.monotonic() - self.started
        _say(epoch_summary(epoch + 1, self.epochs, seconds, logs or {}))


def _say(line: str) -> None:
    print(line, flush=True)


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
