"""The engine's asyncio shell on a fake clock, with a scripted model and list sinks."""

from __future__ import annotations

import asyncio
import errno
from pathlib import Path

import mido
import pytest

from musicgen_live.clock import FakeClock
from musicgen_live.live.events import (
    AnswerEnded,
    AnswerStarted,
    NotePlayed,
    Notice,
    PhraseHeard,
    State,
    StateChanged,
)
from musicgen_live.live.take import Take
from tests.live.engine_rig import CHORDS, Rig, serve
from tests.live.fakes import BrokenSink, FailingRunner, RandomRunner, run_for
from tests.midi_checks import every_note_closed_then_reset


async def test_an_answer_of_chords_leaves_at_the_phrase_end_from_the_opening() -> None:
    rig = Rig()

    async def scenario() -> None:
        last_up = await rig.play()
        await run_for(rig.clock, 3.0)
        heard = rig.of(PhraseHeard)[0]
        assert heard.at == pytest.approx(last_up + 0.3, abs=0.0015)
        assert rig.runner.runs[0] < heard.at  # the opening was decoded during the silence
        ons = rig.sinks[0].note_ons()
        assert len(ons) == 8
        assert [t for t, _ in ons[:3]] == [heard.at] * 3  # a chord, due at one instant
        assert ons[3][0] == pytest.approx(heard.at + 0.4)
        assert rig.of(AnswerStarted)[0].latency_ms == 0.0
        assert rig.of(AnswerEnded)[0].notes == 8 and not rig.of(AnswerEnded)[0].interrupted
        assert rig.engine.conductor.state is State.LISTENING

    await serve(rig, scenario)
    assert every_note_closed_then_reset(rig.sinks[0].sent)


async def test_a_model_that_fails_is_reported_and_the_engine_listens_again() -> None:
    clock_rig = Rig()
    rig = Rig(FailingRunner(CHORDS, clock_rig.clock))
    rig.runner.clock = rig.clock  # type: ignore[attr-defined]

    async def scenario() -> None:
        await rig.play()
        await run_for(rig.clock, 1.0)
        errors = [n for n in rig.of(Notice) if n.level == "error"]
        assert len(errors) == 1 and "Dimension mismatch" in errors[0].text
        assert rig.engine.conductor.state is State.LISTENING
        assert rig.of(StateChanged)[-1].state is State.LISTENING
        await rig.play((70,))  # and it hears the next phrase
        await run_for(rig.clock, 1.0)
        assert len(rig.of(PhraseHeard)) == 2

    await serve(rig, scenario)


async def test_stopping_mid_answer_leaves_no_note_sounding() -> None:
    rig = Rig(length="64")

    async def scenario() -> None:
        await rig.play()
        await run_for(rig.clock, 0.35)
        assert rig.sinks[0].note_ons()

    await serve(rig, scenario)
    assert every_note_closed_then_reset(rig.sinks[0].sent)


async def test_a_lost_output_is_reported_once_and_the_others_play_on() -> None:
    rig = Rig()
    rig.engine.player.sinks.append(BrokenSink(rig.clock))

    async def scenario() -> None:
        await rig.play()
        await run_for(rig.clock, 3.0)

    await serve(rig, scenario)
    lost = [n for n in rig.of(Notice) if "output lost" in n.text]
    assert len(lost) == 1
    assert len(rig.sinks[0].note_ons()) == 8


async def test_a_disk_that_refuses_the_recording_warns_once_and_the_music_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = Rig(length="16")
    rig.engine.takes.start(Take(tmp_path / "take.mid", started=rig.clock.now()))

    def read_only(self: mido.MidiFile, filename: str) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    def refuse_unlink(self: Path, missing_ok: bool = False) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(mido.MidiFile, "save", read_only)
    monkeypatch.setattr(Path, "unlink", refuse_unlink)

    async def scenario() -> None:
        await rig.play()
        await run_for(rig.clock, 4.0)
        await asyncio.sleep(0.2)  # the writes run on a worker thread, in real time

    await serve(rig, scenario)
    await asyncio.sleep(0.1)
    warnings = [n for n in rig.of(Notice) if n.level == "warning"]
    assert len(warnings) == 1 and "Read-only file system" in warnings[0].text
    assert len(rig.sinks[0].note_ons()) == 16
    assert every_note_closed_then_reset(rig.sinks[0].sent)


