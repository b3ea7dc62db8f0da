"""Listing and opening MIDI ports through mido's rtmidi backend (ALSA, JACK, CoreMIDI)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import mido

from musicgen_live.arrivals import Arrivals
from musicgen_live.errors import UserError
from musicgen_live.jack_client import InactiveClient
from musicgen_live.quiet_stderr import quiet_stderr

API_NAMES = {"alsa": "LINUX_ALSA", "jack": "UNIX_JACK", "coremidi": "MACOSX_CORE"}


def backend(api: str | None = None) -> Any:
    """The mido backend for alsa, jack or coremidi; else $MIDO_BACKEND or the platform's."""
    if api is None and "MIDO_BACKEND" not in os.environ:
        api = "coremidi" if sys.platform == "darwin" else None
    if api is None:
        return mido.Backend(os.environ.get("MIDO_BACKEND", "mido.backends.rtmidi"), load=True)
    if api not in API_NAMES:
        raise UserError(f"unknown MIDI backend {api!r}; choose from {', '.join(API_NAMES)}")
    return mido.Backend(f"mido.backends.rtmidi/{API_NAMES[api]}", load=True)


class MidiUnavailable(UserError):
    """No MIDI system answers: no ALSA sequencer, no JACK server. The text says what to do."""


def midi_system_hint(api: str | None = None, platform: str = sys.platform) -> str:
    """What to do on this platform when no MIDI system answers."""
    demo = "`musicgen-live --demo` plays without one"
    if platform == "darwin":
        return (
            "CoreMIDI is part of macOS and needs nothing started; for --backend jack, "
            f"start JACK first (brew install jack; jackd -d coreaudio). {demo}."
        )
    if platform.startswith("linux"):
        alsa = "load the ALSA sequencer: `sudo modprobe snd-seq` (a container needs /dev/snd)"
        jack = (
            "start JACK: `jackd -d alsa` (with a sound card) or `jackd -d dummy` (without), "
            "then pass --backend jack"
        )
        first, second = (jack, alsa) if api == "jack" else (alsa, jack)
        return f"{first}; or {second}. {demo}."
    return f"install a MIDI driver that rtmidi supports for this system. {demo}."


def unavailable(midi: Any, error: Exception) -> MidiUnavailable:
    api = next((name for name, full in API_NAMES.items() if full == midi.api), None)
    detail = str(error).strip().rstrip(".") or type(error).__name__
    return MidiUnavailable(
        f"no MIDI system is reachable ({detail}). To fix: {midi_system_hint(api)}"
    )


def port_names(midi: Any, kind: str) -> list[str]:
    """Port names of a kind ("input" or "output"), without duplicates; MidiUnavailable when
    the MIDI system does not answer (its library's complaints on stderr are hidden)."""
    lister = midi.get_input_names if kind == "input" else midi.get_output_names
    try:
        with quiet_stderr():
            return list(dict.fromkeys(lister()))
    except Exception as error:  # rtmidi raises SystemError when the API has no server
        raise unavailable(midi, error) from error


def describe_ports(api: str | None = None) -> str:
    """Human-readable lists of inputs and outputs and the backend in use."""
    midi = backend(api)
    inputs, outputs = port_names(midi, "input"), port_names(midi, "output")
    lines = [f"backend: {midi.name} ({midi.api or 'platform default'})", "inputs:"]
    lines += [f"  {name}" for name in inputs] or ["  (none)"]
    lines += ["outputs:"] + ([f"  {name}" for name in outputs] or ["  (none)"])
    return "\n".join(lines)


def match_port(wanted: str, available: list[str], kind: str) -> str | None:
    """The port named exactly or by a unique substring; None when nothing matches.

    An ambiguous name is an error that lists the candidates.
    """
    if wanted in available:
        return wanted
    candidates = [name for name in available if wanted.lower() in name.lower()]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise UserError(f"{kind} port {wanted!r} is ambiguous; candidates: {', '.join(candidates)}")
    return None


CLIENT_NAME = "musicgen-live"


def is_own_port(name: str, own: list[str]) -> bool:
    """Whether a listed port is one of `own`, the virtual ports this process opened (listed as
    "musicgen-live:NAME" on JACK, "musicgen-live:NAME 128:0" on ALSA)."""
    client, _, port = name.partition(":")
    return client.startswith(CLIENT_NAME) and any(port.startswith(mine) for mine in own)


POLL_INTERVAL = 0.001  # seconds between looks at a polled input's queue while played
IDLE_POLL_INTERVAL = 0.004  # and once nothing has come for IDLE_AFTER seconds
IDLE_AFTER = 2.0


