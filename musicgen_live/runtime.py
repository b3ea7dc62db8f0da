"""Runs an exported model (model.tflite + model.json) with LiteRT and samples notes from it.

This is the live path: it never imports TensorFlow.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from musicgen_live.errors import ModelError
from musicgen_live.model.heads import OUTPUT_WIDTH, VELOCITY_SCALE
from musicgen_live.native import native_stderr_silenced
from musicgen_live.notes import MAX_SECONDS, clip_features

MIN_DURATION = 0.03


@dataclass(frozen=True)
class Sampling:
    """How a note is drawn from the model's outputs."""

    temperature: float = 1.0
    top_p: float = 0.95
    low: int = 0  # pitch range clamp, inclusive
    high: int = 127


def sample_pitch(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> int:
    """Temperature, then nucleus (top-p) sampling, inside the allowed pitch range."""
    scaled = logits.astype(np.float64) / max(sampling.temperature, 1e-3)
    allowed = np.full(128, -np.inf)
    allowed[sampling.low : sampling.high + 1] = 0.0
    scaled = scaled + allowed
    probabilities = np.exp(scaled - scaled.max())
    probabilities /= probabilities.sum()
    order = np.argsort(probabilities)[::-1]
    cumulative = np.cumsum(probabilities[order])
    keep = order[: int(np.searchsorted(cumulative, sampling.top_p)) + 1]
    kept = probabilities[keep] / probabilities[keep].sum()
    return int(rng.choice(keep, p=kept))


def note_from_output(
    output: np.ndarray, sampling: Sampling, rng: np.random.Generator
) -> np.ndarray:
    """One feature row (pitch, step, duration, velocity) from a model output row."""
    return np.array(
        [
            sample_pitch(output[:128], sampling, rng),
            min(max(0.0, float(output[128])), MAX_SECONDS),
            min(max(MIN_DURATION, float(output[129])), MAX_SECONDS),
            float(np.clip(round(float(output[130]) * VELOCITY_SCALE), 1, 127)),
        ],
        dtype=np.float32,
    )


def fill_window(rows: np.ndarray, window: int) -> np.ndarray:
    """The last `window` rows; a shorter seed is repeated from its start to fill the window."""
    rows = clip_features(rows)
    if len(rows) == 0:
        raise ModelError("the seed has no notes")
    if len(rows) < window:
        repeats = -(-window // len(rows))
        rows = np.concatenate([rows] * repeats)
    return rows[-window:]


class ModelRunner:
    """A loaded exported model: one window in, one output row out."""

    def __init__(self, folder: Path, card: dict[str, Any], interpreter: Any) -> None:
        self.folder = folder
        self.card = card
        self.window: int = int(card["window"])
        self.arch: str = card.get("arch", "?")
        self._interpreter = interpreter
        self._input = interpreter.get_input_details()[0]["index"]
        self._output = interpreter.get_output_details()[0]["index"]

    @classmethod
    def load(cls, folder: str | Path, threads: int = 1) -> ModelRunner:
        """Open a model folder; ModelError names what is missing or broken."""
        from ai_edge_litert.interpreter import Interpreter

        folder = Path(folder)
        card_path, model_path = folder / "model.json", folder / "model.tflite"
        for path in (card_path, model_path):
            if not path.is_file():
                raise ModelError(
                    f"{folder}: no {path.name} (a model folder holds model.tflite and model.json)"
                )
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            int(card["window"])
        except (ValueError, KeyError, TypeError) as error:
            raise ModelError(f"{card_path}: not a model card ({error})") from error
        try:
            with native_stderr_silenced():
                interpreter = Interpreter(model_path=str(model_path), num_threads=threads)
                interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as error:
            raise ModelError(f"{model_path}: not a usable TFLite model ({error})") from error
        shape = tuple(interpreter.get_output_details()[0]["shape"])
        if shape[-1] != OUTPUT_WIDTH:
            raise ModelError(f"{model_path}: output shape {shape}, expected (1, {OUTPUT_WIDTH})")
        return cls(folder, card, interpreter)

    def predict(self, window: np.ndarray) -> np.ndarray:
        """The output row (131 values) for one window of feature rows."""
        self._interpreter.set_tensor(
            self._input, window.reshape(1, self.window, 4).astype(np.float32)
        )
        self._interpreter.invoke()
        return np.array(self._interpreter.get_tensor(self._output)[0])

    def generate(
        self, seed: np.ndarray, sampling: Sampling, rng: np.random.Generator
    ) -> Iterator[np.ndarray]:
        """Endless continuation of the seed rows, one feature row at a time."""
        window = fill_window(seed, self.window)
        while True:
            row = note_from_output(self.predict(window), sampling, rng)
            yield row
            window = np.concatenate([window[1:], clip_features(row[None, :])])
