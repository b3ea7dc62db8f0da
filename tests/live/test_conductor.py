"""Every call-and-response decision of the conductor, with explicit times: no sleeping."""

from __future__ import annotations

from pathlib import Path

import mido
import numpy as np
import pytest

from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.live.actions import Decode, Outcome, Play, Silence, StopDecoding
from musicgen_live.live.answer import CLEARANCE, LOOKAHEAD, MAX_AHEAD, Opening
from musicgen_live.live.conductor import STILL_NOTICE, Conductor
from musicgen_live.live.events import (
    AnswerEnded,
    AnswerStarted,
    Notice,
    PhraseEndRule,
    PhraseHeard,
    State,
    StateChanged,
)
from musicgen_live.live.performance import Performance
from musicgen_live.midi_files import notes_from_midi
from musicgen_live.notes import DURATION, Note, notes_to_features
from musicgen_live.phrase import STILL
from musicgen_live.phrase_end import FixedSilence


def on(pitch: int, velocity: int = 80) -> mido.Message:
    return mido.Message("note_on", note=pitch, velocity=velocity)


def off(pitch: int) -> mido.Message:
    return mido.Message("note_off", note=pitch)


def row(
    pitch: int = 60, step: float = 0.1, duration: float = 0.2, velocity: int = 70
) -> np.ndarray:
    return np.array([pitch, step, duration, velocity], dtype=np.float32)


def phrase(conductor: Conductor, start: float = 0.0, pitches: tuple[int, ...] = (60, 64)) -> float:
    """Play short notes from `start`; returns when the last key went up."""
    time = start
    for pitch in pitches:
        conductor.feed(on(pitch), time)
        conductor.feed(off(pitch), time + 0.1)
        time += 0.2
    return time - 0.1


def kinds(outcome: Outcome) -> list[type]:
    return [type(action) for action in outcome.actions]


def plays(outcome: Outcome) -> list[Note]:
    """The notes an outcome plays."""
    return [action.note for action in outcome.actions if isinstance(action, Play)]


def answering(performance: Performance | None = None, rows: int = 0) -> tuple[Conductor, float]:
    """A conductor whose phrase has just ended (at the returned time), `rows` decoded."""
    conductor = Conductor(performance or Performance(silence_ms=400))
    last_up = phrase(conductor)
    end = last_up + 0.4
    conductor.tick(end)
    assert conductor.state is State.ANSWERING
    for _ in range(rows):
        conductor.decoded(row(), end)
    if rows and rows == conductor.performance.target_notes:  # the model closes the answer
        conductor.decoding_ended(end)
    return conductor, end


def test_the_opening_is_decoded_while_the_silence_runs_out() -> None:
    conductor = Conductor(Performance(silence_ms=400))
    conductor.feed(on(60), 0.0)
    assert conductor.next_decode(0.05, None, 0) is None  # a key is down: nothing to prepare
    out = conductor.feed(off(60), 0.1)
    assert kinds(out) == [Decode]
    decode = out.actions[0]
    assert isinstance(decode, Decode) and decode.seed[-1][0] == 60
    assert conductor.wake_at() == pytest.approx(0.5)
    assert conductor.next_decode(0.11, None, 0) == 0.11  # decode now, before the phrase ends
    for _ in range(3):
        conductor.decoded(row(step=0.1), 0.12)
    assert conductor.opening is not None and len(conductor.opening.rows) == 3
    out = conductor.tick(0.5)  # the phrase ends: the opening leaves at once
    first = plays(out)
    assert [p.start for p in first] == pytest.approx([0.5, 0.6, 0.7])
    assert isinstance(out.events[0], PhraseHeard) and out.events[0].notes == 1
    assert StopDecoding not in kinds(out) and Decode not in kinds(out)  # the stream goes on


def test_the_opening_stops_at_the_lookahead_or_max_ahead() -> None:
    conductor = Conductor(Performance())
    phrase(conductor, pitches=(60,))
    for _ in range(int(LOOKAHEAD / 0.1) + 2):
        conductor.decoded(row(step=0.1), 0.15)
    assert conductor.next_decode(0.2, None, 0) is None  # far enough ahead
    chords = Conductor(Performance())
    phrase(chords, pitches=(60,))
    for _ in range(MAX_AHEAD):
        chords.decoded(row(step=0.0), 0.15)
    assert chords.next_decode(0.2, None, 0) is None  # a chord of MAX_AHEAD notes is enough