class PolledInput:
    """A JACK MIDI input that never runs Python on JACK's realtime thread.

    mido's rtmidi input hands every message to a Python callback, which on JACK runs inside
    JACK's process cycle and must first take the GIL: while any other Python thread holds it
    the cycle overruns, and the messages of that cycle are lost (a lost note-off is a phrase
    that never ends). Here rtmidi keeps incoming messages in its own queue and a Python thread
    collects them every POLL_INTERVAL; `callback` is called from that thread, like mido's.

    Each message's `time` is when it arrived, on the monotonic clock, from the times JACK
    gave it (`Arrivals`): a message collected late, while another thread held the
    interpreter, keeps the time it came (a MIDI clock's ticks stay evenly spaced), and the
    intervals within a phrase are JACK's own.
    """

    def __init__(self, port_name: str, virtual: bool) -> None:
        import rtmidi

        self.name = port_name
        self.callback: Callable[[mido.Message], None] | None = None
        self.closed = False
        self._rt = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, CLIENT_NAME, queue_size_limit=4096)
        try:
            if virtual:
                self._rt.open_virtual_port(port_name)
            else:
                self._rt.open_port(self._rt.get_ports().index(port_name), "in")
        except ValueError:
            self._rt.delete()
            raise OSError(f"unknown port {port_name!r}") from None
        except rtmidi.RtMidiError as error:
            self._rt.delete()
            raise OSError(str(error)) from error
        self._rt.ignore_types(sysex=False, timing=False, active_sense=True)  # as mido does
        self._stopping = False
        self._cycle = InactiveClient(f"{CLIENT_NAME}-cycle")
        self._arrivals = Arrivals(self._cycle.cycle_seconds)
        self._thread = threading.Thread(target=self._collect, name="midi-in", daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        quiet_since = time.monotonic()
        while not self._stopping:
            received = self._rt.get_message()
            if received is None:
                # after a while without input, look less often (the first note of a phrase
                # is then stamped up to IDLE_POLL_INTERVAL late; every later one on time)
                idle = time.monotonic() - quiet_since > IDLE_AFTER
                time.sleep(IDLE_POLL_INTERVAL if idle else POLL_INTERVAL)
                continue
            quiet_since = time.monotonic()
            try:
                message = mido.Message.from_bytes(received[0])
            except ValueError:
                continue  # not a whole MIDI message
            tick = message.type == "clock"
            message.time = self._arrivals.stamp(received[1], quiet_since, tick)
            callback = self.callback
            if callback is not None:
                callback(message)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._stopping = True
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=1)
        self._rt.close_port()
        self._rt.delete()
        self._cycle.close()


class MidiPorts:
    """Opens inputs and outputs by exact name or unique substring; a name that matches
    nothing becomes a virtual port of that name (for routing into a DAW)."""

    def __init__(self, api: str | None = None) -> None:
        self.midi = backend(api)
        self._listers: dict[str, Any] = {}  # one MIDI client per kind, kept for listing
        self._jack: InactiveClient | None = None  # on JACK, one for both kinds

    def names(self, kind: str) -> list[str]:
        """Port names of a kind ("input" or "output"), without duplicates. Listing through a
        client kept open takes microseconds; mido's own listing opens and closes a client
        each time (58 ms on JACK, holding the GIL), which would stall the engine's loop. On
        JACK the client is never activated (`InactiveClient`): JACK never wakes it."""
        if not self.midi.name.startswith("mido.backends.rtmidi"):
            return port_names(self.midi, kind)
        if self.midi.api == API_NAMES["jack"]:
            return list(dict.fromkeys(self._jack_lister().midi_ports(kind)))
        lister = self._listers.get(kind) or self._lister(kind)
        try:
            return list(dict.fromkeys(lister.get_ports()))
        except Exception as error:  # the MIDI system went away
            raise unavailable(self.midi, error) from error

    def _jack_lister(self) -> InactiveClient:
        if self._jack is None:
            lister = InactiveClient(f"{CLIENT_NAME} list")
            if not lister.connected:
                raise unavailable(self.midi, OSError("no JACK server answers"))
            self._jack = lister
        return self._jack

    def _lister(self, kind: str) -> Any:
        import rtmidi

        api = getattr(rtmidi, f"API_{self.midi.api}") if self.midi.api else rtmidi.API_UNSPECIFIED
        client = rtmidi.MidiIn if kind == "input" else rtmidi.MidiOut
        try:
            with quiet_stderr():
                lister = client(api, f"{CLIENT_NAME} list")
                lister.get_ports()  # connects now, not on the first listing that matters
        except Exception as error:  # rtmidi raises SystemError when the API has no server
            raise unavailable(self.midi, error) from error
        self._listers[kind] = lister
        return lister

    def close(self) -> None:
        """Close the listing clients."""
        for lister in self._listers.values():
            lister.delete()
        self._listers.clear()
        if self._jack is not None:
            self._jack.close()
            self._jack = None

    def open(self, kind: str, wanted: str) -> tuple[Any, bool]:
        """(port, virtual) for an "input" or "output" port."""
        available = self.names(kind)
        name = match_port(wanted, available, kind)
        opener = self.midi.open_input if kind == "input" else self.midi.open_output
        try:
            if kind == "input" and self.midi.api == API_NAMES["jack"]:
                return PolledInput(name or wanted, virtual=name is None), name is None
            if name is None:
                return opener(wanted, virtual=True, client_name=CLIENT_NAME), True
            return opener(name), False  # (mido makes any port with a client name virtual)
        except (OSError, SystemError) as error:
            listed = ", ".join(available) or "none"
            raise UserError(
                f"cannot open {kind} {wanted!r} ({error}); {kind}s: {listed}"
            ) from error
