"""When a phrase ends: the fixed 400 ms rule against the adaptive one, on hannds pieces.

Each piece (both hands merged, note-ons, note-offs and the sustain pedal) is replayed at its
own timing through `PhraseDetector` on a fake clock, twice: as recorded, and with the pedal
stripped (a keyboard without one). Two figures per rule and condition:

- false ends per minute: the phrases that end by silence while the piece goes on (every one
  is an answer the player did not ask for), over every whole piece;
- stop delay: at stops cut at evenly spaced note indices over the pieces, the piece is
  replayed up to that note and no further (the keys and the pedal released as recorded,
  then silence); the delay from the last release to the decision that the phrase is over.

The detector's own length limits are lifted, so only the rules are compared. Prints a table,
then one JSON line whose headline figures are the worse of the two conditions:
stop_delay_p50_ms, stop_delay_p95_ms, false_ends_per_min, the same with `fixed_`, and both
conditions in full. `--pieces train` is what the rule's constants were tuned on.

    .venv/bin/python benchmarks/phrase_end.py [--pieces test|validation|train] [--stops 200]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from musicgen_live.phrase import SUSTAIN, PhraseDetector  # noqa: E402
from musicgen_live.phrase_end import AdaptiveSilence, FixedSilence, SilenceRule  # noqa: E402
from musicgen_live.training.datasets import hannds_files  # noqa: E402

Timed = list[tuple[float, mido.Message]]
RULES: dict[str, SilenceRule] = {"fixed 400 ms": FixedSilence(0.4), "adaptive": AdaptiveSilence()}
CONDITIONS = ("with pedal", "without pedal")


def playing(path: Path) -> Timed:
    """Every note-on, note-off and sustain change of a file, tracks merged, in seconds."""
    messages, now = [], 0.0
    for message in mido.MidiFile(path):
        now += message.time
        pedal = message.type == "control_change" and message.control == SUSTAIN
        if message.type in ("note_on", "note_off") or pedal:
            messages.append((now, message))
    return messages


def without_pedal(messages: Timed) -> Timed:
    return [(t, m) for t, m in messages if m.type != "control_change"]


def is_onset(message: mido.Message) -> bool:
    return bool(message.type == "note_on" and message.velocity > 0)


def detector(rule: SilenceRule) -> PhraseDetector:
    return PhraseDetector(rule, max_notes=sys.maxsize, max_seconds=math.inf)


def replay(messages: Timed, rule: SilenceRule) -> tuple[int, PhraseDetector]:
    """The phrases that ended by silence before the last message, and the detector after it."""
    phrases = detector(rule)
    ends = 0
    for now, message in messages:
        deadline = phrases.deadline()
        if deadline is not None and deadline < now:
            ends += phrases.poll(deadline) is not None
        phrases.feed(message, now)
    return ends, phrases


def stopped_after(messages: Timed, note: int) -> Timed:
    """The piece up to its `note`-th onset, then only the releases of what is held then."""
    last = [index for index, (_, message) in enumerate(messages) if is_onset(message)][note]
    played = messages[: last + 1]
    held = {m.note for _, m in played if is_onset(m)} - released(played)
    pedal = pedal_down(played)
    for now, message in messages[last + 1 :]:
        if not held and not pedal:
            break
        if message.type == "control_change":
            pedal = message.value >= 64
            played.append((now, message))
        elif not is_onset(message) and message.note in held:
            held.discard(message.note)
            played.append((now, message))
    return played


def released(played: Timed) -> set[int]:
    """The pitches whose last message in `played` lets them go."""
    last = {m.note: is_onset(m) for _, m in played if m.type != "control_change"}
    return {pitch for pitch, down in last.items() if not down}


def pedal_down(played: Timed) -> bool:
    pedals = [m.value >= 64 for _, m in played if m.type == "control_change"]
    return bool(pedals and pedals[-1])


def stop_delay(messages: Timed, note: int, rule: SilenceRule) -> float:
    """Seconds from the last release to the phrase end, the piece stopped after `note`."""
    played = stopped_after(messages, note)
    _, phrases = replay(played, rule)
    deadline = phrases.deadline()
    assert deadline is not None, "every key and the pedal are up after a stop"
    return deadline - played[-1][0]


@dataclass
class Figures:
    delays: list[float]
    false_ends: int
    minutes: float

    def row(self) -> dict[str, float]:
        delays = np.array(self.delays) * 1000
        return {
            "stop_delay_p50_ms": round(float(np.percentile(delays, 50)), 1),
            "stop_delay_p95_ms": round(float(np.percentile(delays, 95)), 1),
            "false_ends_per_min": round(self.false_ends / self.minutes, 3),
        }


def stops(pieces: list[Timed], count: int) -> Iterator[tuple[int, int]]:
    """(piece, note index) at `count` evenly spaced notes over all the pieces."""
    sizes = [sum(is_onset(m) for _, m in piece) for piece in pieces]
    starts = np.cumsum([0, *sizes])
    for overall in np.linspace(0, starts[-1] - 1, count).round().astype(int):
        piece = int(np.searchsorted(starts, overall, side="right") - 1)
        yield piece, int(overall - starts[piece])


def measure(pieces: list[Timed], rule: SilenceRule, count: int) -> Figures:
    minutes = sum(piece[-1][0] for piece in pieces) / 60
    false_ends = sum(replay(piece, rule)[0] for piece in pieces)
    delays = [stop_delay(pieces[p], note, rule) for p, note in stops(pieces, count)]
    return Figures(delays, false_ends, minutes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pieces", choices=("test", "validation", "train"), default="test")
    parser.add_argument("--stops", type=int, default=200)
    args = parser.parse_args()
    files = [path for path, split in hannds_files() if split == args.pieces]
    recorded = [playing(path) for path in files]
    minutes = sum(piece[-1][0] for piece in recorded) / 60
    print(f"{len(files)} hannds {args.pieces} pieces, {minutes:.1f} min, {args.stops} stops")
    print(f"{'condition':<15}{'rule':<14}{'stop p50 ms':>12}{'p95 ms':>9}{'false ends/min':>16}")
    results: dict[str, dict[str, dict[str, float]]] = {}
    for condition in CONDITIONS:
        pieces = recorded if condition == "with pedal" else [without_pedal(p) for p in recorded]
        for name, rule in RULES.items():
            row = measure(pieces, rule, args.stops).row()
            results.setdefault(rule.name, {})[condition] = row
            print(
                f"{condition:<15}{name:<14}{row['stop_delay_p50_ms']:>12.0f}"
                f"{row['stop_delay_p95_ms']:>9.0f}{row['false_ends_per_min']:>16.2f}"
            )
    headline = {}
    for rule_name, prefix in (("adaptive", ""), ("fixed", "fixed_")):
        for key in ("stop_delay_p50_ms", "stop_delay_p95_ms", "false_ends_per_min"):
            headline[prefix + key] = max(results[rule_name][c][key] for c in CONDITIONS)
    print(json.dumps(headline | {"pieces": args.pieces, "conditions": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
