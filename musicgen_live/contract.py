"""The model contract: feature rows, output heads and their bins, and the exported signatures.

Runtime, training, export and eval all read this one numpy-only module, and `export` writes
`describe()` into model.json, so a model trained with another layout is refused at load.

A note is four attributes, sampled one after another in `ORDER`: pitch (128 classes), then
step, duration and velocity, each a categorical over bins and conditioned on the attributes
sampled before it. Step bin 0 means "with the previous note" (a chord).

A model may read each window several times, transposed by a few semitones (`transpositions`
in model.json), and average what the readings predict, each moved back to the window's own
key: a model trained on transposed pieces is an ensemble of itself this way, for the cost of
a batch in one network run.

A recurrent model may carry its state (`stateful` in model.json): `body` then also returns
the state after the window, and `advance` reads one more note from a state, so an answer costs
one window read and then one step per note.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FORMAT = 3
FORMATS = (2, 3)  # format 2 cards read every window once (no `transpositions` field)
FEATURES = ("pitch", "step", "duration", "velocity")
ORDER = ("pitch", "step", "duration", "velocity")

# Longer gaps and notes are rare; the models see them capped.
MAX_SECONDS = 4.0
CHORD_SECONDS = 0.03
SHORTEST_SECONDS = 0.02
TIME_BINS = 48
VELOCITY_BIN_WIDTH = 4

# Bin edges: bin i holds values in [edges[i], edges[i + 1]); values past the last edge fall in
# the last bin. Step: a chord bin below 30 ms, then log-spaced bins up to MAX_SECONDS.
EDGES: dict[str, np.ndarray] = {
    "step": np.concatenate([[0.0], np.geomspace(CHORD_SECONDS, MAX_SECONDS, TIME_BINS)]),
    "duration": np.concatenate([[0.0], np.geomspace(SHORTEST_SECONDS, MAX_SECONDS, TIME_BINS)]),
    "velocity": np.arange(1, 128 + VELOCITY_BIN_WIDTH, VELOCITY_BIN_WIDTH, dtype=np.float64),
}
SIZES = {"pitch": 128, **{name: len(edges) - 1 for name, edges in EDGES.items()}}

# Signature: notes (readings, window, 4) -> hidden (readings, units), pitch (readings, 128)
# logits; each head takes hidden and its conditions with the same leading readings axis.
# A stateful body also returns `state` (readings, size); `advance` takes note (readings, 4) and
# state and returns hidden, pitch and state.
BODY = "body"
ADVANCE = "advance"
MAX_TRANSPOSITION = 12


def conditions(attribute: str, order: tuple[str, ...] = ORDER) -> tuple[str, ...]:
    """The attributes a head is conditioned on: those sampled before it."""
    return order[: order.index(attribute)]


def signatures(
    order: tuple[str, ...] = ORDER, stateful: bool = False
) -> dict[str, dict[str, list[str]]]:
    """Every signature the runtime calls, with its input and output names."""
    heads = {
        name: {"inputs": ["hidden", *conditions(name, order)], "outputs": ["logits"]}
        for name in order[1:]
    }
    if not stateful:
        return {BODY: {"inputs": ["notes"], "outputs": ["hidden", "pitch"]}, **heads}
    outputs = ["hidden", "pitch", "state"]
    return {
        BODY: {"inputs": ["notes"], "outputs": outputs},
        ADVANCE: {"inputs": ["note", "state"], "outputs": outputs},
        **heads,
    }


def to_bins(attribute: str, values: np.ndarray) -> np.ndarray:
    """Class indexes of feature values (pitch is its own class)."""
    values = np.asarray(values)
    if attribute == "pitch":
        return np.clip(np.rint(values), 0, 127).astype(np.int32)
    # in float32, as the training pipeline bins: a value on an edge lands in the same class
    edges = EDGES[attribute].astype(np.float32)
    index = np.searchsorted(edges, values.astype(np.float32), side="right") - 1
    return np.clip(index, 0, SIZES[attribute] - 1).astype(np.int32)


def feature_bins(rows: np.ndarray) -> np.ndarray:
    """(..., 4) feature rows to (..., 4) class indexes in FEATURES order."""
    return np.stack([to_bins(name, rows[..., i]) for i, name in enumerate(FEATURES)], axis=-1)


def from_bin(attribute: str, index: int, rng: np.random.Generator) -> float:
    """A value drawn inside a bin: log-uniform for times, uniform for velocity.

    The chord bin gives step 0, so a chord's notes leave together.
    """
    if attribute == "pitch":
        return float(index)
    low, high = EDGES[attribute][index], EDGES[attribute][index + 1]
    if attribute == "velocity":
        return float(rng.integers(int(low), min(int(high), 128)))
    if attribute == "step" and index == 0:
        return 0.0
    low = max(low, SHORTEST_SECONDS / 2)
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def shifts_within(transposition: int) -> list[int]:
    """The semitone shifts of a model read transposed by up to `transposition` either way."""
    return list(range(-transposition, transposition + 1))


def transpositions(card: dict[str, Any]) -> tuple[int, ...]:
    """The shifts a model's card says its body reads each window at (format 2: once)."""
    return tuple(card.get("transpositions", [0]))


