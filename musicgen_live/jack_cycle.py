"""How long a JACK cycle lasts on the server the inputs are on, through libjack itself.

rtmidi delivers a JACK input's messages cycle by cycle, each with the time its cycle's
process callback ran: so two messages are a whole number of cycles apart, give or take
when each callback was woken. Knowing the cycle lets `Arrivals` drop that wake-up jitter.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

NO_START_SERVER = 0x01  # JackNoStartServer


class JackCycle:
    """A JACK client of its own, opened once and never activated (it takes no part in the
    cycles), to read the cycle's length; `seconds()` is None without libjack or a server."""

    def __init__(self, client_name: str) -> None:
        self._lib: Any = None
        self._client: int | None = None
        found = ctypes.util.find_library("jack")
        if found is None:
            return
        try:
            lib = ctypes.CDLL(found)
        except OSError:
            return
        lib.jack_client_open.restype = ctypes.c_void_p
        lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
        for name in ("jack_get_buffer_size", "jack_get_sample_rate", "jack_client_close"):
            getattr(lib, name).argtypes = [ctypes.c_void_p]
            getattr(lib, name).restype = ctypes.c_uint32
        status = ctypes.c_int()
        client = lib.jack_client_open(
            client_name.encode(), NO_START_SERVER, ctypes.addressof(status)
        )
        if client:
            self._lib, self._client = lib, client

    def seconds(self) -> float | None:
        """One cycle, in seconds (read each time: the server's buffer size can change)."""
        if self._client is None:
            return None
        frames = self._lib.jack_get_buffer_size(self._client)
        rate = self._lib.jack_get_sample_rate(self._client)
        return frames / rate if frames and rate else None

    def close(self) -> None:
        if self._client is not None:
            self._lib.jack_client_close(self._client)
            self._client = None
