"""`musicgen-live eval --music`: answers to held-out phrases judged as music.

Every model and a pitch-bigram sampler (with the phrase's own timing) answer the same
phrases, each also played at other tempi, loudness and registers (music_follow.py), with
the same RNG seeds; the real continuation, played the same way, is the reference column,
and the endings of the held-out pieces are the reference for how answers close. With `long`
notes, each model also plays endless answers, whose drift is measured (music_drift.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
from tqdm import tqdm

from musicgen_live.continuation import continue_notes
from musicgen_live.notes import PITCH, Note, features_to_notes, notes_to_features
from musicgen_live.runtime import ModelRunner
from musicgen_live.sampling import Sampling
from musicgen_live.training.datasets import load_corpus
from musicgen_live.training.music import (
    PHRASE_NOTES,
    Answer,
    HeldOutPhrase,
    held_out_phrases,
    music_column,
    music_figures,
    ngram_continuation,
    piece_endings,
    real_column,
    summarise,
)
from musicgen_live.training.music_drift import DriftRow, drift_rows, format_drift, long_phrases
from musicgen_live.training.music_follow import (
    CONDITIONS,
    PLAIN,
    Answers,
    follow_figures,
    played_as,
    real_answers,
)
from musicgen_live.training.music_tables import ENDING_FIGURES, Column, format_music_tables
from musicgen_live.training.ngram import NGramModel

ALL = "all"  # the split that takes every file: phrases from a set never trained on


@dataclass
class MusicReport:
    """What `eval --music` measured: the columns of its tables (the real one first), and
    with long answers the drift of each model beside the real one."""

    phrases: int
    endings: int  # held-out pieces whose last notes are the endings' reference
    columns: list[Column]
    long_notes: int = 0
    long_phrases: int = 0
    real_drift: list[DriftRow] = field(default_factory=list)
    drift: list[tuple[str, list[DriftRow]]] = field(default_factory=list)


def model_name(path: Path, runner: ModelRunner) -> str:
    return path.name if path.name == runner.arch else f"{path.name} ({runner.arch})"


def collect_answers(
    phrases: Sequence[HeldOutPhrase], answer: Answer, samples: int, seed: int = 0
) -> Answers:
    """`samples` answers to each phrase played as each condition says; sample s of phrase i
    draws from the seed [seed, i, s] whatever the condition, so conditions differ only in
    how the phrase was played."""
    return {
        condition: [
            [
                answer(played_as(held, condition), np.random.default_rng([seed, index, sample]))
                for sample in range(samples)
            ]
            for index, held in enumerate(phrases)
        ]
        for condition in CONDITIONS
    }


def judged(phrases: Sequence[HeldOutPhrase], answers: Answers) -> dict[str, float]:
    """A column: the answers at x1 judged as music, and how the answers follow the phrase."""
    return music_column(phrases, answers[PLAIN]) | follow_figures(phrases, answers)


def real_judged(phrases: Sequence[HeldOutPhrase]) -> dict[str, float]:
    """The real continuations, played with their phrases, judged like answers."""
    return real_column(phrases) | follow_figures(phrases, real_answers(phrases))


def endings_column(endings: Sequence[HeldOutPhrase]) -> dict[str, float]:
    """How the pieces themselves end: their last notes judged as an answer's close."""
    column = summarise([[music_figures(held.phrase, held.real)] for held in endings], [], [])
    return {name: column[name] for name in ENDING_FIGURES if endings}


def model_answer(runner: ModelRunner, sampling: Sampling, bar: tqdm) -> Answer:
    """PHRASE_NOTES notes (a target: the answer closes within 8 past it) after a phrase."""

    def answer(held: HeldOutPhrase, rng: np.random.Generator) -> list[Note]:
        bar.update()
        return continue_notes(runner, held.phrase, PHRASE_NOTES, sampling, rng)

    return answer


def long_answer(
    runner: ModelRunner, held: HeldOutPhrase, sampling: Sampling, notes: int, seed: int
) -> list[Note]:
    """`notes` notes after the phrase from an endless answer (no target, no close)."""
    stream = runner.generate(
        notes_to_features(held.phrase), sampling, np.random.default_rng(seed), target=None
    )
    rows = np.stack(list(islice(stream, notes)))
    return features_to_notes(rows, start=max(note.start for note in held.phrase))


def bigram_answer(train: Sequence[tuple[str, np.ndarray]]) -> Answer:
    pitches = (features[:, PITCH].astype(int).tolist() for _, features in train)
    bigram = NGramModel(order=2).fit(pitches)

    def answer(held: HeldOutPhrase, rng: np.random.Generator) -> list[Note]:
        return ngram_continuation(bigram, held.phrase, PHRASE_NOTES, rng)

    return answer


def music_table(
    data: str,
    model_dirs: Sequence[Path],
    sampling: Sampling,
    split: str = "test",
    samples: int = 3,
    progress: bool = True,
    long_notes: int = 0,
    long_count: int = 0,
) -> MusicReport:
    """The columns of the real continuation, every model and (unless the split is ALL, which
    the bigram would have learned from) the bigram sampler; with `long_notes`, the drift of
    `long_count` endless answers per model."""
    runners = [ModelRunner.load(path) for path in model_dirs]
    corpus = load_corpus(data, progress=progress)
    if split == ALL:
        pieces = [piece for pieces in corpus.pieces.values() for piece in pieces]
        held_out = pieces
    else:
        pieces = corpus.pieces[split] or corpus.pieces["validation"]
        held_out = corpus.pieces["validation"] + corpus.pieces["test"]
    phrases = held_out_phrases(pieces)
    endings = piece_endings(held_out)
    columns: list[Column] = [("real", real_judged(phrases))]
    columns.append((f"real piece endings ({len(endings)})", endings_column(endings)))
    total = len(phrases) * samples * len(CONDITIONS) * len(runners)
    with tqdm(total=total, desc="answers", disable=not progress, leave=False) as bar:
        for path, runner in zip(model_dirs, runners, strict=True):
            answers = collect_answers(phrases, model_answer(runner, sampling, bar), samples)
            columns.append((model_name(path, runner), judged(phrases, answers)))
    if split != ALL:
        bigram = bigram_answer(corpus.pieces["train"])
        columns.append(
            ("bigram sampler", judged(phrases, collect_answers(phrases, bigram, samples)))
        )
    report = MusicReport(len(phrases), len(endings), columns)
    if long_notes:
        long = long_phrases(pieces, long_count, long_notes)
        report.long_notes, report.long_phrases = long_notes, len(long)
        report.real_drift = drift_rows(long, [held.real for held in long], long_notes)
        for path, runner in zip(model_dirs, runners, strict=True):
            played = [
                long_answer(runner, held, sampling, long_notes, seed)
                for seed, held in enumerate(tqdm(long, desc="long answers", disable=not progress))
            ]
            report.drift.append((model_name(path, runner), drift_rows(long, played, long_notes)))
    return report


def format_report(report: MusicReport, markdown: bool = False) -> str:
    """Every table of the report; the drift of each model under its title."""
    parts = [format_music_tables(report.columns, markdown)]
    for name, rows in report.drift:
        title = (
            f"Drift of {name}: {report.long_phrases} answers of {report.long_notes:,} notes "
            "without an end, per 100 notes against the phrase answered; real: the pieces' own "
            "continuation, as far as each piece goes"
        )
        parts.append(f"{title}\n{format_drift(rows, report.real_drift, markdown)}")
    return "\n\n".join(parts)
