"""Offline continuation of a MIDI file with an exported model (the live runtime, no TF)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
from tqdm import tqdm

from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.midi_files import TrackChoice, seed_from_midi, write_midi
from musicgen_live.notes import Note, features_to_notes, notes_to_features
from musicgen_live.runtime import ModelRunner
from musicgen_live.sampling import Sampling

# Generation this long shows a progress bar even when stderr is not a terminal.
PROGRESS_FROM = 300


@dataclass(frozen=True)
class Continuation:
    seed: list[Note]
    notes: list[Note]
    tracks: TrackChoice | None = None


def continue_notes(
    runner: ModelRunner,
    seed: list[Note],
    count: int,
    sampling: Sampling,
    rng: np.random.Generator | int | None,
    progress: bool = False,
) -> list[Note]:
    """About `count` new notes after the seed, timed from the seed's last onset: `count` is
    a target, and the answer closes on the phrase's tonic at most ENDING_REACH notes past it.

    `rng` is a generator, or a seed for one (the same seed gives the same notes);
    `progress` draws a bar on stderr.
    """
    generator = np.random.default_rng(rng)
    stream = runner.generate(notes_to_features(seed), sampling, generator, target=count)
    rows_made = islice(stream, count + ENDING_REACH)
    bar = tqdm(rows_made, total=count, desc="generating", unit="note", disable=not progress)
    rows = np.stack(list(bar))
    return features_to_notes(rows, start=max(note.start for note in seed))


def continue_file(
    runner: ModelRunner,
    seed_path: Path,
    count: int,
    sampling: Sampling,
    rng_seed: int | None,
    tracks: str | None = None,
    progress: bool = False,
) -> Continuation:
    """Continue the file's melodic tracks, or the `tracks` chosen (drums never)."""
    seed, choice = seed_from_midi(seed_path, tracks)
    notes = continue_notes(runner, seed, count, sampling, rng_seed, progress)
    return Continuation(seed, notes, choice)


def write_continuation(path: Path, continuation: Continuation) -> None:
    """The seed and the continuation as two tracks of one file."""
    write_midi(path, continuation.seed, continuation.notes)
