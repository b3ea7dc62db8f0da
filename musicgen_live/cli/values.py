"""Command-line values: checks run as argparse parses them, so a bad value stops the command
with one line naming the option, the value and what is allowed, before any work; and the
option groups several commands share."""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from musicgen_live import assets
from musicgen_live.errors import UserError


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, and which records the options typed.

    `given_options` on the result holds the destinations of the options on the command line,
    so a handler can tell a value the user asked for from a default.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        argv = list(sys.argv[1:] if args is None else args)
        result, extras = super().parse_known_args(argv, namespace)
        # a subcommand's parser runs first, inside this one; keep what it found
        result.given_options = getattr(result, "given_options", set()) | self._typed(argv)
        self._check_outputs(result)
        return result, extras

    def _check_outputs(self, result: argparse.Namespace) -> None:
        """No output may be an input of the command or another output, even with --force,
        nor replace what is there without --force: checked once every option is known."""
        given = [
            (action, getattr(result, action.dest))
            for action in self._actions
            if getattr(result, action.dest, None) is not None
        ]
        seen = [(action, path) for action, path in given if action.type in INPUT_TYPES]
        for action, path in given:
            kind = action.type
            if not isinstance(kind, Output):
                continue
            name = _option_name(action)
            for other, other_path in seen:
                if same_file(path, other_path):
                    role = "reads" if other.type in INPUT_TYPES else "writes"
                    self.error(
                        f"argument {name}: {str(path)!r} is the file {_option_name(other)}"
                        f" {role}: choose another name (--force does not allow this)"
                    )
            held = kind.holds(path)
            if held and not getattr(result, "force", False):
                self.error(f"argument {name}: {str(path)!r} {held}: add --force to replace it")
            seen.append((action, path))

    def _typed(self, argv: list[str]) -> set[str]:
        """Destinations of this parser's options among argv (unique prefixes count)."""
        typed = set()
        for arg in argv:
            if arg == "--":
                break
            name = arg.split("=", 1)[0]
            if not name.startswith("-"):
                continue
            abbreviation = self.allow_abbrev and name.startswith("--")
            matches = [
                action
                for option, action in self._option_string_actions.items()
                if option == name or (abbreviation and option.startswith(name))
            ]
            exact = self._option_string_actions.get(name)
            if exact is not None or len({id(action) for action in matches}) == 1:
                typed.add((exact or matches[0]).dest)
        return typed


def _option_name(action: argparse.Action) -> str:
    return "/".join(action.option_strings) or action.dest


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every option's default, except where there is none or the help says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        if "default" in help_text or any(
            action.default is nothing for nothing in (None, False, argparse.SUPPRESS)
        ):
            return help_text
        return super()._get_help_string(action)


def _rejected(text: str, allowed: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"{text!r} is not allowed: {allowed}")


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer within [minimum, maximum]."""
    allowed = (
        f"must be a whole number from {minimum} to {maximum}"
        if maximum is not None
        else f"must be a whole number of {minimum} or more"
    )

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise _rejected(text, allowed) from None
        if value < minimum or (maximum is not None and value > maximum):
            raise _rejected(text, allowed)
        return value

    parse.__name__ = "whole number"
    return parse


def number(
    minimum: float, maximum: float | None = None, *, above: bool = False, below: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number within the bounds (open ends with above/below)."""
    low = f"{'above' if above else 'at least'} {minimum:g}"
    high = "" if maximum is None else f" and {'below' if below else 'at most'} {maximum:g}"
    allowed = f"must be a finite number {low}{high}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise _rejected(text, allowed) from None
        too_low = value <= minimum if above else value < minimum
        too_high = maximum is not None and (value >= maximum if below else value > maximum)
        if not math.isfinite(value) or too_low or too_high:
            raise _rejected(text, allowed)
        return value

    parse.__name__ = "number"
    return parse


positive_number = number(0, above=True)
probability = number(0, 1, above=True)


def existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_file():
        problem = "is a folder" if path.is_dir() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text!r} {problem}: must be an existing file")
    return path


def existing_folder(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not an existing folder")
    return path


def run_folder(text: str) -> Path:
    """An argparse type: a run folder of `train`, with its settings and checkpoints."""
    path = existing_folder(text)
    for needed in ("config.json", "checkpoints"):
        if not (path / needed).exists():
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a run folder of train: it holds no {needed}"
            )
    return path


def soundfont_file(text: str) -> Path:
    """An argparse type: an existing SoundFont file (.sf2 or .sf3), checked by its header."""
    from musicgen_live.synth import soundfont_problem

    path = existing_file(text)
    problem = soundfont_problem(path)
    if problem:
        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return path


# Options of these types name files a command reads: never one of its outputs.
INPUT_TYPES: tuple[Callable[[str], Path], ...] = (existing_file, soundfont_file)


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
            raise _rejected(text, f"the file name must end in {' or '.join(self.suffixes)}")
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


def track_selection(text: str) -> str:
    """An argparse type: comma-separated track selectors (checked here, matched per file)."""
    from musicgen_live.midi_files import parse_track_selectors

    try:
        parse_track_selectors(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: {error}") from None
    return text


def model_folder(text: str) -> Path:
    """An argparse type: a model by name (`default` is the bundled one, any other name a
    folder of the models folder) or by the path of its folder."""
    try:
        return assets.resolve_model(text)
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


MODEL_FILES = ("model.json", "model.tflite")


class NewModelFolder(Output):
    """A folder to write a model into: new, empty, or (with --force) holding a model to
    replace; never one named `default` in the models folder, the bundled model's name."""

    __name__ = "model folder"

    def __call__(self, text: str) -> Path:
        path = output_folder(text)
        if assets.is_reserved(path):
            raise _rejected(text, "the name default is the bundled model's; choose another name")
        return path

    def holds(self, path: Path) -> str | None:
        found = [name for name in MODEL_FILES if (path / name).exists()]
        return f"holds a model ({', '.join(found)})" if found else None


new_model_folder = NewModelFolder()


def model_help(repeatable: bool = False) -> str:
    again = ", repeatable" if repeatable else ""
    return (
        f"model: default (the bundled one), the name of a model in {assets.models_folder()},"
        f" or a model folder{again} (default: default)"
    )


def force_option(parser: argparse.ArgumentParser, replaces: str) -> None:
    parser.add_argument("--force", action="store_true", help=f"replace {replaces}")


def model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", type=model_folder, default=assets.DEFAULT, metavar="NAME", help=model_help()
    )
