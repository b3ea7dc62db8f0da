"""What the commands write, checked as argparse parses it: files and folders to write into,
writable, and nothing there replaced without --force; no output is one of the command's
input files or another output, however the paths are spelled."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from musicgen_live import assets


def refusal(
    actions: Sequence[argparse.Action],
    result: argparse.Namespace,
    input_types: Sequence[Callable[[str], Path]],
) -> str | None:
    """Why the parsed outputs may not be written, or None: an output that is an input (of
    one of `input_types`) or another output, even with --force, or one that would replace
    what is there without --force."""
    given = [
        (action, getattr(result, action.dest))
        for action in actions
        if getattr(result, action.dest, None) is not None
    ]
    seen = [(action, path) for action, path in given if action.type in input_types]
    for action, path in given:
        kind = action.type
        if not isinstance(kind, Output):
            continue
        name = _option_name(action)
        for other, other_path in seen:
            if same_file(path, other_path):
                role = "reads" if other.type in input_types else "writes"
                return (
                    f"argument {name}: {str(path)!r} is the file {_option_name(other)}"
                    f" {role}: choose another name (--force does not allow this)"
                )
        held = kind.holds(path)
        if held and not getattr(result, "force", False):
            return f"argument {name}: {str(path)!r} {held}: add --force to replace it"
        seen.append((action, path))
    return None


def _option_name(action: argparse.Action) -> str:
    return "/".join(action.option_strings) or action.dest


class Output:
    """An argparse type for something a command writes; `holds` says what is there that
    writing would replace (refused without --force)."""

    __name__ = "output"

    def __call__(self, text: str) -> Path:
        raise NotImplementedError

    def holds(self, path: Path) -> str | None:
        return "exists" if path.exists() else None


class OutputFile(Output):
    """A file to write, in an existing writable folder, with one of the suffixes (when
    given); checked before any work so nothing is computed in vain."""

    __name__ = "output file"

    def __init__(self, *suffixes: str) -> None:
        self.suffixes = suffixes

    def __call__(self, text: str) -> Path:
        path = Path(text).expanduser()
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} is a folder: must be a file name")
        if self.suffixes and path.suffix.lower() not in self.suffixes:
            raise rejected(text, f"the file name must end in {' or '.join(self.suffixes)}")
        folder = path.parent
        if not folder.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r}: the folder {folder} does not exist")
        _check_writable_folder(folder, text)
        return path


def output_file(*suffixes: str) -> OutputFile:
    """An argparse type: a new file to write (see OutputFile)."""
    return OutputFile(*suffixes)


def same_file(path: Path, other: Path) -> bool:
    """Whether two paths name one file, however spelled (./, .., symlinks, hard links)."""
    try:
        return os.path.samefile(path, other)
    except OSError:  # one of them does not exist (yet)
        return path.resolve() == other.resolve()


def output_folder(text: str) -> Path:
    """An argparse type: a folder to write into; it may not exist yet, but its nearest
    existing parent must be a writable folder."""
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file: must be a folder")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: {existing} is a file, not a folder")
    _check_writable_folder(existing, text)
    return path


def _check_writable_folder(folder: Path, text: str) -> None:
    """Creates and removes a file in the folder: the one test that holds for every user."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".musicgen-live-check-"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise argparse.ArgumentTypeError(
            f"{text!r}: cannot write into the folder {folder} ({reason.lower()})"
        ) from None


MODEL_FILES = ("model.json", "model.tflite")


class NewModelFolder(Output):
    """A folder to write a model into: new, empty, or (with --force) holding a model to
    replace; never one named `default` in the models folder, the bundled model's name."""

    __name__ = "model folder"

    def __call__(self, text: str) -> Path:
        path = output_folder(text)
        if assets.is_reserved(path):
            raise rejected(text, "the name default is the bundled model's; choose another name")
        return path

    def holds(self, path: Path) -> str | None:
        found = [name for name in MODEL_FILES if (path / name).exists()]
        return f"holds a model ({', '.join(found)})" if found else None


new_model_folder = NewModelFolder()


def force_option(parser: argparse.ArgumentParser, replaces: str) -> None:
    parser.add_argument("--force", action="store_true", help=f"replace {replaces}")


def rejected(text: str, allowed: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"{text!r} is not allowed: {allowed}")
