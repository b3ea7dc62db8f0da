"""How a note is drawn from the model's distributions: temperature and nucleus for pitch,
one temperature for rhythm (step and duration) and one for dynamics (velocity), inside a
playable pitch range (numpy only)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

# How answers are sampled unless the user says otherwise: chosen by the musical table on the
# validation pieces (README, "Judging answers as music"). The live controls, the flags and the
# runtime all start from these.
TEMPERATURE = 0.9
TOP_P = 0.95
RHYTHM_TEMPERATURE = 1.0
DYNAMICS_TEMPERATURE = 1.0
REGISTER = 7  # semitones an answer may go beyond the lowest and highest note it continues
FOLLOW = 1.0  # how far an answer takes the player's tempo, loudness and register (follow.py)


@dataclass(frozen=True)
class Sampling:
    """How a note is drawn: temperature and nucleus for pitch, one temperature for rhythm
    (step and duration) and one for dynamics (velocity); the playable pitch range."""

    temperature: float = TEMPERATURE
    top_p: float = TOP_P
    rhythm_temperature: float = RHYTHM_TEMPERATURE
    dynamics_temperature: float = DYNAMICS_TEMPERATURE
    low: int = 0  # pitch range clamp, inclusive
    high: int = 127
    # semitones the answer may go beyond the range of the notes it continues (None: no limit)
    register: int | None = REGISTER
    follow: float = FOLLOW  # 0: the model's own tempo and touch; 1: the player's

    def __post_init__(self) -> None:
        for name in ("temperature", "rhythm_temperature", "dynamics_temperature"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, not {value}")
        if not (math.isfinite(self.top_p) and 0 < self.top_p <= 1):
            raise ValueError(f"top_p must be in (0, 1], not {self.top_p}")
        if not 0 <= self.low <= self.high <= 127:
            raise ValueError(f"pitch range {self.low}-{self.high} is not within 0-127")
        if self.register is not None and not 0 <= self.register <= 127:
            raise ValueError(f"register must be 0-127 semitones, not {self.register}")
        if not (math.isfinite(self.follow) and 0 <= self.follow <= 1):
            raise ValueError(f"follow must be in [0, 1], not {self.follow}")

    def within(self, seed_pitches: np.ndarray) -> Sampling:
        """The pitch range for continuing these pitches: the seed's own range widened by
        `register` on each side, inside low-high. Keeps a melody from sinking into an
        accompaniment register the seed never played."""
        if self.register is None or len(seed_pitches) == 0:
            return self
        low = max(self.low, int(seed_pitches.min()) - self.register)
        high = min(self.high, int(seed_pitches.max()) + self.register)
        if low > high:  # the seed lies outside low-high: keep the user's range
            return self
        return replace(self, low=low, high=high)

    def temperature_of(self, attribute: str) -> float:
        if attribute == "pitch":
            return self.temperature
        return self.dynamics_temperature if attribute == "velocity" else self.rhythm_temperature


def probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    scaled = np.asarray(logits, dtype=np.float64) / max(temperature, 1e-3)
    weights = np.exp(scaled - scaled.max())
    return weights / weights.sum()


def draw(chances: np.ndarray, rng: np.random.Generator) -> int:
    """A class index drawn with the given chances (not necessarily summing to 1).

    An exponential race: each class gets its own exponential variate and the smallest
    variate / chance wins, which picks class i with chance[i] / sum exactly. Unlike reading
    one uniform number against the running total, where a small change in any class moves
    every boundary above it, the winner changes only if the change is as large as the gap
    between the two leading classes: the same seed answers a phrase played a few
    milliseconds differently the same way."""
    weights = np.asarray(chances, dtype=np.float64)
    race = rng.standard_exponential(len(weights))
    times = np.full(len(weights), np.inf)
    entered = weights > 0
    times[entered] = race[entered] / weights[entered]
    return int(np.argmin(times))


def sample_pitch(
    logits: np.ndarray,
    sampling: Sampling,
    rng: np.random.Generator,
    bias: np.ndarray | None = None,
) -> int:
    """Temperature, then nucleus (top-p) sampling, inside the allowed pitch range; `bias`
    (log weights per pitch, after the temperature) steers without forcing."""
    allowed = np.full(128, -np.inf)
    allowed[sampling.low : sampling.high + 1] = 0.0
    scaled = (np.asarray(logits, dtype=np.float64) + allowed) / max(sampling.temperature, 1e-3)
    steered = scaled + (0.0 if bias is None else bias)
    chances = probabilities(steered if np.isfinite(steered).any() else scaled, 1.0)
    order = np.argsort(-chances, kind="stable")
    cumulative = np.cumsum(chances[order])
    kept = min(int(np.searchsorted(cumulative, sampling.top_p)) + 1, 128)
    nucleus = np.zeros(128)
    nucleus[order[:kept]] = chances[order[:kept]]
    return draw(nucleus, rng)  # each pitch keeps its own variate, whatever its rank


def sample_class(
    logits: np.ndarray,
    temperature: float,
    rng: np.random.Generator,
    bias: np.ndarray | None = None,
) -> int:
    scaled = np.asarray(logits, dtype=np.float64) / max(temperature, 1e-3)
    return draw(probabilities(scaled + (0.0 if bias is None else bias), 1.0), rng)


def sample_step(
    logits: np.ndarray,
    temperature: float,
    rng: np.random.Generator,
    lean: np.ndarray | None = None,
) -> int:
    """A step class: the chord class (0, "with the previous note") keeps the model's own
    chance, and the temperature reshapes only the gaps between onsets, so a lower rhythm
    temperature steadies the rhythm without playing more chords (plain sharpening would feed
    the chord class, the distribution's mode). `lean` (log weights for the classes after the
    chord class) steers the gaps."""
    own = probabilities(logits, 1.0)
    scaled = np.asarray(logits, dtype=np.float64)[1:] / max(temperature, 1e-3)
    gaps = probabilities(scaled + (0.0 if lean is None else lean), 1.0) * (1 - own[0])
    return draw(np.concatenate([[own[0]], gaps]), rng)