def test_anything_the_player_does_starts_the_opening_over() -> None:
    conductor = Conductor(Performance(silence_ms=400))
    phrase(conductor, pitches=(60,))
    conductor.decoded(row(), 0.12)
    key = conductor.opening.key if conductor.opening else None
    out = conductor.feed(on(62), 0.3)
    assert kinds(out) == [StopDecoding] and conductor.opening is None
    out = conductor.feed(off(62), 0.4)
    assert kinds(out) == [Decode]
    assert conductor.opening is not None and conductor.opening.key != key
    assert conductor.opening.rows == []


def test_a_stale_opening_is_never_played() -> None:
    conductor = Conductor(Performance(silence_ms=400))
    last_up = phrase(conductor, pitches=(60,))
    # an opening decoded for another phrase (one with a note more) is still there
    conductor.opening = Opening(key=(last_up - 0.1, 2), rows=[row(pitch=90)])
    out = conductor.tick(last_up + 0.4)
    assert conductor.state is State.ANSWERING
    assert plays(out) == []
    assert kinds(out) == [StopDecoding, Decode]  # the stale one stops; the phrase is decoded
    assert isinstance(out.actions[1], Decode) and out.actions[1].seed[-1][0] == 60


def test_a_key_held_after_the_opening_drops_it() -> None:
    conductor = Conductor(Performance(silence_ms=400))
    phrase(conductor, pitches=(60,))
    conductor.decoded(row(pitch=90), 0.12)
    conductor.feed(on(62), 0.2)  # a key held, then the user asks for the answer
    out = conductor.answer_now(0.3)
    assert plays(out) == []
    assert kinds(out) == [Decode]  # from the whole phrase, with the held key
    assert isinstance(out.actions[0], Decode) and out.actions[0].seed[-1][0] == 62


def test_answer_length_in_notes() -> None:
    conductor, end = answering(Performance(length="3"))
    assert conductor.next_decode(end, None, 0) == end  # the first note is urgent
    outs = [conductor.decoded(row(step=0.1), end) for _ in range(3)]
    assert [len(plays(o)) for o in outs] == [1, 1, 1]
    assert conductor.next_decode(end, None, 0) is not None  # the model closes the answer
    conductor.decoding_ended(end)  # here, on its third note
    assert conductor.next_decode(end, None, 0) is None
    done = conductor.wake_at()
    assert done == pytest.approx(end + 0.2 + 0.2 + 0.005)  # the last note-off, and a little
    assert conductor.tick(done - 0.001).events == []
    out = conductor.tick(done)
    assert out.events == [AnswerEnded(done, 3, False, 0), StateChanged(done, State.LISTENING)]


def test_an_answer_that_finds_no_close_stops_ending_reach_notes_past_its_length() -> None:
    conductor, end = answering(Performance(length="3"))
    outs = [conductor.decoded(row(step=0.1), end) for _ in range(3 + ENDING_REACH + 2)]
    assert sum(len(plays(o)) for o in outs) == 3 + ENDING_REACH
    assert StopDecoding in kinds(outs[3 + ENDING_REACH - 1])


def test_answer_length_in_seconds() -> None:
    conductor, end = answering(Performance(length="1s"))
    starts = []
    for _ in range(20):
        starts += [p.start - end for p in plays(conductor.decoded(row(step=0.3), end))]
    assert starts == pytest.approx([0.0, 0.3, 0.6, 0.9])  # the next would start after 1 s
    assert conductor.answer is not None and conductor.answer.done_at is not None


def test_continuous_mode_answers_until_the_player_plays() -> None:
    conductor, end = answering(Performance(length="2", mode="continuous"))
    for _ in range(50):
        conductor.decoded(row(step=0.01), end)
    assert conductor.answer is not None and conductor.answer.notes == 50
    assert conductor.wake_at() is None  # no end in sight
    out = conductor.feed(on(72), end + 1.0)
    assert kinds(out)[:2] == [StopDecoding, Silence]
    assert AnswerEnded(end + 1.0, 50, True, 0) in out.events
    assert conductor.state is State.HEARING


def test_playing_again_interrupts_at_once() -> None:
    conductor, end = answering(rows=4)
    out = conductor.feed(on(50), end + 0.15)
    assert kinds(out)[:2] == [StopDecoding, Silence]
    ended = [e for e in out.events if isinstance(e, AnswerEnded)]
    assert ended == [AnswerEnded(end + 0.15, 4, True, 0)]
    assert conductor.answer is None and conductor.state is State.HEARING
    assert conductor.next_decode(end + 0.2, None, 0) is None  # no answer, key down


