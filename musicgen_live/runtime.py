"""Runs an exported model (model.tflite + model.json) with LiteRT and samples notes from it.

A note is sampled one attribute at a time (the contract's order): the body reads the window
once and gives the pitch distribution; each later head sees what was already chosen, so
chords, voicings and accents come out together. A model whose card lists transpositions
reads the window at each of them in one batched run and every distribution drawn from is
the average of the readings, moved back to the window's key. This is the live path: it
never imports TensorFlow.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from musicgen_live import contract
from musicgen_live.answer_shape import AnswerShape
from musicgen_live.errors import ModelError
from musicgen_live.follow import FollowMap, Reference
from musicgen_live.notes import DURATION, PITCH, clip_features
from musicgen_live.quiet_stderr import quiet_stderr
from musicgen_live.readings import Readings
from musicgen_live.sampling import Sampling, sample_class, sample_pitch, sample_step

MIN_DURATION = 0.03
# A stateful model's memory is kept within what was measured: its per-note NLL stays flat
# from 32 to 256 notes of context; past that it reads its last window afresh.
CARRY_NOTES = 256


def fill_window(rows: np.ndarray, window: int) -> np.ndarray:
    """The last `window` rows; a shorter seed is repeated from its start to fill the window."""
    rows = clip_features(rows)
    if len(rows) == 0:
        raise ModelError("the seed has no notes")
    if len(rows) < window:
        repeats = -(-window // len(rows))
        rows = np.concatenate([rows] * repeats)
    return rows[-window:]


@dataclass(frozen=True)
class Reading:
    """What the network gives for the next note: every reading's hidden state, the pitch
    logits of the window's key, and a stateful model's state (else None)."""

    hidden: np.ndarray
    pitch: np.ndarray
    state: np.ndarray | None = None


class Signature:
    """One signature of the flatbuffer, called with tensors set in place (no per-call
    resizing or allocation, which LiteRT's SignatureRunner does on every call)."""

    def __init__(self, interpreter: Any, key: str) -> None:
        runner = interpreter.get_signature_runner(key)
        self.inputs: dict[str, dict[str, Any]] = runner.get_input_details()
        self.outputs: dict[str, dict[str, Any]] = runner.get_output_details()
        self._wrapper = interpreter._interpreter
        self._subgraph = runner._subgraph_index
        self._wrapper.AllocateTensors(self._subgraph)

    def __call__(self, **values: np.ndarray) -> dict[str, np.ndarray]:
        for name, value in values.items():
            detail = self.inputs[name]
            self._wrapper.SetTensor(
                detail["index"], np.asarray(value, dtype=detail["dtype"]), self._subgraph
            )
        self._wrapper.Invoke(self._subgraph)
        return {
            name: self._wrapper.GetTensor(detail["index"], self._subgraph)
            for name, detail in self.outputs.items()
        }


def _check_signatures(path: Path, interpreter: Any, card: dict[str, Any]) -> None:
    found = interpreter.get_signature_list()
    signatures = contract.signatures(tuple(card["order"]), contract.is_stateful(card))
    for key, expected in signatures.items():
        if key not in found:
            raise ModelError(f"{path}: no {key!r} signature (model.json field signatures)")
        for side in ("inputs", "outputs"):
            if sorted(found[key][side]) != sorted(expected[side]):
                raise ModelError(
                    f"{path}: signature {key!r} has {side} {sorted(found[key][side])}, "
                    f"model.json says {sorted(expected[side])}"
                )
    shape = tuple(
        interpreter.get_signature_runner(contract.BODY).get_input_details()["notes"]["shape"]
    )
    readings = len(contract.transpositions(card))
    if shape != (readings, card["window"], 4):
        raise ModelError(
            f"{path}: reads windows of shape {shape}, but model.json fields window and "
            f"transpositions say ({readings}, {card['window']}, 4)"
        )


class ModelRunner:
    """A loaded exported model: windows of feature rows in, sampled notes out."""

    def __init__(self, folder: Path, card: dict[str, Any], interpreter: Any) -> None:
        self.folder = folder
        self.card = card
        self.window: int = int(card["window"])
        self.arch: str = card.get("arch", "?")
        self.order: tuple[str, ...] = tuple(card["order"])
        self.readings = Readings(contract.transpositions(card))
        self.stateful = contract.is_stateful(card)
        self.reference = Reference.of_card(card)  # the corpus's tempo, loudness, register
        self._interpreter = interpreter
        self._signatures = {
            key: Signature(interpreter, key)
            for key in contract.signatures(self.order, self.stateful)
        }

    @classmethod
    def load(cls, folder: str | Path, threads: int = 1) -> ModelRunner:
        """Open a model folder; ModelError names what is missing, broken or mismatched."""
        from ai_edge_litert.interpreter import Interpreter

        folder = Path(folder)
        card_path, model_path = folder / "model.json", folder / "model.tflite"
        for path in (card_path, model_path):
            if not path.is_file():
                raise ModelError(
                    f"{folder}: no {path.name} (a model folder holds model.tflite and model.json)"
                )
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ModelError(f"{card_path}: not a model card ({error})") from error
        if not isinstance(card, dict):
            raise ModelError(f"{card_path}: not a model card (not a JSON object)")
        problem = contract.mismatch(card)
        if problem is not None:
            raise ModelError(f"{card_path}: cannot run this model: field {problem}")
        try:
            with quiet_stderr():
                interpreter = Interpreter(model_path=str(model_path), num_threads=threads)
                _check_signatures(model_path, interpreter, card)
                return cls(folder, card, interpreter)  # allocating prints LiteRT's banner
        except (ValueError, RuntimeError) as error:
            raise ModelError(f"{model_path}: not a usable TFLite model ({error})") from error

    def body(self, window: np.ndarray) -> Reading:
        """The network after one window of feature rows."""
        out = self._signatures[contract.BODY](
            notes=self.readings.rows(window.reshape(self.window, 4))
        )
        return Reading(out["hidden"], self.readings.pitch(out["pitch"]), out.get("state"))

    def step(self, row: np.ndarray, state: np.ndarray) -> Reading:
        """A stateful network carried one note on from `state`."""
        out = self._signatures[contract.ADVANCE](note=self.readings.rows(row), state=state)
        return Reading(out["hidden"], self.readings.pitch(out["pitch"]), out["state"])

    def head(self, attribute: str, hidden: np.ndarray, given: dict[str, int]) -> np.ndarray:
        """An attribute's logits given the classes of the attributes sampled before it."""
        values = {
            name: self.readings.given(name, given[name])
            for name in contract.conditions(attribute, self.order)
        }
        return self.readings.head(self._signatures[attribute](hidden=hidden, **values)["logits"])

    def logits(self, window: np.ndarray, next_row: np.ndarray) -> dict[str, np.ndarray]:
        """Every head's logits for the note after the window, conditioned on its true classes
        (what the NLL of a held-out note is computed from)."""
        reading = self.body(window)
        given = dict(zip(contract.FEATURES, contract.feature_bins(next_row).tolist(), strict=True))
        heads = {name: self.head(name, reading.hidden, given) for name in self.order[1:]}
        return {"pitch": reading.pitch} | heads

    def sample(
        self, window: np.ndarray, sampling: Sampling, rng: np.random.Generator
    ) -> np.ndarray:
        """One feature row (pitch, step, duration, velocity) after a window."""
        return self.draw(self.body(window), sampling, rng)

    def draw(
        self,
        reading: Reading,
        sampling: Sampling,
        rng: np.random.Generator,
        shape: AnswerShape | None = None,
    ) -> np.ndarray:
        """One feature row from the network's reading, its attributes drawn in turn; a
        `shape` steers them (answer_shape.py: the hand, the pulse, the key and loudness, the
        ending)."""
        bias = None if shape is None else shape.pitch_bias()
        given = {"pitch": sample_pitch(reading.pitch, sampling, rng, bias)}
        for name in self.order[1:]:
            logits = self.head(name, reading.hidden, given)
            temperature = sampling.temperature_of(name)
            lean = None if shape is None else shape.lean(name, given["pitch"])
            draw = sample_step if name == "step" else sample_class
            given[name] = draw(logits, temperature, rng, lean)
        row = [contract.from_bin(name, given[name], rng) for name in contract.FEATURES]
        row[DURATION] = max(row[DURATION], MIN_DURATION)
        return np.array(row, dtype=np.float32)

    def generate(
        self,
        seed: np.ndarray,
        sampling: Sampling,
        rng: np.random.Generator,
        target: int | None = None,
    ) -> Iterator[np.ndarray]:
        """The continuation of the seed rows, one feature row at a time: endless, or with a
        `target` length ending on a close at most ENDING_REACH notes past it.

        The phrase is moved toward the corpus's tempo, loudness and register as far as
        `sampling.follow` says, and every note drawn is moved back (follow.py); the answer's
        shape steers each draw (answer_shape.py). A stateful model reads the seed's window
        once and then steps one note at a time, reading its last window afresh once its
        memory spans CARRY_NOTES; any other re-reads the window, moved one note on, for
        every note."""
        follow = FollowMap.between(seed, self.reference, sampling.follow)
        window = fill_window(follow.into(seed), self.window)
        low, high = follow.pitch_range(sampling.low, sampling.high)
        sampling = replace(sampling, low=low, high=high).within(window[:, PITCH])
        reading, carried = self.body(window), self.window
        shape = AnswerShape(window, target)
        while True:
            row = self.draw(reading, sampling, rng, shape)
            ended = shape.play(row)
            yield follow.back(row)
            if ended:
                return
            played = clip_features(row[None, :])
            window = np.concatenate([window[1:], played])
            if reading.state is not None and carried < CARRY_NOTES:
                reading, carried = self.step(played[0], reading.state), carried + 1
            else:
                reading, carried = self.body(window), self.window
