"""A MIDI output on JACK through the JACK-Client library, for the test keyboards.

It queues whole messages and writes them in the JACK process callback, in its own client.
(rtmidi's JACK output, which the engine uses, is as reliable when JACK runs with realtime
scheduling: 11,767 of 11,767 messages sent in bursts arrived. Without realtime scheduling
JACK drops the messages of cycles a client finishes late, whichever library sends them.)
"""

from __future__ import annotations

import queue
import time
from typing import Any

import mido

from musicgen_live.errors import UserError

LEAD = 4  # periods between asking for a phrase and its first message


class JackMidiOutput:
    """A mido-like output port: `send`, `close`, `name`, and `closed`."""

    def __init__(self, port_name: str, client_name: str, connect_to: str | None = None) -> None:
        try:
            import jack
        except (ImportError, OSError) as error:
            raise UserError(f"JACK is not available ({error}); install jackd2 / libjack") from error
        try:
            self._client = jack.Client(client_name, no_start_server=True)
        except jack.JackError as error:
            raise UserError(f"no JACK server to connect to ({error})") from error
        self._pending: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._phrases: queue.SimpleQueue[list[tuple[int, bytes]]] = queue.SimpleQueue()
        self._due: list[tuple[int, bytes]] = []  # the process callback's own
        try:
            self._port = self._client.midi_outports.register(port_name)
            self._client.set_process_callback(self._process)
            self._client.activate()
            if connect_to is not None:
                self._client.connect(self._port, connect_to)
        except jack.JackError as error:
            self._client.close()
            raise UserError(f"cannot open JACK output {port_name!r} ({error})") from error
        self.closed = False
        self.name = connect_to if connect_to is not None else self._port.name

    def _process(self, frames: int) -> None:
        self._port.clear_buffer()
        cycle = self._client.last_frame_time
        while not self._phrases.empty():
            # from the first frame of a cycle: each message falls in the same cycle of the
            # phrase every time it is played (the engine's input is stamped per cycle)
            start = cycle + LEAD * frames
            self._due += [(start + at, data) for at, data in self._phrases.get_nowait()]
            self._due.sort(key=lambda item: item[0])  # stable: note-offs stay first
        while self._due and self._due[0][0] < cycle + frames:
            frame, data = self._due.pop(0)
            self._port.write_midi_event(max(0, frame - cycle), data)
        while True:
            try:
                data = self._pending.get_nowait()
            except queue.Empty:
                return
            self._port.write_midi_event(0, data)

    def send(self, message: mido.Message) -> None:
        if self.closed:
            raise OSError(f"port {self.name!r} is closed")
        self._pending.put(bytes(message.bytes()))

    def play_at_frames(self, events: list[tuple[float, mido.Message]]) -> float:
        """Play (seconds, message) events at their own frames, from the start of a cycle a
        few periods on: the phrase reaches its destination cycle by cycle the same way every
        time it is played. Returns about when the last message left, on the monotonic clock."""
        rate, period = self._client.samplerate, self._client.blocksize
        began = time.monotonic()
        self._phrases.put([(round(at * rate), bytes(message.bytes())) for at, message in events])
        last = began + ((LEAD + 1) * period + round(events[-1][0] * rate)) / rate
        time.sleep(max(0.0, last - time.monotonic()) + 2 * period / rate)
        return last

    def connected(self) -> bool:
        """Whether the port still reaches its destination (for a non-virtual output)."""
        return bool(self._port.connections)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._drain()
        self._client.deactivate()
        self._client.close()

    def _drain(self) -> None:
        """Let the process callback write what is queued (the last note-offs), and JACK
        deliver it, before the port goes away."""
        period = self._client.blocksize / self._client.samplerate
        deadline = time.monotonic() + 0.2 + 4 * period
        while not self._pending.empty() and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(2 * period + 0.002)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
