"""PhraseDetector with explicit times: no sleeping."""

import mido

from musicgen_live.phrase import PhraseDetector
from musicgen_live.phrase_end import FixedSilence


def msg(text: str) -> mido.Message:
    return mido.Message.from_str(text + " time=0")


def play(detector: PhraseDetector, pitch: int, start: float, end: float) -> None:
    assert detector.feed(msg(f"note_on channel=0 note={pitch} velocity=80"), start) is None
    detector.feed(msg(f"note_off channel=0 note={pitch} velocity=0"), end)


def test_phrase_ends_after_silence_once_every_key_is_up() -> None:
    detector = PhraseDetector(FixedSilence(0.4))
    play(detector, 60, 0.0, 0.3)
    detector.feed(msg("note_on channel=0 note=64 velocity=90"), 0.5)
    assert detector.deadline() is None  # a key is down
    assert detector.poll(5.0) is None
    detector.feed(msg("note_on channel=0 note=64 velocity=0"), 0.9)  # running-status note-off
    assert detector.deadline() == 0.9 + 0.4
    assert detector.poll(1.29) is None
    phrase = detector.poll(1.3)
    assert phrase is not None
    assert [(n.pitch, n.start, n.end) for n in phrase.notes] == [(60, 0.0, 0.3), (64, 0.5, 0.9)]
    assert phrase.ended_at == 1.3
    assert not detector.hearing


def test_a_key_that_comes_twice_at_once_is_one_note() -> None:
    """JACK may deliver a message again after an overrun; a re-strike takes longer."""
    detector = PhraseDetector(FixedSilence(0.4))
    detector.feed(msg("note_on channel=0 note=60 velocity=80"), 1.0)
    detector.feed(msg("note_on channel=0 note=60 velocity=80"), 1.0004)  # the same message
    detector.feed(msg("note_on channel=0 note=60 velocity=0"), 1.5)
    detector.feed(msg("note_on channel=0 note=62 velocity=70"), 1.6)
    detector.feed(msg("note_on channel=0 note=62 velocity=75"), 1.6005)  # not the same
    detector.feed(msg("note_on channel=0 note=62 velocity=0"), 1.9)
    phrase = detector.poll(2.3)
    assert phrase is not None
    assert [(n.pitch, n.start) for n in phrase.notes] == [(60, 1.0), (62, 1.6), (62, 1.6005)]


def test_a_strike_on_another_channel_is_never_taken_for_a_repeat() -> None:
    """The engine asks before recording: a note-on the detector does not listen to is kept."""
    detector = PhraseDetector(FixedSilence(0.4), channel=0)
    detector.feed(msg("note_on channel=0 note=60 velocity=80"), 1.0)
    assert detector.repeated(msg("note_on channel=0 note=60 velocity=80"), 1.0005)
    assert not detector.repeated(msg("note_on channel=3 note=60 velocity=80"), 1.0005)


def test_sustain_pedal_holds_the_phrase_open() -> None:
    detector = PhraseDetector(FixedSilence(0.4))
    detector.feed(msg("control_change channel=0 control=64 value=127"), 0.0)
    play(detector, 60, 0.1, 0.2)
    assert detector.poll(3.0) is None
    detector.feed(msg("control_change channel=0 control=64 value=0"), 3.0)
    assert detector.poll(3.39) is None
    assert detector.poll(3.4) is not None


def test_trigger_controller_ends_the_phrase_at_once_with_held_keys() -> None:
    detector = PhraseDetector(FixedSilence(10.0), trigger_cc=67)
    play(detector, 60, 0.0, 0.2)
    detector.feed(msg("note_on channel=0 note=67 velocity=70"), 0.3)
    phrase = detector.feed(msg("control_change channel=0 control=67 value=127"), 0.5)
    assert phrase is not None
    assert [(n.pitch, n.end) for n in phrase.notes] == [(60, 0.2), (67, 0.5)]


def test_min_and_max_length() -> None:
    short = PhraseDetector(FixedSilence(0.1), min_notes=3)
    play(short, 60, 0.0, 0.1)
    play(short, 62, 0.1, 0.2)
    assert short.poll(1.0) is None  # two notes: too short, dropped
    assert not short.hearing
    capped = PhraseDetector(FixedSilence(10.0), max_notes=4)
    for i in range(3):
        play(capped, 60 + i, i * 0.1, i * 0.1 + 0.05)
    phrase = capped.feed(msg("note_on channel=0 note=70 velocity=80"), 0.5)
    assert phrase is not None and len(phrase.notes) == 4
    timed = PhraseDetector(FixedSilence(10.0), max_seconds=2.0)
    detector_note = msg("note_on channel=0 note=60 velocity=80")
    timed.feed(detector_note, 0.0)
    assert timed.poll(1.9) is None
    assert timed.poll(2.0) is not None


