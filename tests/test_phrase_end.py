"""The adaptive phrase end on explicit times: it follows a fast and a slow player, stays within
its bounds, and never ends a phrase while a key or the pedal is down."""

import random

import mido
import pytest

from musicgen_live.phrase import PhraseDetector
from musicgen_live.phrase_end import (
    KEYS_ONLY,
    USUAL,
    WAIT,
    WITH_PEDAL,
    AdaptiveSilence,
    FixedSilence,
    Rhythm,
)


def msg(text: str) -> mido.Message:
    return mido.Message.from_str(text + " time=0")


def pedal(detector: PhraseDetector, down: bool, now: float) -> None:
    detector.feed(msg(f"control_change channel=0 control=64 value={127 if down else 0}"), now)


def play(detector: PhraseDetector, beat: float, held: float, notes: int = 8) -> float:
    """`notes` notes a `beat` apart, each held `held` seconds; returns the last release."""
    for number in range(notes):
        start, pitch = number * beat, 60 + number
        assert detector.feed(msg(f"note_on channel=0 note={pitch} velocity=80"), start) is None
        detector.feed(msg(f"note_off channel=0 note={pitch} velocity=0"), start + held)
        assert detector.poll(start + held) is None
    return (notes - 1) * beat + held


def test_a_fast_player_is_answered_sooner_than_the_usual_silence() -> None:
    detector = PhraseDetector(AdaptiveSilence())
    last_up = play(detector, beat=0.2, held=0.1)
    # the next onset is overdue two beats after the last one: 0.3 s after the release
    expected = (last_up - 0.1) + KEYS_ONLY.late * 0.2 - last_up
    assert detector.threshold() == pytest.approx(expected) and expected < USUAL
    assert detector.poll(last_up + expected - 0.001) is None
    assert detector.poll(last_up + expected) is not None


def test_a_note_held_past_the_next_beat_is_answered_a_breath_after_the_release() -> None:
    detector = PhraseDetector(AdaptiveSilence())
    last_up = play(detector, beat=0.25, held=0.6)  # legato: no silence, and a long last note
    assert detector.threshold() == pytest.approx(KEYS_ONLY.breath)
    assert detector.poll(last_up + KEYS_ONLY.breath) is not None


def test_a_slow_player_who_rests_is_waited_for_longer_than_the_usual_silence() -> None:
    detector = PhraseDetector(AdaptiveSilence())
    last_up = play(detector, beat=0.8, held=0.3)  # 0.5 s of silence before every note
    assert detector.threshold() == pytest.approx(KEYS_ONLY.rests * 0.5)
    assert detector.threshold() > USUAL
    assert detector.poll(last_up + USUAL) is None  # where the fixed rule would have ended it
    fast = PhraseDetector(AdaptiveSilence())
    play(fast, beat=0.2, held=0.1)
    assert detector.threshold() > fast.threshold()


def test_a_player_with_a_pedal_is_given_more_time_for_the_next_onset() -> None:
    detector = PhraseDetector(AdaptiveSilence())
    pedal(detector, True, 0.0)
    pedal(detector, False, 0.01)
    last_up = play(detector, beat=0.2, held=0.1)
    overdue = (last_up - 0.1) + WITH_PEDAL.late * 0.2 - last_up
    assert detector.threshold() == pytest.approx(min(overdue, USUAL))


def test_before_a_pulse_is_known_the_adaptive_rule_waits_the_usual_silence() -> None:
    detector = PhraseDetector(AdaptiveSilence())
    last_up = play(detector, beat=0.2, held=0.1, notes=2)  # one interval: no pulse yet
    assert detector.threshold() == USUAL
    assert detector.deadline() == pytest.approx(last_up + USUAL)


def test_the_threshold_stays_within_its_bounds() -> None:
    bounded = AdaptiveSilence(0.3, 0.5)
    fast, slow = PhraseDetector(bounded), PhraseDetector(bounded)
    play(fast, beat=0.25, held=0.3)
    play(slow, beat=1.5, held=0.2)
    assert (fast.threshold(), slow.threshold()) == (0.3, 0.5)
    draw = random.Random(7)
    for _ in range(300):
        low = draw.uniform(0.01, 1.0)
        rule = AdaptiveSilence(low, low + draw.uniform(0.0, 2.0))
        detector = PhraseDetector(rule)
        play(detector, beat=draw.uniform(0.05, 3.0), held=draw.uniform(0.01, 3.0), notes=5)
        detector.expected_by = draw.choice([None, draw.uniform(-5.0, 20.0)])
        assert rule.low <= detector.threshold() <= rule.high


def test_no_phrase_ends_while_a_key_or_the_pedal_is_down() -> None:
    # the silence rule alone: neither the longest phrase nor the stillness limit ends it
    detector = PhraseDetector(AdaptiveSilence(), max_seconds=1000.0, max_still=1000.0)
    last_up = play(detector, beat=0.2, held=0.1)
    detector.feed(msg("note_on channel=0 note=72 velocity=80"), last_up + 0.05)
    assert detector.deadline() is None and detector.poll(last_up + 60.0) is None
    pedal(detector, True, last_up + 61.0)
    detector.feed(msg("note_off channel=0 note=72 velocity=0"), last_up + 61.5)
    assert detector.deadline() is None and detector.poll(last_up + 120.0) is None
    pedal(detector, False, last_up + 121.0)  # lifting the pedal is the last release
    assert detector.deadline() == pytest.approx(last_up + 121.0 + detector.threshold())
    assert detector.poll(last_up + 121.0 + detector.threshold()) is not None


def test_an_expected_onset_given_from_elsewhere_replaces_the_rhythms_guess() -> None:
    detector = PhraseDetector(AdaptiveSilence())
    last_up = play(detector, beat=0.2, held=0.1)
    detector.expected_by = last_up + 0.25
    assert detector.threshold() == pytest.approx(0.25)
    detector.expected_by = last_up  # already due: a breath
    assert detector.threshold() == pytest.approx(KEYS_ONLY.breath)


def test_a_wait_for_an_answer_is_neither_an_interval_nor_a_rest() -> None:
    rhythm = Rhythm()
    for number in range(4):
        rhythm.onset(number * 0.2, 0.05 if number else None)
    rhythm.onset(0.6 + WAIT + 0.5, WAIT + 0.4)  # the player waited for the answer
    rhythm.onset(0.6 + WAIT + 0.7, 0.05)
    assert list(rhythm.intervals) == pytest.approx([0.2, 0.2, 0.2, 0.2])
    assert rhythm.rest() == pytest.approx(0.05)


def test_a_chord_is_one_onset_and_its_silence_counts_once() -> None:
    rhythm = Rhythm()
    rhythm.onset(0.0, None)
    for start in (0.5, 0.51, 0.52):  # a chord, struck unevenly
        rhythm.onset(start, 0.3 + (start - 0.5))
    assert list(rhythm.intervals) == [0.5] and list(rhythm.silences) == [pytest.approx(0.32)]


def test_the_fixed_rule_ignores_the_player() -> None:
    detector = PhraseDetector(FixedSilence(0.4))
    last_up = play(detector, beat=0.2, held=0.1)
    assert detector.threshold() == 0.4 and detector.deadline() == pytest.approx(last_up + 0.4)
