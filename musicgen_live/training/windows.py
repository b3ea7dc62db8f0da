"""Windows of consecutive notes and the note that follows each, never across pieces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from musicgen_live.notes import clip_features


@dataclass(frozen=True)
class WindowIndex:
    """All notes of a split end to end, and where each usable window starts."""

    notes: np.ndarray  # (N, 4) clipped features of every piece, concatenated
    starts: np.ndarray  # window i covers notes[starts[i] : starts[i] + window]
    window: int

    def __len__(self) -> int:
        return len(self.starts)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(inputs (n, window, 4), next notes (n, 4)) in memory."""
        offsets = self.starts[:, None] + np.arange(self.window)[None, :]
        return self.notes[offsets], self.notes[self.starts + self.window]


def index_windows(
    pieces: Sequence[tuple[str, np.ndarray]],
    window: int,
    max_windows: int | None = None,
    seed: int = 0,
) -> WindowIndex:
    """Index every window whose next note is in the same piece; optionally subsample."""
    notes, starts, offset = [], [], 0
    for _, features in pieces:
        count = len(features) - window
        if count > 0:
            starts.append(offset + np.arange(count))
        notes.append(clip_features(features))
        offset += len(features)
    all_notes = np.concatenate(notes) if notes else np.zeros((0, 4), np.float32)
    all_starts = np.concatenate(starts) if starts else np.zeros(0, np.int64)
    if max_windows is not None and len(all_starts) > max_windows:
        rng = np.random.default_rng(seed)
        all_starts = np.sort(rng.choice(all_starts, size=max_windows, replace=False))
    return WindowIndex(all_notes, all_starts.astype(np.int64), window)
