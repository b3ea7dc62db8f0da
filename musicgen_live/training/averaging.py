"""Weight averaging for the last stretch of a run: the mean of the weights after every
training step, kept in checkpoints/average.keras.

At a constant learning rate the weights wander around a minimum; their mean sits nearer its
middle than any one of them, and usually predicts better than the best single epoch.
The mean survives a stopped session: average.json says how many steps it holds, and a
resumed run goes on adding to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np

from musicgen_live.model.architectures import load_checkpoint
from musicgen_live.train_config import save_json


class WeightAverage(keras.callbacks.Callback):
    """Adds the weights after every step to a running mean; after every epoch, saves the
    mean as average.keras and reports its validation loss (the model trains on unchanged)."""

    def __init__(self, run_dir: Path, initial_epoch: int, validation_data: Any) -> None:
        super().__init__()
        self.checkpoint = run_dir / "checkpoints" / "average.keras"
        self.record = run_dir / "average.json"
        self.initial_epoch = initial_epoch
        self.validation_data = validation_data

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.steps = self.saved_steps()
        if self.steps:
            saved = load_checkpoint(self.checkpoint).get_weights()
            self.sums = [np.asarray(w, np.float64) * self.steps for w in saved]
        else:
            self.sums = [np.zeros(w.shape, np.float64) for w in self.model.get_weights()]

    def saved_steps(self) -> int:
        """The steps in the saved mean, if it was taken up to the epoch this run resumes
        after; else 0 (an older mean, from before a stretch without averaging, is started
        afresh)."""
        if not (self.checkpoint.exists() and self.record.exists()):
            return 0
        record = json.loads(self.record.read_text())
        return int(record["steps"]) if record.get("epoch") == self.initial_epoch else 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        for total, weight in zip(self.sums, self.model.get_weights(), strict=True):
            total += weight
        self.steps += 1

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not self.steps:
            return
        current = self.model.get_weights()
        pairs = zip(self.sums, current, strict=True)
        mean = [(total / self.steps).astype(weight.dtype) for total, weight in pairs]
        self.model.set_weights(mean)
        try:
            validation = self.model.evaluate(self.validation_data, verbose=0, return_dict=True)
            self.model.save(self.checkpoint)
        finally:
            self.model.set_weights(current)
        loss = float(validation["loss"])
        save_json(self.record, {"steps": self.steps, "epoch": epoch + 1, "val_loss": loss})
        print(f"weights averaged over {self.steps} steps: validation loss {loss:.4f}")
