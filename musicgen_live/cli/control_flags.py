"""The sampling options `generate`, `live` and `eval --music` share, and the Sampling they
ask for."""

from __future__ import annotations

import argparse

from musicgen_live import sampling as defaults
from musicgen_live.cli import values
from musicgen_live.errors import UserError
from musicgen_live.sampling import Sampling


def register(text: str) -> int | None:
    """An argparse type: semitones 0-48, or 'any' for no register limit."""
    if text.strip().lower() == "any":
        return None
    return values.whole_number(0, 48)(text)


def sampling_options(parser: argparse.ArgumentParser) -> None:
    temperature = values.positive_number
    parser.add_argument(
        "--temperature",
        type=temperature,
        default=defaults.TEMPERATURE,
        help="pitch temperature (default: %(default)s)",
    )
    parser.add_argument(
        "--top-p",
        type=values.probability,
        default=defaults.TOP_P,
        help="pitch nucleus, in (0, 1] (default: %(default)s)",
    )
    parser.add_argument(
        "--rhythm-temperature",
        type=temperature,
        default=defaults.RHYTHM_TEMPERATURE,
        help="temperature of step and duration (default: %(default)s)",
    )
    parser.add_argument(
        "--dynamics-temperature",
        type=temperature,
        default=defaults.DYNAMICS_TEMPERATURE,
        help="temperature of velocity (default: %(default)s)",
    )
    parser.add_argument(
        "--register",
        type=register,
        default=defaults.REGISTER,
        help="semitones an answer may go beyond the lowest and highest note it continues,"
        " or 'any' for no limit (default: %(default)s)",
    )
    for option, default, which in (("--low", "A0", "lowest"), ("--high", "C8", "highest")):
        parser.add_argument(
            option,
            type=values.pitch,
            default=default,  # a string, so argparse reads it through the type
            help=f"{which} pitch to play: 0-127 or a note name, C4 = 60 (default: %(default)s)",
        )


def sampling(args: argparse.Namespace) -> Sampling:
    """The Sampling the options of sampling_options ask for."""
    if args.low > args.high:
        raise UserError(f"--low {args.low} is above --high {args.high}: low must not exceed high")
    try:
        return Sampling(
            temperature=args.temperature,
            top_p=args.top_p,
            rhythm_temperature=args.rhythm_temperature,
            dynamics_temperature=args.dynamics_temperature,
            low=args.low,
            high=args.high,
            register=args.register,
        )
    except ValueError as error:  # values that came from elsewhere than the command line
        raise UserError(str(error)) from None
