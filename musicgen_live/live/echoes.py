"""The engine's own output coming back on its input: a MIDI loop (a DAW's MIDI thru, or the
output routed into the input) would have the engine answer itself without end. What was
sent in the last ECHO_WINDOW seconds is kept; a message that matches one of them arrives as
its echo and is set aside (pure: times are passed in)."""

from __future__ import annotations

import collections

import mido

ECHO_WINDOW = 0.05  # seconds: a round trip through JACK or a DAW takes a few milliseconds

Key = tuple[str, int, int, int]


def key_of(message: mido.Message) -> Key | None:
    """What identifies a message through a loop; a note-on at velocity 0 is a note-off."""
    if message.type in ("note_on", "note_off"):
        velocity = message.velocity if message.type == "note_on" else 0
        kind = "note_on" if velocity else "note_off"
        return kind, message.channel, message.note, velocity
    if message.type == "control_change":
        return "control_change", message.channel, message.control, message.value
    return None


class Echoes:
    def __init__(self, window: float = ECHO_WINDOW) -> None:
        self.window = window
        self.sent: collections.deque[tuple[float, Key]] = collections.deque()
        self.heard = 0  # echoes set aside so far

    def remember(self, message: mido.Message, at: float) -> None:
        """The engine sent `message` at `at`."""
        key = key_of(message)
        if key is not None:
            self.sent.append((at, key))
            self._forget_before(at - self.window)

    def is_echo(self, message: mido.Message, at: float) -> bool:
        """Whether `message`, arriving at `at`, is one the engine sent moments before; each
        sent message accounts for one echo at most."""
        self._forget_before(at - self.window)
        key = key_of(message)
        for index, (sent_at, sent) in enumerate(self.sent):
            if sent == key and sent_at <= at:
                del self.sent[index]
                self.heard += 1
                return True
        return False

    def _forget_before(self, time: float) -> None:
        while self.sent and self.sent[0][0] < time:
            self.sent.popleft()
