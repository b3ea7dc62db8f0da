"""`musicgen-live eval --music`: answers to held-out phrases judged as music.

Every model and a pitch-bigram sampler (with the phrase's own timing) continue the same
phrases with the same RNG seeds; the real continuation is the reference column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from musicgen_live.continuation import continue_notes
from musicgen_live.notes import PITCH, Note
from musicgen_live.runtime import ModelRunner
from musicgen_live.sampling import Sampling
from musicgen_live.training.datasets import load_corpus
from musicgen_live.training.music import (
    PHRASE_NOTES,
    HeldOutPhrase,
    held_out_phrases,
    music_column,
    ngram_continuation,
    real_column,
)
from musicgen_live.training.ngram import NGramModel

Column = tuple[str, dict[str, float]]

# Figures in table order and their names in the README.
FIGURE_NAMES = {
    "ioi_mean": "IOI mean (s)",
    "ioi_cv": "IOI coefficient of variation",
    "chord_onsets": "chord onsets",
    "ioi_distance": "log-IOI histogram distance to real, per phrase",
    "pooled_ioi_distance": "pooled log-IOI distance to real",
    "duration_mean": "duration mean (s)",
    "duration_std": "duration std (s)",
    "velocity_mean": "velocity mean",
    "velocity_std": "velocity std",
    "key_related": "key related",
    "out_of_scale": "out-of-scale",
    "pitch_class_distance": "pitch-class distance",
    "register_drift": "register drift",
    "repeated_4grams": "repeated 4-grams",
    "reused_4grams": "4-grams reused from the phrase",
}
RATIO_FIGURES = ("ioi_cv", "chord_onsets", "duration_std", "velocity_std")


def model_name(path: Path, runner: ModelRunner) -> str:
    return path.name if path.name == runner.arch else f"{path.name} ({runner.arch})"


def model_column(
    runner: ModelRunner,
    phrases: Sequence[HeldOutPhrase],
    sampling: Sampling,
    samples: int,
    progress: bool = False,
) -> dict[str, float]:
    """The figures of a model's answers: PHRASE_NOTES notes after each phrase."""
    bar = tqdm(total=len(phrases) * samples, desc="answers", disable=not progress, leave=False)

    def answer(held: HeldOutPhrase, rng: np.random.Generator) -> list[Note]:
        bar.update()
        return continue_notes(runner, held.phrase, PHRASE_NOTES, sampling, rng)

    try:
        return music_column(phrases, answer, samples)
    finally:
        bar.close()


def bigram_column(
    train: Sequence[tuple[str, np.ndarray]], phrases: Sequence[HeldOutPhrase], samples: int
) -> dict[str, float]:
    pitches = (features[:, PITCH].astype(int).tolist() for _, features in train)
    bigram = NGramModel(order=2).fit(pitches)

    def answer(held: HeldOutPhrase, rng: np.random.Generator) -> list[Note]:
        return ngram_continuation(bigram, held.phrase, PHRASE_NOTES, rng)

    return music_column(phrases, answer, samples)


def music_table(
    data: str,
    model_dirs: Sequence[Path],
    sampling: Sampling,
    split: str = "test",
    samples: int = 3,
    progress: bool = True,
) -> tuple[list[Column], int]:
    """Columns for the real continuation, every model and the bigram sampler, and the
    number of held-out phrases."""
    runners = [ModelRunner.load(path) for path in model_dirs]
    corpus = load_corpus(data, progress=progress)
    phrases = held_out_phrases(corpus.pieces[split] or corpus.pieces["validation"])
    columns: list[Column] = [("real", real_column(phrases))]
    for path, runner in zip(model_dirs, runners, strict=True):
        figures = model_column(runner, phrases, sampling, samples, progress)
        columns.append((model_name(path, runner), figures))
    columns.append(("bigram sampler", bigram_column(corpus.pieces["train"], phrases, samples)))
    return columns, len(phrases)


def ratios_to_real(column: dict[str, float], real: dict[str, float]) -> dict[str, float]:
    """Generated / real for the figures where "how much like playing" is a ratio."""
    return {
        name: column[name] / real[name]
        for name in RATIO_FIGURES
        if name in column and real.get(name)
    }


def format_music_table(
    columns: Sequence[tuple[str, dict[str, float]]], markdown: bool = False
) -> str:
    """Figures as rows, one column each (the real one first); the others show ratios to real."""
    real = columns[0][1] if columns else {}
    header = ["figure", *(title for title, _ in columns)]
    body = []
    for name, label in FIGURE_NAMES.items():
        if not any(name in column for _, column in columns):
            continue
        cells = [label]
        for index, (_, column) in enumerate(columns):
            ratio = ratios_to_real(column, real).get(name) if index else None
            value = f"{column[name]:.3g}" if name in column else "-"
            cells.append(value if ratio is None else f"{value} ({ratio:.2f}x)")
        body.append(cells)
    if markdown:
        lines = [header, ["---"] * len(header), *body]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    # Names left-aligned, numbers right-aligned.
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *body]
    )
