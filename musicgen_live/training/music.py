"""How an answer is judged as music: IOI spread, chords, pulse, dynamics, articulation, key,
motif reuse and the close against the real continuation (numpy only; README, "Judging
answers as music").

Every figure compares a continuation with the phrase it answers or with the piece's real
continuation, so numbers from `eval --music`, model.json and the README stay comparable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from musicgen_live.contract import CHORD_SECONDS
from musicgen_live.follow import pulse
from musicgen_live.keys import estimate_key, key_related, pitch_class_histogram, scale_pitch_classes
from musicgen_live.notes import PITCH, Note, features_to_notes, notes_to_features, sort_notes
from musicgen_live.training.music_hand import hand_figures
from musicgen_live.training.ngram import NGramModel

PHRASE_NOTES = 32
PHRASES_PER_PIECE = 10
# 12 bins: chords, 30-60 ms, then log-spaced up to about 2.63 s, then everything longer.
IOI_EDGES = np.concatenate([[0.0, CHORD_SECONDS], np.geomspace(0.06, 4.0, 11)[:10], [np.inf]])


@dataclass(frozen=True)
class HeldOutPhrase:
    """A phrase cut from a held-out piece and the notes the pianist really played next."""

    piece: str
    phrase: list[Note]
    real: list[Note]
    start: int = 0  # the phrase's first note, counted in the piece


def held_out_phrases(
    pieces: Sequence[tuple[str, np.ndarray]],
    per_piece: int = PHRASES_PER_PIECE,
    length: int = PHRASE_NOTES,
) -> list[HeldOutPhrase]:
    """Evenly spaced phrases of each piece's feature rows, each with its real continuation."""
    phrases = []
    for name, rows in pieces:
        notes = features_to_notes(rows)
        last = len(notes) - 2 * length
        if last < 0:
            continue
        for start in np.unique(np.linspace(0, last, per_piece).round().astype(int)):
            middle = start + length
            phrases.append(
                HeldOutPhrase(name, notes[start:middle], notes[middle : middle + length], start)
            )
    return phrases


def piece_endings(
    pieces: Sequence[tuple[str, np.ndarray]], length: int = PHRASE_NOTES
) -> list[HeldOutPhrase]:
    """The last `length` notes of each piece as the "continuation" of the `length` before."""
    endings = []
    for name, rows in pieces:
        notes = features_to_notes(rows)
        if len(notes) >= 2 * length:
            start = len(notes) - 2 * length
            endings.append(HeldOutPhrase(name, notes[start:-length], notes[-length:], start))
    return endings


def pulse_of(notes: Sequence[Note]) -> float | None:
    """The median gap between onset groups (follow.pulse); None with fewer than 3 groups."""
    return pulse(notes_to_features(notes)) if notes else None


def inter_onset_intervals(phrase: Sequence[Note], continuation: Sequence[Note]) -> np.ndarray:
    """Onset gaps of the continuation; the first is the gap from the phrase's last onset."""
    onsets = [note.start for note in sort_notes(continuation)]
    if phrase:
        onsets.insert(0, max(note.start for note in phrase))
    return np.diff(np.asarray(onsets, dtype=np.float64))


def ioi_histogram(iois: np.ndarray) -> np.ndarray:
    """Share of IOIs in each of the 12 IOI_EDGES bins (all zeros when there are none)."""
    bins = np.searchsorted(IOI_EDGES, np.asarray(iois, dtype=np.float64), side="right") - 1
    counts = np.bincount(np.clip(bins, 0, len(IOI_EDGES) - 2), minlength=len(IOI_EDGES) - 1)
    return counts / max(1, counts.sum())


