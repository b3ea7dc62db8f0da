"""What train says within an epoch, on explicit times: lines at every tenth and at least
every 30 s when not on a terminal, a bar on one, and the line each epoch leaves."""

import io
from itertools import pairwise

from musicgen_live.training.progress import EpochBar, EpochLines, epoch_summary


def told(steps: int, seconds_per_step: float) -> list[tuple[float, str]]:
    """(time, line) of each line an epoch of `steps` steps says, one step every so often."""
    lines: list[tuple[float, str]] = []
    now = 0.0
    epoch = EpochLines(3, 20, steps, now, lambda line: lines.append((now, line)))
    for done in range(1, steps + 1):
        now = done * seconds_per_step
        epoch.step(done, 9.0 - done / steps, now)
    return lines


def test_a_quick_epoch_says_a_line_at_every_tenth() -> None:
    lines = [line for _, line in told(400, 0.01)]
    assert len(lines) == 10
    assert lines[0] == "epoch 3/20: step 40/400 (10 %), loss 8.9000, 0 s"
    assert lines[-1] == "epoch 3/20: step 400/400 (100 %), loss 8.0000, 4 s"


def test_a_slow_epoch_says_a_line_at_least_every_30_seconds() -> None:
    lines = told(1000, 1.0)  # a tenth every 100 s
    times = [0.0] + [time for time, _ in lines]
    assert max(later - earlier for earlier, later in pairwise(times)) <= 30
    assert len(lines) == 40  # at 30, 60, 90 and 100 s of every 100
    for tenth in range(1, 11):
        assert any(f"step {tenth * 100}/1000 ({tenth * 10} %)" in line for _, line in lines)


def test_a_bar_shows_the_steps_and_the_loss_on_a_terminal() -> None:
    screen = io.StringIO()
    bar = EpochBar(1, 2, 3, screen, redraw_every=0)
    for done in (1, 2, 3):
        bar.step(done, 7.25, float(done))
    bar.close()
    shown = screen.getvalue()
    assert "epoch 1/2" in shown and "3/3" in shown and "loss 7.2500" in shown


def test_an_epoch_leaves_its_losses_each_head_and_the_rate_in_one_line() -> None:
    logs = {"loss": 9.1234, "val_loss": 9.0, "learning_rate": 0.0005}
    logs |= {f"val_{head}_loss": 2.0 for head in ("pitch", "step", "duration", "velocity")}
    assert epoch_summary(2, 20, 163.4, logs) == (
        "epoch 2/20 in 163 s: loss 9.1234, validation loss 9.0000 (pitch 2.000, step 2.000, "
        "duration 2.000, velocity 2.000), learning rate 0.0005"
    )
    assert epoch_summary(1, 1, 1.0, {"loss": 1.0}) == "epoch 1/1 in 1 s: loss 1.0000"
