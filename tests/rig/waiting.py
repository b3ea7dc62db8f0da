"""Polling for a condition, with a deadline: the rig's and the tests' one way to wait."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float, every: float = 0.01) -> bool:
    """Whether `condition()` came true within `timeout` seconds, asked every `every`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
