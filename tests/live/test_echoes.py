"""A MIDI loop: the engine's own output coming back on its input is set aside, on a fake
clock, while the player's notes are still heard."""

from __future__ import annotations

import mido

from musicgen_live.live.echoes import Echoes
from musicgen_live.live.engine import LOOP_WARNING
from musicgen_live.live.events import AnswerEnded, AnswerStarted, Notice, PhraseHeard
from tests.live.engine_rig import Rig, serve
from tests.live.fakes import ListSink, run_for


def test_an_echo_is_what_was_sent_moments_before_each_once() -> None:
    echoes = Echoes(window=0.05)
    echoes.remember(mido.Message("note_on", note=60, velocity=70), 1.000)
    assert echoes.is_echo(mido.Message("note_on", note=60, velocity=70), 1.003)
    assert not echoes.is_echo(mido.Message("note_on", note=60, velocity=70), 1.004)  # once
    assert not echoes.is_echo(mido.Message("note_on", note=62, velocity=70), 1.004)
    echoes.remember(mido.Message("note_off", note=60), 1.200)
    # a loop may turn a note-off into a note-on at velocity 0
    assert echoes.is_echo(mido.Message("note_on", note=60, velocity=0), 1.210)
    echoes.remember(mido.Message("note_on", note=64, velocity=70), 2.0)
    assert not echoes.is_echo(mido.Message("note_on", note=64, velocity=70), 2.2)  # too late
    assert echoes.heard == 2


class LoopedSink(ListSink):
    """An output routed straight back into the engine's input."""

    def __init__(self, rig: Rig) -> None:
        super().__init__(rig.clock)
        self.rig = rig

    def send(self, message: mido.Message) -> None:
        super().send(message)
        self.rig.engine.receive(message)


async def test_a_looped_output_is_not_answered_and_the_player_still_interrupts() -> None:
    rig = Rig(length="8")
    rig.engine.player.sinks[:] = [LoopedSink(rig)]

    async def scenario() -> None:
        await rig.play()
        await run_for(rig.clock, 12.0)
        assert len(rig.of(PhraseHeard)) == 1
        assert len(rig.of(AnswerStarted)) == 1
        assert [n.text for n in rig.of(Notice)].count(LOOP_WARNING) == 1
        rig.engine.player.sinks[:] = [LoopedSink(rig)]
        await rig.play((65, 67))  # a second phrase, answered
        await run_for(rig.clock, 0.35)
        await rig.play((70,))  # the player plays over the answer: it stops
        assert any(e.interrupted for e in rig.of(AnswerEnded))

    await serve(rig, scenario)
