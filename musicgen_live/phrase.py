"""PhraseDetector: decides when the player has finished a phrase (pure; time is passed in).

A phrase ends when every key and the sustain pedal are up and the silence its rule asks for
(`phrase_end.py`: fixed, or following the player) has passed since the last release; at once
on a trigger controller; when it reaches its maximum length; or, without a trigger, when keys
or the pedal have stayed down STILL seconds with nothing else played (their release was most
likely lost: JACK drops the messages of a cycle its clients finish late, and a phrase would
otherwise wait for its maximum length).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mido

from musicgen_live.notes import Note, sort_notes
from musicgen_live.phrase_end import FixedSilence, Rhythm, SilenceRule

SUSTAIN = 64
STILL = 10.0  # seconds something may stay down, with nothing else played, before the phrase ends
TWICE = 0.002  # seconds: a key struck again this soon, never released, is one message that
# came twice (JACK may deliver a cycle's events again after an overrun), not two notes


@dataclass(frozen=True)
class Phrase:
    notes: list[Note]
    ended_at: float  # when the detector decided the phrase was over
    key: tuple[float, int] | None = None  # as `PhraseDetector.pending` gave it, if it did
    still: bool = False  # ended because something stayed down with nothing played (STILL)


@dataclass
class PhraseDetector:
    rule: SilenceRule = FixedSilence()
    min_notes: int = 1
    max_notes: int = 128
    max_seconds: float = 30.0
    max_still: float = STILL
    trigger_cc: int | None = None
    channel: int | None = None  # None: listen on every channel
    expected_by: float | None = None  # when the next onset is expected, if known elsewhere
    rhythm: Rhythm = field(default_factory=Rhythm)
    _held: dict[int, tuple[float, int]] = field(default_factory=dict)
    _notes: list[Note] = field(default_factory=list)
    _pedal_down: bool = False
    _last_event: float | None = None
    _quiet_since: float | None = None  # every key and the pedal up since; None: not known

    @property
    def hearing(self) -> bool:
        """True while a phrase is under way."""
        return bool(self._held or self._notes)

    def feed(self, message: mido.Message, now: float) -> Phrase | None:
        """Take one incoming message; returns the phrase if this message ended one."""
        if not self._listens_to(message):
            return None
        if self.repeated(message, now):
            return None
        if message.type == "note_on" and message.velocity > 0:
            self.rhythm.onset(now, self._silent_since(now))
            if message.note in self._held:
                self._release(message.note, now)
            self._held[message.note] = (now, message.velocity)
        elif message.type in ("note_off", "note_on"):
            if message.note not in self._held:
                return None
            self._release(message.note, now)
        elif message.type == "control_change" and message.control == self.trigger_cc:
            return self.end(now) if message.value >= 64 else None
        elif message.type == "control_change" and message.control == SUSTAIN:
            self._pedal_down = message.value >= 64
            self.rhythm.pedal_seen |= self._pedal_down
        else:
            return None  # clock, active sensing and everything else are not playing
        self._last_event = now
        self._quiet_since = None if self._held or self._pedal_down else now
        if len(self._notes) + len(self._held) >= self.max_notes:
            return self.end(now)
        return None

    def repeated(self, message: mido.Message, now: float) -> bool:
        """Whether `message` is a note-on that came twice (TWICE): one key, one strike. A
        note-on of a channel not listened to is never one (the held keys are another's)."""
        if message.type != "note_on" or not message.velocity or not self._listens_to(message):
            return False
        struck = self._held.get(message.note)
        return struck is not None and now - struck[0] < TWICE and struck[1] == message.velocity

    def _listens_to(self, message: mido.Message) -> bool:
        return self.channel is None or getattr(message, "channel", self.channel) == self.channel

    def deadline(self) -> float | None:
        """When the phrase will end by silence, if nothing else happens; None while playing."""
        if not self._notes or self._held or self._pedal_down or self._last_event is None:
            return None
        return self._last_event + self.threshold()

    def threshold(self) -> float:
        """The silence that ends the phrase after the last release (or that would, were
        everything released at the last event)."""
        release = 0.0 if self._last_event is None else self._last_event
        return self.rule.after(release, self.rhythm, self.expected_by)

    def _silent_since(self, now: float) -> float | None:
        """How long every key and the pedal have been up (across a phrase end); 0 while
        anything is down; None when not known."""
        if self._held or self._pedal_down:
            return 0.0
        return None if self._quiet_since is None else now - self._quiet_since

    def pending(self) -> tuple[tuple[float, int], list[Note]] | None:
        """While the silence runs out: the phrase that will end if nothing else happens, with a
        key that changes whenever anything does (so a prepared answer can be matched to it)."""
        key = self._key()
        if key is None:
            return None
        return key, sort_notes(self._notes)

    def _key(self) -> tuple[float, int] | None:
        deadline = self.deadline()
        return None if deadline is None else (deadline, len(self._notes))

    def poll(self, now: float) -> Phrase | None:
        """The phrase, if it has ended by silence, grown past its maximum duration, or been
        still too long with something down."""
        deadline = self.deadline()
        if deadline is not None and now >= deadline:
            return self.end(now)
        down = self._held or self._pedal_down  # with a trigger, the player ends it anyway
        still = self._last_event is not None and now - self._last_event >= self.max_still
        if down and still and self.trigger_cc is None:
            return self.end(now, still=True)
        first = min(
            [n.start for n in self._notes] + [t for t, _ in self._held.values()], default=None
        )
        if first is not None and now - first >= self.max_seconds:
            return self.end(now)
        return None

    def reset(self) -> None:
        """Forget the phrase under way, keys and pedal included (their release may never come)."""
        if self._held or self._pedal_down:
            self._quiet_since = None  # nobody knows when they go up
        self._held.clear()
        self._notes.clear()
        self._pedal_down = False
        self._last_event = None

    def _release(self, pitch: int, now: float) -> None:
        start, velocity = self._held.pop(pitch)
        self._notes.append(Note(pitch, velocity, start, now))

    def end(self, now: float, still: bool = False) -> Phrase | None:
        """End the phrase now (a trigger, the maximum length, stillness, or the user asking)."""
        key = self._key()
        for pitch in list(self._held):  # keys still down end with the phrase
            self._release(pitch, now)
        notes = sort_notes(self._notes)
        self.reset()
        if len(notes) < self.min_notes:
            return None
        return Phrase(notes, now, key, still)
