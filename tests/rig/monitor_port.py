"""Records what arrives on a JACK port, from its own process, as JSON lines on stdout
(time.monotonic() of arrival, MIDI bytes), until stdin closes."""

from __future__ import annotations

import gc
import json
import sys
import threading

from jack_rig import JackCapture  # run as a script: its folder is on the path


def main() -> None:
    # The JACK callback takes the GIL every cycle: keep the other thread's turns short and
    # the collector out of the way, or a late cycle loses what arrived in it.
    sys.setswitchinterval(0.0002)
    gc.disable()
    source, name = sys.argv[1], sys.argv[2]
    capture = JackCapture(source if source != "-" else None, name)
    print(json.dumps({"ready": capture.port.name}), flush=True)
    sent = 0

    def forward() -> None:
        nonlocal sent
        while True:
            messages = capture.messages[sent:]
            sent += len(messages)
            for at, message in messages:
                print(json.dumps([at, message.bytes()]), flush=True)
            if stopping.wait(0.005):
                break

    stopping = threading.Event()
    thread = threading.Thread(target=forward, daemon=True)
    thread.start()
    sys.stdin.read()
    stopping.set()
    thread.join()
    capture.close()


if __name__ == "__main__":
    main()