async def test_one_timer_at_a_time_wakes_the_player() -> None:
    rig = Rig(length="32")

    async def scenario() -> None:
        await rig.play()
        await run_for(rig.clock, 0.5)
        live = [t for _, _, t in rig.clock._timers if not t.cancelled]
        assert len(live) <= 3  # the player's deadline, the decoder's turn, the conductor's wake

    await serve(rig, scenario)


async def test_the_demo_plays_into_the_engine_until_the_user_takes_over() -> None:
    from musicgen_live.live.demo import Demo, demo_events

    rig = Rig(length="4")
    demo = Demo(rig.engine)

    async def scenario() -> None:
        playing = asyncio.create_task(demo.run())
        phrase_seconds = demo_events()[-1][0]
        await run_for(rig.clock, phrase_seconds + 1.5, step=0.005)
        assert len(rig.of(PhraseHeard)) == 1 and rig.of(AnswerEnded)
        echoed = [
            m
            for _, m in rig.sinks[0].sent
            if m.type == "note_on" and m.note not in (60, 64, 67, 72)
        ]
        assert echoed  # the demo's phrase sounded on the outputs too
        demo.take_over()
        await run_for(rig.clock, 6.0, step=0.01)
        assert playing.done() and len(rig.of(PhraseHeard)) == 1

    await serve(rig, scenario)


async def answer_after_dropped_openings(dropped: int) -> list[tuple[int, int]]:
    """(pitch, velocity) of the first answer, seed 0, after `dropped` openings were decoded
    and dropped (a control touched while the silence ran out)."""
    rig = Rig(RandomRunner([], FakeClock()), length="6")
    rig.runner.clock = rig.clock

    async def scenario() -> None:
        await rig.play()
        for _ in range(dropped):
            await run_for(rig.clock, 0.05)
            rig.engine.reconfigure(rig.engine.conductor.performance)
        await run_for(rig.clock, 2.0)

    await serve(rig, scenario)
    ons = [m for _, m in rig.sinks[0].sent if m.type == "note_on" and m.velocity]
    return [(m.note, m.velocity) for m in ons]


async def test_the_same_seed_gives_the_same_answer_whatever_openings_were_dropped() -> None:
    plain = await answer_after_dropped_openings(0)
    assert len(plain) == 6
    assert await answer_after_dropped_openings(1) == plain
    assert await answer_after_dropped_openings(3) == plain


async def test_waiting_for_a_gap_in_the_music_gives_up_when_told() -> None:
    rig = Rig()

    async def scenario() -> None:
        start = rig.clock.now()
        for index in range(150):  # a note every 20 ms for 3 s: no gap of 50 ms
            at = start + 0.01 + index * 0.02
            rig.engine.player.add(60 + index % 12, 70, at, at + 0.025)
        waiting = asyncio.create_task(rig.engine.clear_of_notes(within=1.0))
        await run_for(rig.clock, 0.9)
        assert not waiting.done()
        await run_for(rig.clock, 0.2)
        assert waiting.done()

    await serve(rig, scenario)


async def test_a_note_on_delivered_twice_is_heard_and_recorded_once(tmp_path: Path) -> None:
    rig = Rig()
    take = Take(tmp_path / "take.mid", started=rig.clock.now())
    rig.engine.takes.start(take)

    async def scenario() -> None:
        now = rig.clock.now()
        rig.engine.handle(mido.Message("note_on", note=60, velocity=80), now)
        rig.engine.handle(mido.Message("note_on", note=60, velocity=80), now + 0.0003)
        await run_for(rig.clock, 0.2)
        rig.engine.handle(mido.Message("note_off", note=60), rig.clock.now())
        await run_for(rig.clock, 1.0)

    await serve(rig, scenario)
    strikes = [m for _, m in take.events["player"] if m.type == "note_on" and m.velocity]
    assert len(strikes) == 1
    assert len([e for e in rig.of(NotePlayed) if e.source == "player" and e.on]) == 1
