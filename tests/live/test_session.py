"""The session on a fake clock with fake ports: switching ports, the demo handing over to
the player, and failures on the engine's loop reported in one line with no note left on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import mido
import pytest

from musicgen_live.live.commands import ListPorts, SwitchModel, SwitchPort
from musicgen_live.live.events import Notice, PhraseHeard, PortsAvailable, State
from musicgen_live.ports import MidiUnavailable
from tests.live.fakes import run_for
from tests.live.session_fakes import SessionRig, raising_once
from tests.midi_checks import every_note_closed_then_reset, sounding_after


def errors(rig: SessionRig) -> list[Notice]:
    return [n for n in rig.of(Notice) if n.level == "error"]


async def test_switching_the_output_silences_every_note_on_the_old_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch, length="64")

    async def scenario() -> None:
        await rig.play((60, 62))
        await run_for(rig.clock, 0.35)  # the answer's first chord is sounding
        old = rig.port("out A")
        assert old.note_ons()
        rig.session.handle(SwitchPort("output", "out B"))
        assert not old.closed  # a note is due: the port opens in the next gap
        await run_for(rig.clock, 0.5)
        assert old.closed
        assert every_note_closed_then_reset(old.sent)
        assert rig.session.engine.player.sinks == [rig.port("out B")]
        watched = [w.port for w in rig.session.ports.watched if w.kind == "output"]
        assert watched == [rig.port("out B")]

    await rig.serve(scenario)


async def test_switching_the_input_with_a_key_and_the_pedal_down_leaves_nothing_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch)

    async def scenario() -> None:
        rig.port("keys A").press(mido.Message("note_on", note=50, velocity=80))
        rig.port("keys A").press(mido.Message("control_change", control=64, value=127))
        await run_for(rig.clock, 0.1)
        rig.session.handle(SwitchPort("input", "keys B"))  # key and pedal go up on keys A
        await run_for(rig.clock, 0.01)
        assert rig.port("keys A").closed
        last_up = await rig.play((70, 72), port="keys B")
        await run_for(rig.clock, 0.5)
        heard = rig.of(PhraseHeard)
        assert len(heard) == 1 and heard[0].notes == 2
        assert heard[0].at == pytest.approx(last_up + 0.3, abs=0.002)

    await rig.serve(scenario)


async def test_a_player_taking_over_the_demo_mid_phrase_is_heard_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch, length="4", demo=True)

    async def scenario() -> None:
        await run_for(rig.clock, 1.0)  # four of the demo's keys are down
        assert rig.session.engine.conductor.state is State.HEARING
        last_up = await rig.play((50, 52))
        await run_for(rig.clock, 0.6)
        heard = rig.of(PhraseHeard)
        assert len(heard) == 1 and heard[0].notes == 2
        assert heard[0].at == pytest.approx(last_up + 0.3, abs=0.002)
        await run_for(rig.clock, 6.0, step=0.01)  # the answer ends; the demo stays quiet
        assert len(rig.of(PhraseHeard)) == 1
        assert not sounding_after(rig.port("out A").sent)

    await rig.serve(scenario)


async def test_a_conductor_step_that_raises_is_one_line_and_the_session_listens_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch, length="64")
    conductor = rig.session.engine.conductor

    async def scenario() -> None:
        await rig.play((60, 62))
        await run_for(rig.clock, 0.35)  # answering
        with raising_once(conductor, "feed", RuntimeError("feed broke")):
            rig.port("keys A").press(mido.Message("note_on", note=65, velocity=80))
            await run_for(rig.clock, 0.01)
        assert [n.text for n in errors(rig)] == ["RuntimeError: feed broke"]
        assert every_note_closed_then_reset(rig.port("out A").sent)
        rig.port("keys A").press(mido.Message("note_off", note=65))
        await rig.play((70,))
        await run_for(rig.clock, 0.5)
        assert len(rig.of(PhraseHeard)) == 2
        assert conductor.state is State.ANSWERING

    await rig.serve(scenario)
    assert len(errors(rig)) == 1
    assert every_note_closed_then_reset(rig.port("out A").sent)


async def test_a_model_that_fails_to_load_is_reported_and_the_old_one_plays_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch)
    runner = rig.runner

    def broken(folder: Path) -> object:
        raise ValueError("not a model folder")

    async def scenario() -> None:
        monkeypatch.setattr("musicgen_live.live.session.ModelRunner.load", broken)
        rig.session.handle(SwitchModel(Path("elsewhere")))
        for _ in range(100):  # the model loads on a worker thread, in real time
            if rig.of(Notice)[-1].level != "info":
                break
            await asyncio.sleep(0.01)
        assert "not a model folder" in rig.of(Notice)[-1].text
        assert rig.session.engine.runner is runner

    await rig.serve(scenario)


async def test_a_remembered_input_that_is_gone_is_waited_for_then_played_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch, input="keys C", waits_for=frozenset({"input"}))

    async def scenario() -> None:
        assert "keys C" not in rig.ports.opened  # never a virtual port of another's name
        warnings = [n.text for n in rig.of(Notice) if n.level == "warning"]
        assert any("'keys C' is not there: waiting for it" in text for text in warnings)
        rig.ports.listed["input"].append("keys C")  # the keyboard is plugged in
        await run_for(rig.clock, 1.1)
        assert "keys C" in rig.ports.opened
        await rig.play((60, 62), port="keys C")
        await run_for(rig.clock, 0.5)
        assert len(rig.of(PhraseHeard)) == 1

    await rig.serve(scenario)


async def test_a_named_port_that_vanishes_is_reported_and_opened_again_in_a_gap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch, length="64")

    async def scenario() -> None:
        await rig.play((60, 62))
        rig.ports.listed["output"].remove("out A")
        await run_for(rig.clock, 1.5)
        lost = [n.text for n in rig.of(Notice) if "lost" in n.text]
        assert lost == ["output port 'out A' lost"]
        assert rig.port("out A") not in rig.session.engine.player.sinks
        rig.ports.listed["output"].append("out A")
        await run_for(rig.clock, 1.5)
        assert rig.port("out A") in rig.session.engine.player.sinks
        assert any("is back" in n.text for n in rig.of(Notice))

    await rig.serve(scenario)


async def test_the_ports_are_listed_in_a_gap_of_the_music(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The UI builds its list when told: told while a note is due, it would delay it."""
    rig = SessionRig(monkeypatch, length="64")

    async def scenario() -> None:
        await rig.play((60, 62))
        await run_for(rig.clock, 0.35)  # answering
        player = rig.session.engine.player
        while (player.next_deadline() or 0.0) - rig.clock.now() > 0.02:
            await run_for(rig.clock, 0.001)  # asked 20 ms before a note is due
        asked = rig.clock.now()
        assert (player.next_deadline() or 0.0) > asked
        rig.session.handle(ListPorts("output"))
        await run_for(rig.clock, 3.0)
        told = rig.of(PortsAvailable)
        assert len(told) == 1 and told[0].at > asked
        sent = [at for at, _ in rig.port("out A").sent]
        assert not [at for at in sent if told[0].at <= at < told[0].at + 0.05], (told, sent)

    await rig.serve(scenario)


async def test_listing_ports_without_a_midi_system_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = SessionRig(monkeypatch)

    def no_system(kind: str) -> list[str]:
        raise MidiUnavailable("no MIDI system is reachable (no server). To fix: start one")

    async def scenario() -> None:
        monkeypatch.setattr(rig.ports, "names", no_system)
        rig.session.handle(ListPorts("output"))
        await run_for(rig.clock, 0.01)
        warnings = [n.text for n in rig.of(Notice) if n.level == "warning"]
        assert warnings[-1].startswith("cannot list the outputs: no MIDI system is reachable")

    await rig.serve(scenario)
