"""Realtime scheduling for the engine's loop, where the system allows it.

The engine's loop sends every answer note at its deadline. At normal priority a busy machine
(a DAW rendering, a browser, the UI drawing) can keep it from the CPU for several
milliseconds when a note is due; JACK's own threads run at realtime priority for the same
reason. The loop's thread asks for SCHED_FIFO at PRIORITY, the lowest realtime priority: ahead
of all ordinary work, below JACK's threads (a server started with `-R` runs at 10 and its
clients at 5 unless told otherwise), so it can never delay JACK. Threads it starts later run at
normal priority (SCHED_RESET_ON_FORK): a model loading in the background never competes with
the notes. Without the right (Linux: `ulimit -r` of at least PRIORITY, as the audio group
usually has; or CAP_SYS_NICE) the loop runs as before, and the user is told.
"""

from __future__ import annotations

import os
import sys

PRIORITY = 1


def run_realtime() -> str:
    """Ask for realtime priority for the calling thread; returns a line saying what it got."""
    setter = getattr(os, "sched_setscheduler", None)
    if setter is None:
        return f"notes are sent at normal priority (no realtime scheduling on {sys.platform})"
    try:
        reset_on_fork = getattr(os, "SCHED_RESET_ON_FORK", 0)  # Linux's; elsewhere threads
        # it starts may inherit its priority
        setter(0, os.SCHED_FIFO | reset_on_fork, os.sched_param(PRIORITY))
    except OSError as error:
        return (
            f"notes are sent at normal priority: realtime priority was refused "
            f"({error.strerror}); a busy machine can delay them (`ulimit -r` {PRIORITY} or "
            "more allows it, as the audio group has on most systems)"
        )
    return f"notes are sent at realtime priority {PRIORITY} (SCHED_FIFO, below JACK's threads)"
