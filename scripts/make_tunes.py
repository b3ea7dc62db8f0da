"""Render simple score-like tunes from music21's corpus as MIDI files: the out-of-domain
phrase set of `eval --music` (README, "Judging answers as music").

Folk tunes (O'Neill's airs, two Essen ballads) and Bach chorales, played as written at one
steady tempo, every note at velocity 80, on a piano: the opposite of hannds' expressive
performances. Nothing is ever trained on them. The files are written once into a cache
folder; a second run finds them there and does nothing (--force writes them again).

    .venv/bin/pip install music21    # for this script only: not a project dependency
    .venv/bin/python scripts/make_tunes.py
    .venv/bin/musicgen-live eval --music --data ~/.cache/musicgen-live/tunes --split all
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

import platformdirs

from musicgen_live.midi_files import write_midi
from musicgen_live.notes import Note

VELOCITY = 80
# (corpus path, number of the tune in its collection or None, file name, quarter notes a
# minute: the Essen ballads are written in half notes, so theirs go twice as fast)
TUNES = [
    ("oneills1850/0001-0050.abc", 1, "oneill-enchanted-valley", 96),
    ("oneills1850/0001-0050.abc", 3, "oneill-little-heathy-hill", 96),
    ("oneills1850/0001-0050.abc", 4, "oneill-little-girl-of-my-heart", 96),
    ("oneills1850/0001-0050.abc", 6, "oneill-dark-woman-of-the-glen", 96),
    ("oneills1850/0001-0050.abc", 10, "oneill-friars-hill", 108),
    ("oneills1850/0001-0050.abc", 14, "oneill-siege-of-troy", 108),
    ("oneills1850/0001-0050.abc", 17, "oneill-teig-maires-daughter", 96),
    ("oneills1850/0001-0050.abc", 23, "oneill-marys-return", 108),
    ("essenFolksong/altdeu10.abc", 2, "essen-herzog-ernst", 200),
    ("essenFolksong/altdeu10.abc", 4, "essen-herzog-ernst-2", 200),
    ("bach/bwv66.6", None, "chorale-bwv66.6", 80),
    ("bach/bwv269", None, "chorale-bwv269", 80),
    ("bach/bwv253", None, "chorale-bwv253", 80),
    ("bach/bwv347", None, "chorale-bwv347", 80),
    ("bach/bwv86.6", None, "chorale-bwv86.6", 80),
    ("bach/bwv267", None, "chorale-bwv267", 80),
    ("bach/bwv281", None, "chorale-bwv281", 80),
    ("bach/bwv26.6", None, "chorale-bwv26.6", 80),
]


def default_folder() -> Path:
    return Path(platformdirs.user_cache_dir("musicgen-live")) / "tunes"


def played(score: Any, tempo: float) -> list[Note]:
    """Every note of every part at `tempo`, as written: ties joined, repeats played, a pitch
    sounding in two voices struck once, and a held note lifted where its key is struck again
    (as on a piano)."""
    with contextlib.suppress(
        Exception
    ):  # music21 raises several kinds for repeats it cannot expand
        score = score.expandRepeats()
    seconds = 60.0 / tempo
    struck: dict[tuple[int, float], Note] = {}
    for element in score.stripTies().flatten().notes:
        start = round(float(element.offset) * seconds, 6)
        end = start + float(element.quarterLength) * seconds
        for pitch in element.pitches:
            note = Note(int(pitch.midi), VELOCITY, start, end)
            known = struck.get((note.pitch, start))
            if known is None or known.end < end:
                struck[(note.pitch, start)] = note
    notes = sorted(struck.values(), key=lambda note: (note.start, note.pitch))
    following: dict[int, float] = {}
    lifted = []
    for note in reversed(notes):
        lifted.append(
            Note(
                note.pitch, VELOCITY, note.start, min(note.end, following.get(note.pitch, note.end))
            )
        )
        following[note.pitch] = note.start
    return sorted(lifted, key=lambda note: (note.start, note.pitch))


def render(folder: Path, force: bool) -> list[Path]:
    """Write every tune of TUNES that is not there yet (all of them with `force`)."""
    try:
        from music21 import corpus
    except ModuleNotFoundError:
        sys.exit(
            "make_tunes.py needs music21: .venv/bin/pip install music21 (for this script only)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source, number, name, tempo in TUNES:
        path = folder / f"{name}.mid"
        if path.exists() and not force:
            continue
        score = corpus.parse(source, number=number) if number else corpus.parse(source)
        notes = played(score, tempo)
        write_midi(path, notes)
        print(f"{path.name}: {len(notes)} notes, {notes[-1].end:.0f} s, {tempo} beats a minute")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_folder(), help="(default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="write the tunes again")
    args = parser.parse_args()
    written = render(args.out, args.force)
    print(f"{len(TUNES)} tunes in {args.out} ({len(written)} written now)")


if __name__ == "__main__":
    main()
