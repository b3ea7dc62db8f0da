"""How long the silences inside real playing last: what any phrase-end rule is up against.

Replays hannds pieces (as `benchmarks/phrase_end.py` does: as recorded, and with the sustain
pedal stripped) and takes every silence the player left and played on after: from the moment
every key and the pedal are up to the next onset. A rule that decides a phrase has ended
after S seconds, where it cannot tell such a silence from a stop, ends a phrase the player
did not finish at every silence longer than S. Prints, per condition, the silences per
minute longer than 0.2, 0.3 and 0.4 s, and the share of onsets that follow one; then one
JSON line.

    .venv/bin/python benchmarks/phrase_silences.py [--pieces train|validation|test]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from phrase_end import CONDITIONS, Timed, is_onset, playing, without_pedal  # noqa: E402

from musicgen_live.phrase import PhraseDetector  # noqa: E402
from musicgen_live.phrase_end import FixedSilence  # noqa: E402
from musicgen_live.training.datasets import hannds_files  # noqa: E402

LONGER_THAN = (0.2, 0.3, 0.4)


def silences(piece: Timed) -> tuple[list[float], int]:
    """Every silence the player played on after (seconds), and the piece's onsets."""
    never = PhraseDetector(FixedSilence(math.inf), max_notes=sys.maxsize, max_seconds=math.inf)
    found, quiet_since, onsets = [], None, 0
    for now, message in piece:
        if is_onset(message):
            onsets += 1
            if quiet_since is not None:
                found.append(now - quiet_since)
            quiet_since = None
        never.feed(message, now)
        if never.deadline() is None:  # a key or the pedal is down
            quiet_since = None
        elif not is_onset(message):
            quiet_since = now  # every key and the pedal are up since this message
    return found, onsets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pieces", choices=("test", "validation", "train"), default="test")
    args = parser.parse_args()
    recorded = [playing(path) for path, split in hannds_files() if split == args.pieces]
    minutes = sum(piece[-1][0] for piece in recorded) / 60
    print(f"{len(recorded)} hannds {args.pieces} pieces, {minutes:.1f} min")
    print(
        f"{'condition':<15}{'silences':>9}" + "".join(f"{f'> {s} s /min':>14}" for s in LONGER_THAN)
    )
    results = {}
    for condition in CONDITIONS:
        pieces = recorded if condition == "with pedal" else [without_pedal(p) for p in recorded]
        found: list[float] = []
        onsets = 0
        for piece in pieces:
            more, count = silences(piece)
            found += more
            onsets += count
        row = {"silences": len(found), "onsets": onsets}
        for seconds in LONGER_THAN:
            longer = sum(gap > seconds for gap in found)
            row[f"longer_than_{seconds}_per_min"] = round(longer / minutes, 3)
            row[f"longer_than_{seconds}_per_onset"] = round(longer / onsets, 4)
        results[condition] = row
        print(
            f"{condition:<15}{len(found):>9}"
            + "".join(f"{row[f'longer_than_{s}_per_min']:>14.2f}" for s in LONGER_THAN)
        )
    print(json.dumps({"pieces": args.pieces, "minutes": round(minutes, 1)} | results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
