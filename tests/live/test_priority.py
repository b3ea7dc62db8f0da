"""The engine's loop thread asks for realtime priority; the threads it starts later, and every
other thread, keep normal priority; where the system refuses, one line says so."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from musicgen_live.live.priority import PRIORITY, run_realtime

GRANTED = f"notes are sent at realtime priority {PRIORITY} (SCHED_FIFO, below JACK's threads)"
REFUSED = (
    "notes are sent at normal priority: realtime priority was refused (Operation not permitted)"
)


def capable(bit: int) -> bool:
    """Whether this process holds a capability (CAP_SYS_NICE 23, CAP_SETPCAP 8)."""
    status = Path("/proc/self/status").read_text()
    effective = next(line for line in status.splitlines() if line.startswith("CapEff:"))
    return bool(int(effective.split()[1], 16) >> bit & 1)


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
    allowed = capable(23) or resource.getrlimit(resource.RLIMIT_RTPRIO)[0] >= PRIORITY
    if allowed:
        assert (seen["loop"], seen["priority"]) == (os.SCHED_FIFO, PRIORITY)
        assert seen["line"] == GRANTED
    else:
        assert seen["loop"] == os.SCHED_OTHER
        assert str(seen["line"]).startswith(REFUSED)
    assert seen["later"] == os.SCHED_OTHER
    assert policy() == os.SCHED_OTHER  # the thread that started the loop's is untouched


ASK = """
import os
from musicgen_live.live.priority import run_realtime
print(run_realtime())
print(os.sched_getscheduler(0) & ~os.SCHED_RESET_ON_FORK)
"""


@pytest.mark.skipif(not capable(8), reason="dropping CAP_SYS_NICE for a child needs CAP_SETPCAP")
def test_a_user_without_the_right_is_told_in_one_line_and_plays_at_normal_priority() -> None:
    # as a user outside the audio group is: no CAP_SYS_NICE, `ulimit -r` 0
    python = f"ulimit -r 0 && exec {sys.executable} -c '{ASK}'"
    drop = ["setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice"]
    result = subprocess.run([*drop, "sh", "-c", python], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    line, got = result.stdout.splitlines()
    assert line.startswith(REFUSED) and f"`ulimit -r` {PRIORITY} or more" in line
    assert int(got) == os.SCHED_OTHER
