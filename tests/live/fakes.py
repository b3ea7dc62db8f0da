"""Test doubles for the live wing: a scripted model, a sink that keeps what it is sent, and
a driver that moves a fake clock while the engine's loop runs."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator, Sequence

import mido
import numpy as np

from musicgen_live.clock import FakeClock


class ListSink:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[tuple[float, mido.Message]] = []
        self.closed = False

    def send(self, message: mido.Message) -> None:
        self.sent.append((self.clock.now(), message))

    def close(self) -> None:
        self.closed = True

    def note_ons(self) -> list[tuple[float, int]]:
        return [(t, m.note) for t, m in self.sent if m.type == "note_on" and m.velocity > 0]


class BrokenSink(ListSink):
    def send(self, message: mido.Message) -> None:
        raise OSError("device unplugged")


class ScriptedRunner:
    """A model that answers with the given rows, over and over, noting when it runs."""

    def __init__(self, rows: Sequence[Sequence[float]], clock: FakeClock) -> None:
        self.rows = [np.array(r, dtype=np.float32) for r in rows]
        self.clock = clock
        self.runs: list[float] = []

    def generate(
        self, seed: np.ndarray, sampling: object, rng: object, target: int | None = None
    ) -> Iterator[np.ndarray]:
        """The rows over and over; with a `target`, that many (the real runtime closes at
        most ENDING_REACH notes later)."""
        for index, row in enumerate(itertools.cycle(self.rows)):
            if target is not None and index >= target:
                return
            self.runs.append(self.clock.now())
            yield row


class RandomRunner(ScriptedRunner):
    """A model whose every note is drawn from the random stream it is given."""

    def generate(
        self,
        seed: np.ndarray,
        sampling: object,
        rng: np.random.Generator,
        target: int | None = None,
    ) -> Iterator[np.ndarray]:
        for _ in range(10**9 if target is None else target):
            self.runs.append(self.clock.now())
            yield np.array([rng.integers(40, 90), 0.1, 0.1, rng.integers(30, 110)], np.float32)


class FailingRunner(ScriptedRunner):
    """A model whose network fails, as one whose card does not match it does."""

    def generate(
        self, seed: np.ndarray, sampling: object, rng: object, target: int | None = None
    ) -> Iterator[np.ndarray]:
        self.runs.append(self.clock.now())
        raise ValueError("Cannot set tensor: Dimension mismatch. Got 32 but expected 8")
        yield  # a generator, as the real one


async def run_for(clock: FakeClock, seconds: float, step: float = 0.001) -> None:
    """Let fake time pass in small steps, the loop running between them."""
    end = clock.time + seconds
    while clock.time < end - 1e-9:
        clock.advance(min(step, end - clock.time))
        for _ in range(4):
            await asyncio.sleep(0)
