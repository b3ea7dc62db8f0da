"""What `train` says while an epoch runs: on a terminal a bar with the steps done and the
loss; elsewhere (a log file, a pipe) a line at every tenth of the epoch, and at least every
30 seconds while steps end; then one line per epoch. Pure: time is passed in (no TensorFlow)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from tqdm import tqdm

TENTHS = 10  # lines per epoch when not on a terminal
AT_MOST_SECONDS = 30.0  # and never longer than this between two lines while steps end
HEADS = ("pitch", "step", "duration", "velocity")


class EpochLines:
    """One epoch told in lines: at every tenth of its steps, and when 30 s have passed."""

    def __init__(
        self, epoch: int, epochs: int, steps: int, now: float, say: Callable[[str], None]
    ) -> None:
        self.name = f"epoch {epoch}/{epochs}"
        self.steps = steps
        self.started = self.said_at = now
        self.tenths_said = 0
        self.say = say

    def step(self, done: int, loss: float, now: float) -> None:
        tenths = done * TENTHS // self.steps
        if tenths > self.tenths_said or now - self.said_at >= AT_MOST_SECONDS:
            self.tenths_said = tenths
            self.said_at = now
            self.say(
                f"{self.name}: step {done}/{self.steps} ({100 * done // self.steps} %),"
                f" loss {loss:.4f}, {now - self.started:.0f} s"
            )

    def close(self) -> None:
        pass


class EpochBar:
    """One epoch as a bar on a terminal, the running loss beside it; gone once it ends."""

    def __init__(
        self, epoch: int, epochs: int, steps: int, file: Any, redraw_every: float = 0.1
    ) -> None:
        self.bar = tqdm(
            total=steps,
            desc=f"epoch {epoch}/{epochs}",
            unit="step",
            file=file,
            leave=False,
            mininterval=redraw_every,
        )

    def step(self, done: int, loss: float, now: float) -> None:
        self.bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)
        self.bar.update(done - self.bar.n)
        if done >= self.bar.total:  # gone before validation and what it prints
            self.close()

    def close(self) -> None:
        self.bar.close()


def epoch_summary(epoch: int, epochs: int, seconds: float, logs: Mapping[str, float]) -> str:
    """The line an epoch leaves: its loss, the validation loss and each head's, the rate."""
    line = f"epoch {epoch}/{epochs} in {seconds:.0f} s: loss {logs.get('loss', math.nan):.4f}"
    if "val_loss" in logs:
        line += f", validation loss {logs['val_loss']:.4f}"
        if all(f"val_{head}_loss" in logs for head in HEADS):
            heads = (f"{head} {logs[f'val_{head}_loss']:.3f}" for head in HEADS)
            line += f" ({', '.join(heads)})"
    if "learning_rate" in logs:
        line += f", learning rate {logs['learning_rate']:.3g}"
    return line
