"""Checks of what an output was sent: which notes still sound, and whether a stop ended
every note then reset the pedal and all notes (pure: no ports)."""

from __future__ import annotations

import mido


def sounding_after(messages: list[tuple[float, mido.Message]]) -> set[tuple[int, int]]:
    """(channel, pitch) still on at the end, All Notes Off (CC123) honoured."""
    sounding: set[tuple[int, int]] = set()
    for _, message in messages:
        if message.type == "note_on" and message.velocity > 0:
            sounding.add((message.channel, message.note))
        elif message.type in ("note_on", "note_off"):
            sounding.discard((message.channel, message.note))
        elif message.type == "control_change" and message.control == 123:
            sounding = {key for key in sounding if key[0] != message.channel}
    return sounding


def every_note_closed_then_reset(messages: list[tuple[float, mido.Message]]) -> bool:
    """No note left on by note-offs alone, then CC64=0 and CC123 at the end."""
    notes_only = [(t, m) for t, m in messages if m.type != "control_change"]
    tail = [(m.control, m.value) for _, m in messages[-2:] if m.type == "control_change"]
    return not sounding_after(notes_only) and tail == [(64, 0), (123, 0)]
