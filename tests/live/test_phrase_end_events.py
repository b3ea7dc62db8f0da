"""The conductor reports the rule that ends a phrase and the silence it waits for, when
either changes, and times its wake-up to that silence."""

from __future__ import annotations

from itertools import pairwise

import mido
import pytest

from musicgen_live.live.conductor import Conductor
from musicgen_live.live.events import ClockChanged, PhraseEndRule, PhraseHeard, State, StateChanged
from musicgen_live.live.performance import Performance


def staccato(conductor: Conductor, notes: int = 8) -> list[PhraseEndRule]:
    """Notes 0.2 s apart, each held 0.1 s: the rule's reports along the way."""
    reports = []
    for number in range(notes):
        start = number * 0.2
        for message, now in (
            (mido.Message("note_on", note=60 + number, velocity=80), start),
            (mido.Message("note_off", note=60 + number), start + 0.1),
        ):
            reports += [
                e for e in conductor.feed(message, now).events if isinstance(e, PhraseEndRule)
            ]
    return reports


def test_the_adaptive_rule_is_reported_at_start_and_as_it_follows_the_player() -> None:
    conductor = Conductor(Performance())
    assert conductor.start(0.0).events == [
        StateChanged(0.0, State.LISTENING),
        PhraseEndRule(0.0, "adaptive", 400.0),
        ClockChanged(0.0, "none", 0.0, False),  # (the state panel's clock line)
    ]
    reports = staccato(conductor)
    assert reports and reports[-1].silence_ms == pytest.approx(300.0)
    assert all(a.silence_ms != b.silence_ms for a, b in pairwise(reports))  # changes only
    wake = conductor.wake_at()
    assert wake == pytest.approx(1.5 + 0.3)
    assert any(isinstance(event, PhraseHeard) for event in conductor.tick(wake).events)


def test_the_fixed_rule_is_reported_once() -> None:
    conductor = Conductor(Performance(phrase_end="fixed", silence_ms=250))
    assert conductor.start(0.0).events[1] == PhraseEndRule(0.0, "fixed", 250.0)
    assert staccato(conductor) == []
    assert conductor.wake_at() == pytest.approx(1.5 + 0.25)
