"""How an answer closes and whether a hand could play it: the phrase's tonic in the last chord,
a long last note, keys struck again while they still sound or twice at once, and durations
as heard (numpy only; README, "Judging answers as music").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from musicgen_live.contract import CHORD_SECONDS
from musicgen_live.follow import onset_groups
from musicgen_live.keys import estimate_key
from musicgen_live.notes import Note

LONG = 2.0  # a last note this many times the answer's median duration ends it long
# A key struck again less than this before a note ends does not cut it: notes the pedal held
# end where their key is struck again, give or take the rounding of stored times.
ROUNDING = 0.001


def in_time_order(notes: Sequence[Note]) -> list[Note]:
    """Onset order; notes struck at one instant keep the order they were drawn in."""
    return sorted(notes, key=lambda note: note.start)


def last_onset_group(notes: Sequence[Note]) -> list[Note]:
    """The notes of the last onset group: those less than CHORD_SECONDS after its first."""
    onsets = np.array([note.start for note in in_time_order(notes)])
    if not len(onsets):
        return []
    # onset_groups reads steps; its group onsets are sums of them, so allow for rounding
    first = onset_groups(np.diff(onsets, prepend=0.0))[-1] - 1e-9
    return [note for note in notes if note.start >= first]


def ends_on_tonic(phrase: Sequence[Note], answer: Sequence[Note]) -> bool:
    """Whether the answer's last onset group holds the tonic of the phrase's key."""
    tonic, _ = estimate_key([note.pitch for note in phrase])
    return any(note.pitch % 12 == tonic for note in last_onset_group(answer))


def ends_long(answer: Sequence[Note]) -> bool:
    """Whether the answer's last note (the last struck) lasts LONG times its median duration."""
    if not answer:
        return False
    median = float(np.median([note.duration for note in answer]))
    return in_time_order(answer)[-1].duration >= LONG * median


def next_strikes(ordered: Sequence[Note]) -> np.ndarray:
    """For each note in time order, when its pitch is struck next (inf: never)."""
    following = np.full(len(ordered), np.inf)
    seen: dict[int, float] = {}
    for index in reversed(range(len(ordered))):
        note = ordered[index]
        following[index] = seen.get(note.pitch, np.inf)
        seen[note.pitch] = note.start
    return following


def heard_durations(notes: Sequence[Note]) -> np.ndarray:
    """Durations as heard, in time order: a note is cut when its key is struck again."""
    ordered = in_time_order(notes)
    ends = np.array([note.end for note in ordered])
    starts = np.array([note.start for note in ordered])
    return np.minimum(ends, next_strikes(ordered)) - starts if ordered else np.zeros(0)


def hand_figures(phrase: Sequence[Note], answer: Sequence[Note]) -> dict[str, float]:
    """The close and the hand: ends on the tonic and ends long (0 or 1), the share of notes
    struck again while they sound (re-struck) or within CHORD_SECONDS (flams), and the
    spread of the durations as heard."""
    ordered = in_time_order(answer)
    starts = np.array([note.start for note in ordered])
    ends = np.array([note.end for note in ordered])
    following = next_strikes(ordered)
    heard = heard_durations(ordered)
    return {
        "ends_on_tonic": float(ends_on_tonic(phrase, answer)),
        "ends_long": float(ends_long(answer)),
        "restruck": float(np.mean(following < ends - ROUNDING)) if ordered else 0.0,
        "flams": float(np.mean(following - starts < CHORD_SECONDS)) if ordered else 0.0,
        "duration_std_heard": float(np.std(heard)) if ordered else 0.0,
    }
