"""Errors the user can act on: the CLI prints them as one line and exits non-zero."""


class UserError(Exception):
    """A problem with the user's input or setup, worded for the user."""


class MidiFileError(UserError):
    """A MIDI file that cannot be read or holds no notes."""


class ModelError(UserError):
    """A model folder that is missing, incomplete or broken."""