def test_chords_are_due_at_one_instant() -> None:
    conductor, end = answering()
    starts = [
        p.start
        for step in (0.0, 0.0, 0.0, 0.5)
        for p in plays(conductor.decoded(row(step=step), end))
    ]
    assert starts == pytest.approx([end, end, end, end + 0.5])


def test_later_notes_are_decoded_ahead_and_never_close_to_a_due_note() -> None:
    conductor, end = answering(rows=1)
    conductor.decoded(row(step=1.0), end)  # the second note starts a second later
    onset = end + 1.0
    assert conductor.next_decode(end + 0.01, None, 2) == pytest.approx(onset - LOOKAHEAD)
    now = onset - 0.2
    assert conductor.next_decode(now, now + 0.1, 2) == now  # nothing due soon: now
    due = now + CLEARANCE / 2
    assert conductor.next_decode(now, due, 2) == pytest.approx(due + 0.0005)  # after it
    late = onset - CLEARANCE / 2
    assert conductor.next_decode(late, late + 0.001, 2) == late  # running out: now anyway
    assert conductor.next_decode(now, due, 2 * MAX_AHEAD + 1) == pytest.approx(due)  # full


def test_the_first_note_sent_reports_the_latency_once() -> None:
    conductor, end = answering(rows=2)
    assert conductor.note_sent(end + 0.003).events == [
        AnswerStarted(end + 0.003, pytest.approx(3.0))
    ]
    assert conductor.note_sent(end + 0.1).events == []


def test_panic_silences_and_forgets_the_phrase() -> None:
    conductor = Conductor(Performance())
    conductor.feed(on(60), 0.0)
    out = conductor.panic(0.1)
    assert Silence in kinds(out)
    assert conductor.state is State.LISTENING and not conductor.detector.hearing
    answered, end = answering(rows=2)
    out = answered.panic(end + 0.1)
    assert kinds(out)[:2] == [StopDecoding, Silence]
    assert answered.answer is None and answered.state is State.LISTENING


def test_a_failed_decode_is_reported_and_the_conductor_listens_again() -> None:
    conductor, end = answering(rows=1)
    out = conductor.decode_failed("window 8 expected", end + 0.01)
    notices = [e for e in out.events if isinstance(e, Notice)]
    assert notices and notices[0].level == "error" and "window 8" in notices[0].text
    assert Silence in kinds(out) and conductor.state is State.LISTENING
    opening = Conductor(Performance())
    phrase(opening, pitches=(60,))
    out = opening.decode_failed("broken", 0.15)  # the opening only: the answer will retry
    assert kinds(out) == [StopDecoding] and out.events == []


def test_reconfigure_applies_to_the_next_answer_and_drops_the_opening() -> None:
    conductor = Conductor(Performance(silence_ms=400))
    phrase(conductor, pitches=(60,))
    fixed = Performance(silence_ms=200, temperature=1.5, phrase_end="fixed")
    out = conductor.reconfigure(fixed, 0.2)
    assert kinds(out) == [StopDecoding] and conductor.detector.rule == FixedSilence(0.2)
    assert out.events == [PhraseEndRule(0.2, "fixed", 200.0)]
    out = conductor.feed(on(61), 0.5)
    out = conductor.feed(off(61), 0.6)
    decode = out.actions[0]
    assert isinstance(decode, Decode) and decode.performance.temperature == 1.5


def test_a_phrase_too_short_goes_back_to_listening() -> None:
    conductor = Conductor(Performance())
    conductor.detector.min_notes = 2
    phrase(conductor, pitches=(60,))
    assert conductor.state is State.HEARING
    out = conductor.tick(0.6)
    assert StateChanged(0.6, State.LISTENING) in out.events and StopDecoding in kinds(out)
    assert conductor.wake_at() is None


def test_a_key_whose_release_never_comes_is_answered_after_the_stillness_with_a_warning() -> None:
    conductor = Conductor(Performance(silence_ms=400))
    phrase(conductor)
    conductor.feed(on(67), 1.0)  # its note-off is lost on the way in
    time = 1.0
    while conductor.state is State.HEARING and time < 30.0:
        time = conductor.wake_at() or time + 1.0
        out = conductor.tick(time)
    assert conductor.state is State.ANSWERING and time == pytest.approx(1.0 + STILL, abs=0.11)
    notices = [e for e in out.events if isinstance(e, Notice)]
    assert notices == [Notice(time, "warning", STILL_NOTICE.format(STILL))]


