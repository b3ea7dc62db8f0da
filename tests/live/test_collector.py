"""Full garbage collections only while nothing is due, on a fake clock."""

from __future__ import annotations

import asyncio
import gc

from musicgen_live.live.collector import IDLE_EVERY
from musicgen_live.live.events import AnswerEnded, AnswerStarted, State
from tests.live.engine_rig import Rig, serve
from tests.live.fakes import run_for


async def test_full_collections_wait_until_nothing_is_due() -> None:
    rig = Rig(length="16")
    collections: list[tuple[float, State, int]] = []
    rig.engine.collector.collect = lambda: collections.append(
        (rig.clock.now(), rig.engine.conductor.state, rig.engine.player.pending)
    )
    before = gc.get_threshold()

    opened = rig.clock.now()

    async def scenario() -> None:
        assert gc.get_threshold()[2] > 10**6 and gc.get_freeze_count() > 0  # held
        await run_for(rig.clock, IDLE_EVERY - 1.2)
        await rig.play()  # the idle collection falls due during the answer
        await run_for(rig.clock, 5.0)
        await run_for(rig.clock, 2 * IDLE_EVERY)

    await serve(rig, scenario)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0  # given back
    started = rig.of(AnswerStarted)[0].at
    ended = rig.of(AnswerEnded)[0].at
    assert started < opened + IDLE_EVERY < ended
    assert len(rig.sinks[0].note_ons()) == 16
    assert all(state is State.LISTENING and pending == 0 for _, state, pending in collections)
    assert not [at for at, _, _ in collections if started <= at < ended]
    assert [at for at, _, _ in collections if ended <= at < ended + 0.1]  # back to listening
    assert [at for at, _, _ in collections if at >= ended + IDLE_EVERY]  # and while idle


async def test_a_player_who_plays_on_for_minutes_still_has_garbage_collected() -> None:
    rig = Rig(length="4")
    collections: list[State] = []
    rig.engine.collector.collect = lambda: collections.append(rig.engine.conductor.state)

    async def scenario() -> None:
        collections.clear()  # the one as the session opens
        await rig.play(tuple(60 + i % 12 for i in range(int(2.5 * IDLE_EVERY / 0.15))))

    await serve(rig, scenario)
    assert State.HEARING in collections  # while the player plays, with nothing due


async def test_two_engines_hold_the_collector_until_the_last_stops() -> None:
    first, second = Rig(), Rig()
    before = gc.get_threshold()
    runs = [asyncio.create_task(rig.engine.run()) for rig in (first, second)]
    await asyncio.sleep(0)
    first.engine.stop()  # the first to start stops first
    await runs[0]
    assert gc.get_threshold()[1] > 10**6 and gc.get_freeze_count() > 0  # still held
    second.engine.stop()
    await runs[1]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
