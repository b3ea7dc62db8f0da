"""When the player's sustain pedal was down: a live phrase is read as a file is read (notes
released under the pedal last until it lifts), so the model hears a pedalled phrase as
legato, not as the staccato of its key-ups (pure: times are passed in)."""

from __future__ import annotations

import collections

import mido

from musicgen_live.notes import Note, apply_sustain

SUSTAIN = 64
KEPT = 64  # pedal presses remembered, far more than any phrase holds


class PedalTimeline:
    def __init__(self, channel: int | None = None) -> None:
        self.channel = channel  # None: every channel
        self.intervals: collections.deque[tuple[float, float]] = collections.deque(maxlen=KEPT)
        self.down_at: float | None = None

    def feed(self, message: mido.Message, now: float) -> None:
        if message.type != "control_change" or message.control != SUSTAIN:
            return
        if self.channel is not None and message.channel != self.channel:
            return
        if message.value >= 64 and self.down_at is None:
            self.down_at = now
        elif message.value < 64 and self.down_at is not None:
            self.intervals.append((self.down_at, now))
            self.down_at = None

    def sustained(self, notes: list[Note]) -> list[Note]:
        """The notes as the pedal held them (a pedal still down holds nothing yet)."""
        pedal = list(self.intervals)
        if self.down_at is not None:
            pedal.append((self.down_at, float("inf")))
        return apply_sustain(notes, pedal)

    def reset(self) -> None:
        """The pedal's release may never come (panic, another input): forget it is down."""
        self.down_at = None
