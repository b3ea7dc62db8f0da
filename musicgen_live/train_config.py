"""Frozen configuration records, saved as JSON beside what they produced."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# `export`: semitones either way a model trained on transposed pieces reads each window at
# (README, "Reading a phrase in several keys"): chosen by validation within the time budget.
TRANSPOSITION = 3


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run."""

    data: str = "hannds"
    arch: str = "note_lstm"
    out: str = "runs/default"
    window: int = 32
    batch_size: int = 256
    epochs: int = 20
    learning_rate: float = 1e-3
    steps_per_epoch: int | None = None
    max_windows: int | None = None
    validation_windows: int | None = 20000
    patience: int = 3
    max_minutes: float | None = None
    strategy: str = "default"
    sustain: bool = True
    transpose: int = 0  # augmentation: random shift up to +-semitones
    stretch: float = 0.0  # augmentation: random tempo change up to +-fraction
    tracks: str | None = None  # which tracks of each file (midi_files selectors); None: all
    order: tuple[str, ...] = ("pitch", "step", "duration", "velocity")
    dropout: float | None = None  # every dropout layer of the body; None: the architecture's
    average: bool = False  # keep the mean of every step's weights (checkpoints/average.keras)
    seed: int = 0
    deterministic: bool = False  # the same weights from the same seed, on one machine
    cache_dir: str | None = None


def save_json(path: Path, record: Any) -> None:
    """Write a dataclass (or dict) as indented JSON, atomically."""
    data = asdict(record) if hasattr(record, "__dataclass_fields__") else record
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    temporary.replace(path)


def load_dataclass(cls: type[T], path: Path) -> T:
    """Read a dataclass from JSON, ignoring keys it does not know."""
    data = json.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in known})
