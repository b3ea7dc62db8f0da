"""The model contract: feature rows, output heads and their bins, and the exported signatures.

Runtime, training, export and eval all read this one numpy-only module, and `export` writes
`describe()` into model.json, so a model trained with another layout is refused at load.

A note is four attributes, sampled one after another in `ORDER`: pitch (128 classes), then
step, duration and velocity, each a categorical over bins and conditioned on the attributes
sampled before it. Step bin 0 means "with the previous note" (a chord).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FORMAT = 2
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

BODY = "body"  # signature: notes (1, window, 4) -> hidden (1, units), pitch (1, 128) logits


def conditions(attribute: str, order: tuple[str, ...] = ORDER) -> tuple[str, ...]:
    """The attributes a head is conditioned on: those sampled before it."""
    return order[: order.index(attribute)]


def signatures(order: tuple[str, ...] = ORDER) -> dict[str, dict[str, list[str]]]:
    """Every signature the runtime calls, with its input and output names."""
    heads = {
        name: {"inputs": ["hidden", *conditions(name, order)], "outputs": ["logits"]}
        for name in order[1:]
    }
    return {BODY: {"inputs": ["notes"], "outputs": ["hidden", "pitch"]}, **heads}


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


def describe(window: int, order: tuple[str, ...] = ORDER) -> dict[str, Any]:
    """What model.json records of the contract; the runtime compares it field by field."""
    return {
        "format": FORMAT,
        "window": window,
        "features": list(FEATURES),
        "order": list(order),
        "max_seconds": MAX_SECONDS,
        "bins": {name: [round(float(e), 6) for e in edges] for name, edges in EDGES.items()},
        "signatures": signatures(order),
    }


def mismatch(card: dict[str, Any]) -> str | None:
    """The first model.json field that this version cannot run, with why; None if it fits."""
    if card.get("format") != FORMAT:
        return f"format {card.get('format')!r} (this version runs format {FORMAT}; re-export it)"
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
    expected = describe(window, tuple(order))
    for field in ("features", "max_seconds", "bins", "signatures"):
        if card.get(field) != expected[field]:
            return f"{field} (differs from what this version of the runtime expects)"
    return None
