"""musicgen-live: a neural model that answers a played MIDI phrase, live."""

__version__ = "0.1.0"
