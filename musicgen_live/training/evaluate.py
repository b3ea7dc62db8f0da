"""Held-out evaluation of models and the n-gram baseline on the same windows.

Exported models run through the live runtime (LiteRT), so `musicgen-live eval` needs no
TensorFlow; Keras models are evaluated the same way from their predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from musicgen_live.contract import feature_bins
from musicgen_live.notes import PITCH, clip_features
from musicgen_live.runtime import ModelRunner
from musicgen_live.training.datasets import Corpus, load_corpus
from musicgen_live.training.metrics import classes_of_windows, head_metrics, histogram_baseline
from musicgen_live.training.ngram import NGramModel, fit_baseline
from musicgen_live.training.windows import index_windows

TUNING_WINDOWS = 5000


def evaluate_keras(
    model: Any, inputs: np.ndarray, next_notes: np.ndarray, sequence: bool
) -> dict[str, float]:
    """Head metrics of a Keras model; sequence models are read at the window's last note."""
    classes = classes_of_windows(inputs, next_notes) if sequence else feature_bins(next_notes)
    logits = model.predict({"notes": inputs, "classes": classes}, batch_size=512, verbose=0)
    if sequence:
        logits = {name: values[:, -1] for name, values in logits.items()}
    return head_metrics(logits, next_notes)


def evaluate_runner(
    runner: ModelRunner, inputs: np.ndarray, next_notes: np.ndarray, progress: bool = False
) -> dict[str, float]:
    """Head metrics of an exported model, through the live runtime."""
    rows = [
        runner.logits(window, following)
        for window, following in tqdm(
            zip(inputs, next_notes, strict=True),
            total=len(inputs),
            disable=not progress,
            leave=False,
        )
    ]
    logits = {name: np.stack([row[name] for row in rows]) for name in rows[0]}
    return head_metrics(logits, next_notes)


def ngram_baseline(corpus: Corpus, window: int, max_windows: int | None, seed: int) -> NGramModel:
    """The n-gram pitch model fitted on `train`, its order chosen on `validation`."""
    tuning = corpus.pieces["validation"] or corpus.pieces["train"]
    inputs, next_notes = index_windows(tuning, window, TUNING_WINDOWS, seed).arrays()
    sequences = [features[:, PITCH].astype(int).tolist() for _, features in corpus.pieces["train"]]
    return fit_baseline(sequences, inputs[:, :, PITCH], next_notes[:, PITCH])


@dataclass
class Row:
    name: str
    metrics: dict[str, float]


def evaluation_table(
    data: str,
    model_dirs: Sequence[Path],
    split: str = "test",
    max_windows: int | None = 20000,
    seed: int = 0,
    progress: bool = True,
) -> tuple[list[Row], int]:
    """Rows for every model and the baseline, all on the same windows of `split`."""
    runners = [ModelRunner.load(path) for path in model_dirs]
    window = max(runner.window for runner in runners) if runners else 32
    corpus = load_corpus(data, progress=progress)
    pieces = corpus.pieces[split] or corpus.pieces["validation"]
    index = index_windows(pieces, window, max_windows, seed)
    inputs, next_notes = index.arrays()
    rows = [
        Row(
            path.name if path.name == runner.arch else f"{path.name} ({runner.arch})",
            evaluate_runner(runner, inputs[:, -runner.window :], next_notes, progress),
        )
        for path, runner in zip(model_dirs, runners, strict=True)
    ]
    baseline = ngram_baseline(corpus, window, max_windows, seed)
    rows.append(
        Row(
            f"n-gram baseline (order {baseline.order})",
            baseline.evaluate(inputs[:, :, PITCH], next_notes[:, PITCH]),
        )
    )
    train_notes = clip_features(np.concatenate([f for _, f in corpus.pieces["train"]]))
    rows.append(Row("histogram baseline", histogram_baseline(train_notes, next_notes)))
    return rows, len(index)


COLUMNS = (
    ("loss", "Loss"),
    ("pitch_nll", "Pitch NLL"),
    ("pitch_accuracy", "Pitch top-1"),
    ("step_nll", "Step NLL"),
    ("duration_nll", "Duration NLL"),
    ("velocity_nll", "Velocity NLL"),
)


def format_table(rows: Sequence[Row], split: str = "validation", markdown: bool = False) -> str:
    """The notebook's table (model, validation loss) with a column per head; every loss is
    a negative log-likelihood in nats, the total that of a whole note."""
    titles = (f"{split.capitalize()} loss" if key == "loss" else title for key, title in COLUMNS)
    header = ["Model", *titles]
    body = [
        [
            row.name,
            *(f"{row.metrics[key]:.3f}" if key in row.metrics else "-" for key, _ in COLUMNS),
        ]
        for row in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(cells) + " |" for cells in body])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        for cells in [header, *body]
    )