def is_stateful(card: dict[str, Any]) -> bool:
    """Whether a model's card says it carries its state (format 2: never)."""
    return bool(card.get("stateful", False))


def describe(
    window: int,
    order: tuple[str, ...] = ORDER,
    shifts: tuple[int, ...] | list[int] = (0,),
    stateful: bool = False,
) -> dict[str, Any]:
    """What model.json records of the contract; the runtime compares it field by field."""
    return {
        "format": FORMAT,
        "window": window,
        "transpositions": list(shifts),
        "stateful": stateful,
        "features": list(FEATURES),
        "order": list(order),
        "max_seconds": MAX_SECONDS,
        "bins": {name: [round(float(e), 6) for e in edges] for name, edges in EDGES.items()},
        "signatures": signatures(order, stateful),
    }


def mismatch(card: dict[str, Any]) -> str | None:
    """The first model.json field that this version cannot run, with why; None if it fits."""
    if card.get("format") not in FORMATS:
        return f"format {card.get('format')!r} (this version runs format {FORMAT}; re-export it)"
    shifts = card.get("transpositions", [0]) if card["format"] == 2 else card.get("transpositions")
    if (
        not isinstance(shifts, list)
        or not all(type(shift) is int and abs(shift) <= MAX_TRANSPOSITION for shift in shifts)
        or 0 not in shifts
        or len(set(shifts)) != len(shifts)
    ):
        return (
            f"transpositions {shifts!r} (distinct semitone shifts within "
            f"±{MAX_TRANSPOSITION}, 0 among them)"
        )
    stateful = card.get("stateful", False) if card["format"] == 2 else card.get("stateful")
    if not isinstance(stateful, bool):
        return f"stateful {stateful!r} (true or false)"
    window = card.get("window")
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        return f"window {window!r} (a positive whole number of notes)"
    order = card.get("order")
    if (
        not isinstance(order, list)
        or not all(isinstance(name, str) for name in order)
        or sorted(order) != sorted(FEATURES)
        or order[0] != "pitch"
    ):
        return f"order {order!r} (pitch first, then step, duration and velocity in some order)"
    reference = card.get("reference")
    if reference is not None and not _is_reference(reference):
        return (
            f"reference {reference!r} (the corpus's pulse in seconds, mean velocity 1-127 "
            "and mean pitch 0-127)"
        )
    expected = describe(window, tuple(order), shifts, stateful)
    for field in ("features", "max_seconds", "bins", "signatures"):
        if card.get(field) != expected[field]:
            return f"{field} (differs from what this version of the runtime expects)"
    return None


REFERENCE_FIELDS = {"pulse": (0.01, MAX_SECONDS), "velocity": (1.0, 127.0), "pitch": (0.0, 127.0)}


def _is_reference(reference: object) -> bool:
    """Whether a card's `reference` (what follow.py moves a phrase toward) can be used."""
    return (
        isinstance(reference, dict)
        and set(reference) == set(REFERENCE_FIELDS)
        and all(
            isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
            for value, (low, high) in ((reference[k], REFERENCE_FIELDS[k]) for k in reference)
        )
    )
