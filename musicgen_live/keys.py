"""Keys: which of the 24 major and minor keys a set of pitches is in (Krumhansl-Kessler),
its scale, and which keys are related (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Krumhansl-Kessler probe-tone profiles, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10, 11)  # natural minor plus the leading tone
# The 24 profiles, C major ... B major then C minor ... B minor, centred for correlation.
KEY_PROFILES = np.array([np.roll(p, t) for p in (MAJOR_PROFILE, MINOR_PROFILE) for t in range(12)])
KEY_PROFILES -= KEY_PROFILES.mean(axis=1, keepdims=True)

Key = tuple[int, bool]  # (tonic pitch class, is major)


def pitch_class_histogram(pitches: Sequence[int]) -> np.ndarray:
    return np.bincount(np.asarray(pitches, dtype=np.int64) % 12, minlength=12).astype(np.float64)


def estimate_key(pitches: Sequence[int]) -> Key:
    """The best of 24 keys by Pearson correlation of pitch-class counts with the KK profiles."""
    counts = pitch_class_histogram(pitches)
    centred = counts - counts.mean()
    if not centred.any():
        return (0, True)  # no pitch, or every pitch class equally often: no key to find
    norms = np.linalg.norm(KEY_PROFILES, axis=1) * np.linalg.norm(centred)
    correlations = KEY_PROFILES @ centred / norms
    best = int(np.argmax(correlations))
    return (best % 12, best < 12)


def key_related(phrase_key: Key, continuation_key: Key) -> bool:
    """Same key, its relative (C major <-> A minor), dominant (+7) or subdominant (+5)."""
    tonic, major = phrase_key
    relative = ((tonic + 9) % 12, False) if major else ((tonic + 3) % 12, True)
    related = {phrase_key, relative, ((tonic + 7) % 12, major), ((tonic + 5) % 12, major)}
    return continuation_key in related


def scale_pitch_classes(key: Key) -> set[int]:
    """Pitch classes of the key's scale: major, or natural minor plus the leading tone."""
    tonic, major = key
    return {(tonic + step) % 12 for step in (MAJOR_SCALE if major else MINOR_SCALE)}
