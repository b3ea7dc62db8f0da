"""A JACK client that never takes part in the cycles, through libjack itself: it reads how
long a cycle lasts and lists the MIDI ports.

rtmidi delivers a JACK input's messages cycle by cycle, each with the time its cycle's
process callback ran: so two messages are a whole number of cycles apart, give or take
when each callback was woken. Knowing the cycle lets `Arrivals` drop that wake-up jitter.

Listing: an rtmidi client activates itself, so JACK wakes it in every cycle whether or not
it has ports, and a client woken late on a busy machine counts as a late cycle for the
whole server. A client never activated lists the same ports and is never woken.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
from typing import Any

NO_START_SERVER = 0x01  # JackNoStartServer
PORT_IS_INPUT, PORT_IS_OUTPUT = 0x1, 0x2  # JackPortFlags
MIDI_TYPE = b"8 bit raw midi"  # JACK_DEFAULT_MIDI_TYPE


def _library() -> Any:
    """libjack with the signatures used here; None where it is not installed."""
    found = ctypes.util.find_library("jack")
    if found is None:
        return None
    try:
        lib = ctypes.CDLL(found)
    except OSError:
        return None
    lib.jack_client_open.restype = ctypes.c_void_p
    lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
    for name in ("jack_get_buffer_size", "jack_get_sample_rate", "jack_client_close"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
        getattr(lib, name).restype = ctypes.c_uint32
    lib.jack_get_ports.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.jack_get_ports.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.jack_get_ports.argtypes += [ctypes.c_ulong]
    lib.jack_free.argtypes = [ctypes.c_void_p]
    return lib


class InactiveClient:
    """A JACK client of its own, opened once and never activated; without libjack or a
    server it is not `connected`, and `cycle_seconds()` is None."""

    def __init__(self, client_name: str) -> None:
        self._lib: Any = None
        self._client: int | None = None
        lib = _library()
        if lib is None:
            return
        status = ctypes.c_int()
        client = lib.jack_client_open(
            client_name.encode(), NO_START_SERVER, ctypes.addressof(status)
        )
        if client:
            self._lib, self._client = lib, client

    @property
    def connected(self) -> bool:
        return self._client is not None

    def cycle_seconds(self) -> float | None:
        """One cycle, in seconds (read each time: the server's buffer size can change)."""
        if self._client is None:
            return None
        frames = self._lib.jack_get_buffer_size(self._client)
        rate = self._lib.jack_get_sample_rate(self._client)
        return frames / rate if frames and rate else None

    def midi_ports(self, kind: str) -> list[str]:
        """Full names of the MIDI ports to read from ("input": ports that send) or to write
        to ("output": ports that receive), in JACK's order, as rtmidi lists them."""
        if self._client is None:
            return []
        flags = PORT_IS_OUTPUT if kind == "input" else PORT_IS_INPUT
        found = self._lib.jack_get_ports(self._client, None, MIDI_TYPE, flags)
        if not found:
            return []
        names = []
        for index in itertools.count():  # a NULL-terminated array
            if found[index] is None:
                break
            names.append(found[index].decode(errors="replace"))
        self._lib.jack_free(found)
        return names

    def close(self) -> None:
        if self._client is not None:
            self._lib.jack_client_close(self._client)
            self._client = None
