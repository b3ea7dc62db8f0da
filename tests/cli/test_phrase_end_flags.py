"""Which phrase end a run plays with: adaptive by default; an explicit --silence keeps its old
meaning (the fixed rule) unless --phrase-end is given too; a remembered silence never switches
the rule."""

from __future__ import annotations

import pytest

from musicgen_live.cli import build_parser
from musicgen_live.cli.live_config import resolve_config
from musicgen_live.errors import UserError
from musicgen_live.live.config import LiveConfig
from musicgen_live.phrase_end import AdaptiveSilence, FixedSilence
from musicgen_live.tui.settings import Settings


def resolve(remembered: Settings | None, *argv: str) -> LiveConfig:
    args = build_parser().parse_args(["live", *argv])
    return resolve_config(args, args.given_options, remembered)


@pytest.mark.parametrize("remembered", [None, Settings()], ids=["headless", "ui"])
def test_the_adaptive_rule_is_the_default_within_its_bounds(remembered: Settings | None) -> None:
    assert resolve(remembered).performance.phrase_end_rule == AdaptiveSilence(0.06, 1.5)
    bounded = resolve(remembered, "--silence-min", "100", "--silence-max", "900")
    assert bounded.performance.phrase_end_rule == AdaptiveSilence(0.1, 0.9)


@pytest.mark.parametrize("remembered", [None, Settings({"phrase_end": "adaptive"})])
def test_an_explicit_silence_chooses_the_fixed_rule(remembered: Settings | None) -> None:
    config = resolve(remembered, "--silence", "300")
    assert config.performance.phrase_end_rule == FixedSilence(0.3)
    assert resolve(remembered, "--silence=400").performance.phrase_end == "fixed"  # the default


def test_silence_with_an_explicit_phrase_end_is_that_rule() -> None:
    adaptive = resolve(None, "--silence", "300", "--phrase-end", "adaptive").performance
    assert adaptive.phrase_end_rule == AdaptiveSilence() and adaptive.silence_ms == 300
    fixed = resolve(None, "--phrase-end", "fixed").performance
    assert fixed.phrase_end_rule == FixedSilence(0.4)


def test_a_remembered_silence_does_not_switch_the_rule() -> None:
    performance = resolve(Settings({"silence_ms": 300})).performance
    assert performance.silence_ms == 300 and performance.phrase_end == "adaptive"
    remembered_fixed = resolve(Settings({"silence_ms": 300, "phrase_end": "fixed"}))
    assert remembered_fixed.performance.phrase_end_rule == FixedSilence(0.3)


def test_the_shortest_silence_may_not_exceed_the_longest() -> None:
    with pytest.raises(UserError, match="--silence-min 900 is above --silence-max 500"):
        resolve(None, "--silence-min", "900", "--silence-max", "500")