def test_a_pedal_up_lost_with_a_phrase_ended_by_stillness_does_not_hold_the_next_one() -> None:
    conductor = Conductor(Performance(silence_ms=400))
    sustain = mido.Message("control_change", control=64, value=127)
    conductor.feed(sustain, 0.0)  # its release is lost on the way in
    phrase(conductor, start=0.1)
    time = 0.1
    while conductor.state is State.HEARING and time < 30.0:
        time = conductor.wake_at() or time + 1.0
        conductor.tick(time)
    assert conductor.state is State.ANSWERING
    conductor.feed(sustain, time + 1.0)  # the next phrase's pedal is heard from its own press
    assert conductor.pedal.down_at == time + 1.0


def test_clock_and_sensing_change_nothing() -> None:
    conductor = Conductor(Performance())
    assert conductor.feed(mido.Message("clock"), 0.0) == Outcome()
    assert conductor.feed(mido.Message("active_sensing"), 0.0) == Outcome()


@pytest.mark.parametrize(("gap", "step"), [(2.0, 1.9), (10.0, 4.0)])
def test_the_phrase_after_an_answer_starts_after_its_real_gap(gap: float, step: float) -> None:
    conductor, end = answering(Performance(silence_ms=400, length="2"), rows=2)
    assert len(conductor.history) == 4  # two phrase notes, two answer notes (the last at +0.1)
    conductor.tick(end + 1.0)
    assert conductor.state is State.LISTENING
    conductor.feed(on(70), end + gap)
    out = conductor.feed(off(70), end + gap + 0.1)
    decode = out.actions[-1]
    assert isinstance(decode, Decode)  # the opening's seed
    assert decode.seed[4][0] == 70 and decode.seed[4][1] == pytest.approx(step)
    conductor.tick(end + gap + 0.5)  # the phrase ends: the same row joins the history
    assert conductor.history[4][1] == pytest.approx(step)
    assert conductor.history[0][1] == 0.0  # the very first note has no note before it


def test_a_live_phrase_is_read_as_generate_reads_the_same_file(tmp_path: Path) -> None:
    """A pedalled phrase: the rows the conductor hears equal the rows of the file it came
    from, as generate and training read it (sustain pedal applied to durations)."""
    played = [(60, 0.0, 0.25), (64, 0.25, 0.5), (67, 0.5, 0.625), (72, 1.0, 1.125)]
    pedal = [(0.125, 127), (0.875, 0), (1.0625, 127), (1.5, 0)]
    messages = [(start, on(pitch)) for pitch, start, _ in played]
    messages += [(end, off(pitch)) for pitch, _, end in played]
    messages += [(t, mido.Message("control_change", control=64, value=v)) for t, v in pedal]
    messages.sort(key=lambda item: item[0])
    midi = mido.MidiFile(ticks_per_beat=480)  # 120 bpm: every time above is a whole tick
    track = mido.MidiTrack()
    midi.tracks.append(track)
    previous = 0
    for at, message in messages:
        tick = round(at * 960)
        track.append(message.copy(time=tick - previous))
        previous = tick
    midi.save(tmp_path / "phrase.mid")
    expected = notes_to_features(notes_from_midi(tmp_path / "phrase.mid"))

    conductor = Conductor(Performance(silence_ms=400))
    for at, message in messages:
        conductor.feed(message, 10.0 + at)
    conductor.tick(10.0 + 1.5 + 0.4)  # keys and pedal up, the silence run out
    assert conductor.state is State.ANSWERING
    heard = np.array(conductor.history)
    np.testing.assert_allclose(heard, expected, atol=1e-3)
    assert heard[0][DURATION] == pytest.approx(0.875)  # held by the pedal, not 0.25


def test_the_openings_window_read_waits_for_a_message_due_before_it_would_end() -> None:
    opening = Opening(key=(1.0, 4))
    assert opening.next_decode(2.0, None) == 2.0
    assert opening.next_decode(2.0, 2.030) == 2.0  # a read fits before the tick
    assert opening.next_decode(2.0, 2.005) == pytest.approx(2.0055)  # it would delay it
    assert opening.next_decode(2.0056, 2.0264) == 2.0056  # right after the tick: room
    fast = Opening(key=(1.0, 4))  # ticks 8 ms apart: no room ever; it waits once
    assert fast.next_decode(3.0, 3.004) == pytest.approx(3.0045)
    assert fast.next_decode(3.0046, 3.012) == 3.0046
    fast.rows.append(np.zeros(4, dtype=np.float32))  # a later note: one step, 2 ms
    assert fast.next_decode(3.010, 3.0125) == 3.010
    assert fast.next_decode(3.011, 3.0125) == pytest.approx(3.013)
    assert fast.next_decode(3.014, 3.0125) == pytest.approx(3.0145)  # overdue: it goes first