def test_clock_sensing_and_other_channels_are_ignored() -> None:
    detector = PhraseDetector(FixedSilence(0.4), channel=0)
    play(detector, 60, 0.0, 0.2)
    detector.feed(mido.Message("clock"), 0.35)
    detector.feed(mido.Message("active_sensing"), 0.5)
    detector.feed(msg("note_on channel=3 note=72 velocity=80"), 0.55)
    phrase = detector.poll(0.61)
    assert phrase is not None and [n.pitch for n in phrase.notes] == [60]


def test_pending_phrase_carries_a_key_that_the_ended_phrase_repeats() -> None:
    detector = PhraseDetector(FixedSilence(0.4))
    play(detector, 60, 0.0, 0.3)
    first = detector.pending()
    assert first is not None and [n.pitch for n in first[1]] == [60]
    detector.feed(msg("note_on channel=0 note=62 velocity=80"), 0.5)
    assert detector.pending() is None  # a key is down: nothing to prepare yet
    detector.feed(msg("note_off channel=0 note=62 velocity=0"), 0.6)
    second = detector.pending()
    assert second is not None and second[0] != first[0]
    phrase = detector.poll(1.0)
    assert phrase is not None and phrase.key == second[0]


def test_reset_lets_go_of_the_sustain_pedal() -> None:
    detector = PhraseDetector(FixedSilence(0.4))
    detector.feed(msg("control_change channel=0 control=64 value=127"), 0.0)
    play(detector, 60, 0.1, 0.2)
    assert detector.deadline() is None  # the pedal holds the phrase open
    detector.reset()  # the pedal went up on a port that is gone
    play(detector, 62, 1.0, 1.1)
    assert detector.deadline() == 1.1 + 0.4


def test_a_key_left_down_with_nothing_else_played_ends_the_phrase_after_max_still() -> None:
    # a note-off lost on its way in must not keep the player waiting for the longest phrase
    detector = PhraseDetector(FixedSilence(0.4), max_still=10.0)
    play(detector, 60, 0.0, 0.2)
    detector.feed(msg("note_on channel=0 note=64 velocity=80"), 0.5)  # its release never comes
    assert detector.poll(10.49) is None
    phrase = detector.poll(10.5)
    assert phrase is not None and phrase.still
    assert [(n.pitch, n.end) for n in phrase.notes] == [(60, 0.2), (64, 10.5)]


def test_playing_on_over_a_held_key_or_the_pedal_keeps_the_phrase_open() -> None:
    held = PhraseDetector(FixedSilence(0.4), max_still=10.0)
    held.feed(msg("note_on channel=0 note=48 velocity=80"), 0.0)  # a bass note held throughout
    for i in range(3):
        assert held.poll(6.0 * i + 0.99) is None
        play(held, 60 + i, 6.0 * i + 1.0, 6.0 * i + 1.5)
    assert held.poll(23.49) is None  # held 23.49 s, but a note was played 9.99 s ago
    phrase = held.poll(23.5)
    assert phrase is not None and [n.pitch for n in phrase.notes] == [48, 60, 61, 62]
    pedal = PhraseDetector(FixedSilence(0.4), max_still=10.0)
    pedal.feed(msg("control_change channel=0 control=64 value=127"), 0.0)
    play(pedal, 60, 0.1, 0.2)
    assert pedal.poll(10.19) is None
    phrase = pedal.poll(10.2)  # the pedal's release was lost
    assert phrase is not None and [n.pitch for n in phrase.notes] == [60]


def test_with_a_trigger_a_key_left_down_waits_for_the_trigger() -> None:
    # the player ends the phrase with the trigger: a chord held while reaching for it stays
    detector = PhraseDetector(FixedSilence(0.4), trigger_cc=67, max_still=10.0)
    detector.feed(msg("note_on channel=0 note=60 velocity=80"), 0.0)
    assert detector.poll(12.0) is None
    phrase = detector.feed(msg("control_change channel=0 control=67 value=127"), 12.5)
    assert phrase is not None and not phrase.still and [n.pitch for n in phrase.notes] == [60]
