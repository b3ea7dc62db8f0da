"""Command-line values: checks run as argparse parses them, so a bad value stops the command
with one line naming the option, the value and what is allowed, before any work; and the
option groups several commands share."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from musicgen_live import assets
from musicgen_live.cli import outputs
from musicgen_live.cli.outputs import force_option as force_option
from musicgen_live.cli.outputs import new_model_folder as new_model_folder
from musicgen_live.cli.outputs import output_file as output_file
from musicgen_live.cli.outputs import output_folder as output_folder
from musicgen_live.errors import UserError


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, which records the options typed, and
    which refuses outputs that would destroy something (outputs.refusal).

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
        refused = outputs.refusal(self._actions, result, INPUT_TYPES)
        if refused:
            self.error(refused)
        return result, extras

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


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every option's default, except where there is none or the help says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        if "default" in help_text or any(
            action.default is nothing for nothing in (None, False, argparse.SUPPRESS)
        ):
            return help_text
        return super()._get_help_string(action)


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
            raise outputs.rejected(text, allowed) from None
        if value < minimum or (maximum is not None and value > maximum):
            raise outputs.rejected(text, allowed)
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
            raise outputs.rejected(text, allowed) from None
        too_low = value <= minimum if above else value < minimum
        too_high = maximum is not None and (value >= maximum if below else value > maximum)
        if not math.isfinite(value) or too_low or too_high:
            raise outputs.rejected(text, allowed)
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


def model_help(repeatable: bool = False) -> str:
    again = ", repeatable" if repeatable else ""
    return (
        f"model: default (the bundled one), the name of a model in {assets.models_folder()},"
        f" or a model folder{again} (default: default)"
    )


def model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", type=model_folder, default=assets.DEFAULT, metavar="NAME", help=model_help()
    )
