"""Offline continuation of a MIDI file with an exported model (the live runtime, no TF)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from musicgen_live.errors import MidiFileError
from musicgen_live.midi_files import notes_from_midi, write_midi
from musicgen_live.notes import Note, features_to_notes, notes_to_features
from musicgen_live.runtime import ModelRunner, Sampling


@dataclass(frozen=True)
class Continuation:
    seed: list[Note]
    notes: list[Note]


def continue_notes(
    runner: ModelRunner,
    seed: list[Note],
    count: int,
    sampling: Sampling,
    rng: np.random.Generator | int | None,
) -> list[Note]:
    """`count` new notes after the seed, timed from the seed's last onset.

    `rng` is a generator, or a seed for one (the same seed gives the same notes).
    """
    generator = np.random.default_rng(rng)
    rows = np.stack(
        list(islice(runner.generate(notes_to_features(seed), sampling, generator), count))
    )
    return features_to_notes(rows, start=max(note.start for note in seed))


def continue_file(
    runner: ModelRunner, seed_path: Path, count: int, sampling: Sampling, rng_seed: int | None
) -> Continuation:
    seed = notes_from_midi(seed_path)
    if not seed:
        raise MidiFileError(f"{seed_path}: no notes to continue")
    return Continuation(seed, continue_notes(runner, seed, count, sampling, rng_seed))


def write_continuation(path: Path, continuation: Continuation) -> None:
    """The seed and the continuation as two tracks of one file."""
    write_midi(path, continuation.seed, continuation.notes)
