"""The engine when something breaks on its loop: one line for the UI, no note left sounding,
and the engine listening on."""

from __future__ import annotations

import asyncio

import mido

from musicgen_live.live.events import Notice, PhraseHeard, State
from tests.live.engine_rig import Rig, serve
from tests.live.fakes import ListSink, run_for
from tests.midi_checks import every_note_closed_then_reset


class SinkBrokenMidAnswer(ListSink):
    """Takes a few messages, then fails as an unplugged device does."""

    def send(self, message: mido.Message) -> None:
        if len(self.sent) >= 3:
            raise OSError("device unplugged")
        super().send(message)


async def test_a_decoded_note_the_conductor_cannot_place_is_one_line_and_it_listens_on() -> None:
    rig = Rig(length="16")
    conductor = rig.engine.conductor

    async def scenario() -> None:
        original = conductor.decoded
        broke: list[bool] = []

        def breaks_mid_answer(row, now):  # type: ignore[no-untyped-def]
            answer = conductor.answer
            if answer is not None and answer.notes >= 4 and not broke:  # the opening sounds
                broke.append(True)
                raise RuntimeError("cannot place the note")
            return original(row, now)

        conductor.decoded = breaks_mid_answer  # type: ignore[method-assign]
        await rig.play()
        await run_for(rig.clock, 0.5)
        assert rig.sinks[0].note_ons()
        errors = [n for n in rig.of(Notice) if n.level == "error"]
        assert [n.text for n in errors] == ["RuntimeError: cannot place the note"]
        assert every_note_closed_then_reset(rig.sinks[0].sent)
        assert conductor.state is State.LISTENING
        await rig.play((70,))
        await run_for(rig.clock, 3.0)
        assert len(rig.of(PhraseHeard)) == 2
        assert len(rig.sinks[0].note_ons()) > 16  # the second answer was played

    await serve(rig, scenario)
    assert every_note_closed_then_reset(rig.sinks[0].sent)


async def test_an_output_that_fails_mid_answer_is_one_line_and_the_others_play_on() -> None:
    rig = Rig()
    broken = SinkBrokenMidAnswer(rig.clock)
    rig.engine.player.sinks.append(broken)

    async def scenario() -> None:
        await rig.play()
        await run_for(rig.clock, 3.0)
        await rig.play((70,))
        await run_for(rig.clock, 3.0)

    await serve(rig, scenario)
    assert broken.note_ons() and broken not in rig.engine.player.sinks
    assert len([n for n in rig.of(Notice) if "output lost" in n.text]) == 1
    assert len(rig.sinks[0].note_ons()) == 16
    assert every_note_closed_then_reset(rig.sinks[0].sent)


async def test_a_stop_before_the_engine_runs_is_kept() -> None:
    rig = Rig()
    rig.engine.stop()
    await asyncio.wait_for(rig.engine.run(), 1.0)
    assert every_note_closed_then_reset(rig.sinks[0].sent)
