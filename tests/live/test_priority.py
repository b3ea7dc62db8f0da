"""The engine's loop thread asks for realtime priority; the threads it starts later, and every
other thread, keep normal priority."""

from __future__ import annotations

import os
import resource
import threading

from musicgen_live.live.priority import PRIORITY, run_realtime


def policy() -> int:
    return os.sched_getscheduler(0) & ~os.SCHED_RESET_ON_FORK


def test_the_loop_thread_runs_realtime_and_threads_it_starts_later_do_not() -> None:
    seen: dict[str, object] = {}

    def loop_thread() -> None:
        seen["line"] = run_realtime()
        seen["loop"], seen["priority"] = policy(), os.sched_getparam(0).sched_priority
        later = threading.Thread(target=lambda: seen.update(later=policy()))  # a model loading
        later.start()
        later.join()

    thread = threading.Thread(target=loop_thread)
    thread.start()
    thread.join()
    allowed = os.geteuid() == 0 or resource.getrlimit(resource.RLIMIT_RTPRIO)[0] >= PRIORITY
    if allowed:
        assert (seen["loop"], seen["priority"]) == (os.SCHED_FIFO, PRIORITY)
        assert (
            seen["line"]
            == f"notes are sent at realtime priority {PRIORITY} (SCHED_FIFO, below JACK's threads)"
        )
    else:
        assert seen["loop"] == os.SCHED_OTHER
        assert str(seen["line"]).startswith(
            "notes are sent at normal priority: realtime priority was refused"
        )
    assert seen["later"] == os.SCHED_OTHER
    assert policy() == os.SCHED_OTHER  # the thread that started the loop's is untouched
