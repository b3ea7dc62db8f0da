"""Messages from the engine thread to the app (`post_message` is thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from musicgen_live.events import EngineEvent


@dataclass
class EngineUpdate(Message):
    """One engine event, handed to the UI thread."""

    event: EngineEvent
