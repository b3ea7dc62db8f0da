"""The baseline every neural model must beat: a smoothed n-gram model of pitch.

Interpolated Dirichlet smoothing: P_n(w|h) = (c(h,w) + k P_{n-1}(w|h')) / (c(h) + k), down
to an add-one unigram. Order and k are chosen on validation windows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

ORDERS = (1, 2, 3, 4, 5)
STRENGTHS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)


@dataclass
class NGramModel:
    """Counts of pitch continuations for every context up to `order - 1` notes."""

    order: int
    strength: float = 5.0
    counts: dict[tuple[int, ...], Counter[int]] = field(default_factory=dict)

    def fit(self, sequences: Iterable[Sequence[int]]) -> NGramModel:
        for sequence in sequences:
            pitches = [int(p) for p in sequence]
            for i, pitch in enumerate(pitches):
                for length in range(min(self.order - 1, i) + 1):
                    context = tuple(pitches[i - length : i])
                    self.counts.setdefault(context, Counter())[pitch] += 1
        return self

    def distribution(self, history: Sequence[int]) -> np.ndarray:
        """P(next pitch | the last order-1 pitches of history), shape (128,)."""
        unigram = self.counts.get((), Counter())
        probabilities = np.ones(128)
        for pitch, count in unigram.items():
            probabilities[pitch] += count
        probabilities /= probabilities.sum()
        recent = (
            [int(p) for p in history[len(history) - (self.order - 1) :]] if self.order > 1 else []
        )
        for length in range(1, len(recent) + 1):
            seen = self.counts.get(tuple(recent[-length:]))
            if not seen:
                break
            smoothed = self.strength * probabilities
            for pitch, count in seen.items():
                smoothed[pitch] += count
            probabilities = smoothed / (sum(seen.values()) + self.strength)
        return probabilities

    def evaluate(self, contexts: np.ndarray, next_pitches: np.ndarray) -> dict[str, float]:
        """Pitch NLL (nats) and top-1 accuracy on windows of pitches."""
        nll, correct = 0.0, 0
        for context, target in zip(contexts, next_pitches, strict=True):
            probabilities = self.distribution(context)
            nll -= float(np.log(probabilities[int(target)]))
            correct += int(probabilities.argmax() == int(target))
        count = max(1, len(next_pitches))
        return {"pitch_nll": nll / count, "pitch_accuracy": correct / count}


def fit_baseline(
    train_sequences: Sequence[Sequence[int]],
    validation_contexts: np.ndarray,
    validation_targets: np.ndarray,
) -> NGramModel:
    """The order and smoothing strength with the lowest validation NLL."""
    best: tuple[float, NGramModel] | None = None
    full = NGramModel(order=max(ORDERS)).fit(train_sequences)
    for order in ORDERS:
        for strength in STRENGTHS:
            candidate = NGramModel(order=order, strength=strength, counts=full.counts)
            nll = candidate.evaluate(validation_contexts, validation_targets)["pitch_nll"]
            if best is None or nll < best[0]:
                best = (nll, candidate)
    assert best is not None
    return best[1]