def histogram_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance: 0 for equal histograms, 1 for disjoint ones."""
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def _mean(values: Sequence[float] | np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else 0.0


def _known_mean(values: Sequence[float]) -> float:
    """The mean of the figures that could be measured (nan: could not); nan if none could."""
    known = [value for value in values if not np.isnan(value)]
    return float(np.mean(known)) if known else float("nan")


def _std(values: Sequence[float] | np.ndarray) -> float:
    return float(np.std(values)) if len(values) else 0.0


def _pitch_class_distance(first: Sequence[int], second: Sequence[int]) -> float:
    first_classes, second_classes = pitch_class_histogram(first), pitch_class_histogram(second)
    return histogram_distance(
        first_classes / max(1.0, first_classes.sum()),
        second_classes / max(1.0, second_classes.sum()),
    )


def _four_grams(pitches: Sequence[int]) -> list[tuple[int, ...]]:
    return [tuple(pitches[i : i + 4]) for i in range(len(pitches) - 3)]


def _timing_figures(phrase: Sequence[Note], continuation: Sequence[Note]) -> dict[str, float]:
    iois = inter_onset_intervals(phrase, continuation)
    mean = _mean(iois)
    durations = [note.duration for note in continuation]
    velocities = [float(note.velocity) for note in continuation]
    answer_pulse, phrase_pulse = pulse_of(continuation), pulse_of(phrase)
    return {
        "ioi_mean": mean,
        "ioi_cv": _std(iois) / mean if mean > 0 else 0.0,
        "chord_onsets": _mean(iois < CHORD_SECONDS),
        "pulse": float("nan") if answer_pulse is None else answer_pulse,
        "pulse_ratio": (
            answer_pulse / phrase_pulse if answer_pulse and phrase_pulse else float("nan")
        ),
        "duration_mean": _mean(durations),
        "duration_std": _std(durations),
        "velocity_mean": _mean(velocities),
        "velocity_std": _std(velocities),
    }


def _pitch_figures(phrase: Sequence[Note], continuation: Sequence[Note]) -> dict[str, float]:
    asked = [note.pitch for note in sort_notes(phrase)]
    answered = [note.pitch for note in sort_notes(continuation)]
    phrase_key = estimate_key(asked)
    scale = scale_pitch_classes(phrase_key)
    grams, phrase_grams = _four_grams(answered), set(_four_grams(asked))
    return {
        "key_related": float(key_related(phrase_key, estimate_key(answered))),
        "out_of_scale": _mean([pitch % 12 not in scale for pitch in answered]),
        "pitch_class_distance": _pitch_class_distance(asked, answered),
        "register_drift": abs(_mean(answered) - _mean(asked)) if asked and answered else 0.0,
        "repeated_4grams": _mean([gram in grams[:i] for i, gram in enumerate(grams)]),
        "reused_4grams": _mean([gram in phrase_grams for gram in grams]),
    }


def music_figures(
    phrase: Sequence[Note], continuation: Sequence[Note], real: Sequence[Note] | None = None
) -> dict[str, float]:
    """Every per-phrase figure; "ioi_distance" only when the real continuation is given; nan
    where the continuation has no pulse."""
    figures = _timing_figures(phrase, continuation) | _pitch_figures(phrase, continuation)
    figures |= hand_figures(phrase, continuation)
    if real is not None:
        figures["ioi_distance"] = histogram_distance(
            ioi_histogram(inter_onset_intervals(phrase, continuation)),
            ioi_histogram(inter_onset_intervals(phrase, real)),
        )
    return figures


def pooled_ioi_distance(
    generated_iois: Sequence[np.ndarray], real_iois: Sequence[np.ndarray]
) -> float:
    """Distance between the histograms of all generated and all real IOIs, pooled."""

    def pooled(iois: Sequence[np.ndarray]) -> np.ndarray:
        return ioi_histogram(np.concatenate([np.zeros(0), *iois]))

    return histogram_distance(pooled(generated_iois), pooled(real_iois))


def real_floor(real_iois: Sequence[np.ndarray]) -> float:
    """Pooled distance of real against real (even- vs odd-numbered phrases): the noise floor."""
    return pooled_ioi_distance(real_iois[0::2], real_iois[1::2])


def summarise(
    figures_per_phrase: Sequence[Sequence[dict[str, float]]],
    generated_iois: Sequence[np.ndarray],
    real_iois: Sequence[np.ndarray],
) -> dict[str, float]:
    """One column: each figure averaged per phrase over samples, then over phrases (leaving
    out what could not be measured, nan), plus "pooled_ioi_distance" between all generated
    and all real IOIs."""
    per_phrase = [
        {name: _known_mean([sample[name] for sample in samples]) for name in samples[0]}
        for samples in figures_per_phrase
        if samples
    ]
    names = per_phrase[0] if per_phrase else {}
    column = {name: _known_mean([row[name] for row in per_phrase]) for name in names}
    column["pooled_ioi_distance"] = pooled_ioi_distance(generated_iois, real_iois)
    return column


def real_ioi_list(phrases: Sequence[HeldOutPhrase]) -> list[np.ndarray]:
    """The IOIs of every phrase's real continuation, in phrase order."""
    return [inter_onset_intervals(held_out.phrase, held_out.real) for held_out in phrases]


Answer = Callable[[HeldOutPhrase, np.random.Generator], list[Note]]


def music_column(
    phrases: Sequence[HeldOutPhrase], answers: Sequence[Sequence[Sequence[Note]]]
) -> dict[str, float]:
    """Summarised figures of the answers to each phrase (several samples each)."""
    figures, generated = [], []
    for held_out, samples in zip(phrases, answers, strict=True):
        figures.append([music_figures(held_out.phrase, a, held_out.real) for a in samples])
        generated += [inter_onset_intervals(held_out.phrase, a) for a in samples]
    return summarise(figures, generated, real_ioi_list(phrases))


def real_column(phrases: Sequence[HeldOutPhrase]) -> dict[str, float]:
    """The real continuations judged like answers; the pooled distance is the noise floor."""
    figures = [[music_figures(held.phrase, held.real, held.real)] for held in phrases]
    iois = real_ioi_list(phrases)
    return summarise(figures, iois, iois) | {"pooled_ioi_distance": real_floor(iois)}


def ngram_continuation(
    model: NGramModel, phrase: Sequence[Note], count: int, rng: np.random.Generator
) -> list[Note]:
    """Pitches sampled from the n-gram model, played with the phrase's own timing.

    Step, duration and velocity cycle through the phrase's feature rows from the second
    row on (the first row's step is 0 by construction, not a gap the pianist played).
    """
    if not phrase:
        raise ValueError("the n-gram sampler needs a phrase to take its timing from")
    rows = notes_to_features(phrase)
    timing = rows[1:] if len(rows) > 1 else rows
    history = [int(pitch) for pitch in rows[:, PITCH]]
    answer = np.zeros((count, 4), dtype=np.float64)
    for i in range(count):
        probabilities = model.distribution(history)
        pitch = int(rng.choice(128, p=probabilities / probabilities.sum()))
        history.append(pitch)
        answer[i] = timing[i % len(timing)]
        answer[i, PITCH] = pitch
    return features_to_notes(answer, start=max(note.start for note in phrase))
