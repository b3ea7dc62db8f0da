"""Output files appear whole or not at all, and a command's outputs all together or none."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def partial_name(path: Path) -> Path:
    """A hidden temporary name beside `path`, with its suffix (writers may go by it)."""
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


@contextlib.contextmanager
def whole_files(*paths: Path) -> Iterator[list[Path]]:
    """Temporary names beside each path, all renamed into place once the block succeeds and
    all removed when it fails, so a failed command leaves none of its outputs behind."""
    partials = [partial_name(path) for path in paths]
    try:
        yield partials
        for partial, path in zip(partials, paths, strict=True):
            partial.replace(path)
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)


@contextlib.contextmanager
def whole_file(path: Path) -> Iterator[Path]:
    """A temporary name beside `path`, renamed to `path` when the block succeeds and
    removed when it fails."""
    with whole_files(path) as (partial,):
        yield partial
