"""The fake clock's timers fire in order, each at its own time."""

from __future__ import annotations

import asyncio

from musicgen_live.clock import Alarm, FakeClock


def test_timers_fire_in_order_at_their_times_and_cancelled_ones_never() -> None:
    clock = FakeClock(10.0)
    fired: list[tuple[str, float]] = []
    clock.call_at(10.3, lambda: fired.append(("b", clock.now())))
    clock.call_at(10.1, lambda: fired.append(("a", clock.now())))
    clock.call_at(10.2, lambda: fired.append(("x", clock.now()))).cancel()
    clock.advance(0.25)
    assert fired == [("a", 10.1)] and clock.now() == 10.25
    clock.advance(1.0)
    assert fired == [("a", 10.1), ("b", 10.3)]


async def test_sleep_until_returns_when_the_clock_passes() -> None:
    clock = FakeClock()
    woke: list[float] = []

    async def sleeper() -> None:
        await clock.sleep_until(0.5)
        woke.append(clock.now())

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    clock.advance(0.4)
    await asyncio.sleep(0)
    assert woke == []
    clock.advance(0.2)
    await task
    assert woke == [clock.now()] and clock.now() >= 0.5


def test_an_alarm_keeps_one_timer_and_moves_it_only_when_its_deadline_moves() -> None:
    clock = FakeClock(0.0)
    rang: list[float] = []
    alarm = Alarm(clock, lambda: rang.append(clock.now()))
    alarm.set(1.0)
    alarm.set(1.0)  # the same deadline: still one timer
    alarm.set(0.5)  # moved earlier: the timer at 1.0 is gone
    clock.advance(2.0)
    assert rang == [0.5]
    alarm.set(3.0)
    alarm.cancel()
    clock.advance(2.0)
    assert rang == [0.5]
