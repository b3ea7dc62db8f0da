"""Plays a MIDI file's first notes into a JACK port from its own process, like a keyboard
would (so the app under test cannot starve it of the GIL). Prints when it finished."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.jack import keyboard, phrase_events, play, wait_port


def main() -> None:
    port, path, limit = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    out = keyboard(f"player-{port}", wait_port("output", port))
    time.sleep(0.1)
    finished = play(out, phrase_events(path, limit))
    time.sleep(0.05)
    out.close()
    print(finished, flush=True)


if __name__ == "__main__":
    main()
