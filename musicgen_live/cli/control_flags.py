"""The flags of the live controls, built from their rows (`live/controls.py`): `live`,
`generate` and `eval` take the same flags with the same ranges, and a value outside a row's
range stops the command with one line (exit 2)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from musicgen_live.errors import UserError
from musicgen_live.live.control_kinds import Control, Value
from musicgen_live.live.controls import for_command
from musicgen_live.live.performance import Performance
from musicgen_live.sampling import Sampling


def control_type(control: Control) -> Callable[[str], Value]:
    """An argparse type that reads a control's value, or says in one line what is allowed."""

    def parse(text: str) -> Value:
        try:
            return control.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = control.label
    return parse


def add_control_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """One flag per control the command takes, with the control's range in its help."""
    for control in for_command(command):
        bare = {} if control.bare is None else {"nargs": "?", "const": control.bare}
        parser.add_argument(
            control.flag,
            dest=control.name,
            type=control_type(control),
            default=control.default,
            **bare,  # type: ignore[arg-type]
            metavar=control.flag.removeprefix("--").upper().replace("-", "_"),
            help=f"{control.help}; {control.allowed().removeprefix('must be ')}"
            f" (default: {control.shown(control.default)})",
        )


def performance(args: argparse.Namespace, command: str) -> Performance:
    """The controls as the flags of `command` set them (the rest at their defaults)."""
    return Performance(**{c.name: getattr(args, c.name) for c in for_command(command)}).check()


def sampling(args: argparse.Namespace, command: str) -> Sampling:
    """How `generate` and `eval --music` draw notes, from their flags."""
    try:
        return performance(args, command).sampling()
    except ValueError as error:
        raise UserError(str(error)) from None
