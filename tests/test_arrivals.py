"""Stamps for a JACK input from JACK's deltas and the times its messages were collected."""

from __future__ import annotations

import pytest

from musicgen_live.arrivals import AHEAD_LIMIT, HOLD_LIMIT, QUIET, Arrivals


def stamps(
    arrivals: Arrivals, came: list[float], waited: list[float], previous: float | None = None
) -> list[float]:
    """Stamp messages that came at `came` (JACK's clock = the monotonic one here), each
    collected `waited` seconds after it came; `previous` is when the one before them came."""
    out = []
    for at, wait in zip(came, waited, strict=True):
        delta = 0.0 if previous is None else at - previous  # rtmidi's first delta is 0
        out.append(arrivals.stamp(delta, at + wait))
        previous = at
    return out


PHRASE = [10.0, 10.25, 10.26, 10.5, 10.9, 11.4]


def test_the_intervals_of_a_phrase_are_jacks_own_whenever_each_note_was_collected() -> None:
    # the first note collected 4 ms after it came (an idle poll), the others within 1 ms:
    # the old running minimum shortened the first interval by 3.5 ms
    got = stamps(Arrivals(), PHRASE, [0.004, 0.0005, 0.001, 0.0002, 0.0007, 0.0009])
    intervals = [b - a for a, b in zip(got, got[1:], strict=False)]
    expected = [b - a for a, b in zip(PHRASE, PHRASE[1:], strict=False)]
    assert intervals == pytest.approx(expected, abs=1e-9)
    assert got[0] == pytest.approx(PHRASE[0] + 0.004)  # the whole phrase as late as its start


def test_between_phrases_the_stamps_move_to_the_earliest_collections_allowed() -> None:
    arrivals = Arrivals()
    stamps(arrivals, PHRASE, [0.004, 0.0005, 0.001, 0.0002, 0.0007, 0.0009])
    later = [at + 5.0 for at in PHRASE]  # after a quiet while
    assert later[0] - PHRASE[-1] > QUIET
    got = stamps(arrivals, later, [0.003, 0.0008, 0.0004, 0.001, 0.0006, 0.002], PHRASE[-1])
    assert got == pytest.approx(later, abs=0.00021)  # the earliest collection: 0.2 ms


def test_a_message_collected_late_keeps_its_time_up_to_the_hold_limit() -> None:
    arrivals = Arrivals()
    got = stamps(arrivals, [1.0, 1.01, 1.02], [0.0, 0.06, 0.06])  # a 60 ms stall
    assert got == pytest.approx([1.0, 1.01, 1.02])
    got = stamps(Arrivals(), [1.0, 1.01], [0.0, 0.5])  # a 500 ms one
    assert got[1] == pytest.approx(1.01 + 0.5 - HOLD_LIMIT)


def test_a_stamp_never_runs_far_ahead_of_its_collection() -> None:
    # the first message collected 30 ms late (another thread held the interpreter): the
    # stamps may not stay 30 ms late until the next phrase
    got = stamps(Arrivals(), [1.0, 1.1, 1.2], [0.03, 0.0, 0.0])
    assert got[1] <= 1.1 + AHEAD_LIMIT
    assert got[2] == pytest.approx(1.2)


def test_with_the_cycle_known_the_wake_up_jitter_of_each_callback_is_gone() -> None:
    period = 256 / 48000
    cycles = [0, 87, 152, 154, 210, 262]  # the cycles the phrase's messages came in
    woken = [0.0012, 0.0, 0.0021, 0.0004, 0.0, 0.0017]  # each callback this late
    came = [10.0 + cycle * period + late for cycle, late in zip(cycles, woken, strict=True)]
    got = stamps(Arrivals(lambda: period), came, [0.0005] * len(came))
    assert [b - a for a, b in zip(got, got[1:], strict=False)] == pytest.approx(
        [(b - a) * period for a, b in zip(cycles, cycles[1:], strict=False)], abs=1e-9
    )
    unknown = stamps(Arrivals(), came, [0.0005] * len(came))
    assert unknown[1] - unknown[0] == pytest.approx(87 * period - 0.0012)


def test_a_running_clock_lays_its_grid_where_the_ticks_came_not_where_the_first_was_seen() -> None:
    # ticks never pause: the first, collected 4 ms late, may not hold the grid late for good
    arrivals, period = Arrivals(), 0.5 / 24
    came = [10.0 + k * period for k in range(48)]
    waited = [0.004] + [0.0003 + 0.0004 * (k % 3) for k in range(47)]
    got = [arrivals.stamp(0.0 if k == 0 else period, at + wait, tick=True)
           for k, (at, wait) in enumerate(zip(came, waited, strict=True))]  # fmt: skip
    assert got[0] == pytest.approx(came[0] + 0.004)
    assert got[-24:] == pytest.approx(came[-24:], abs=0.00031)


def test_cycles_that_run_slow_on_the_systems_clock_never_move_a_stamp_by_a_cycle() -> None:
    # a clock's ticks for a minute, on cycles 1 % longer than the server says: whole cycles
    # counted from the first tick would fall 0.6 s behind; counted from the raw times, no
    period, wall = 256 / 48000, 1.01 * 256 / 48000
    arrivals = Arrivals(lambda: period)
    ticks = [round(k * 0.5 / 24 / period) * wall for k in range(2880)]  # the cycles they came in
    got = [arrivals.stamp(0.0 if k == 0 else at - ticks[k - 1], 100.0 + at + 0.0002, tick=True)
           for k, at in enumerate(ticks)]  # fmt: skip
    error = [abs(stamp - (100.0 + at)) for stamp, at in zip(got, ticks, strict=True)]
    assert max(error) < period + 0.0003  # a whole cycle at worst, as read per cycle


def test_ticks_jack_ran_back_to_back_to_catch_up_keep_their_order_and_their_gaps() -> None:
    period = 256 / 48000
    arrivals = Arrivals(lambda: period)
    deltas = [0.0, 0.0208, 0.0003, 0.0002, 0.0003, 0.0208]  # three cycles run in a burst
    got, at = [], 10.0
    for delta in deltas:
        at += delta
        got.append(arrivals.stamp(delta, at + 0.0002, tick=True))
    gaps = [b - a for a, b in zip(got, got[1:], strict=False)]
    assert gaps == pytest.approx(deltas[1:], abs=1e-9)  # never two ticks at one time
