"""The argparse value checks of musicgen_live.values."""

import argparse
import math
from pathlib import Path

import pytest

from musicgen_live.cli import values


def test_numbers_must_be_finite_and_in_range() -> None:
    assert values.positive_number("0.5") == 0.5
    for text in ("nan", "inf", "-inf", "0", "-1", "one"):
        with pytest.raises(argparse.ArgumentTypeError, match="finite number above 0"):
            values.positive_number(text)
    assert values.probability("1") == 1.0
    with pytest.raises(argparse.ArgumentTypeError, match="at most 1"):
        values.probability("1.01")
    assert math.isclose(values.number(0, 1, below=True)("0.99"), 0.99)
    with pytest.raises(argparse.ArgumentTypeError, match="below 1"):
        values.number(0, 1, below=True)("1")


def test_whole_numbers_name_what_is_allowed() -> None:
    assert values.whole_number(1)("3") == 3
    with pytest.raises(argparse.ArgumentTypeError, match="'0' is not allowed.*1 or more"):
        values.whole_number(1)("0")
    with pytest.raises(argparse.ArgumentTypeError, match="from 0 to 24"):
        values.whole_number(0, 24)("25")
    with pytest.raises(argparse.ArgumentTypeError, match="whole number"):
        values.whole_number(0)("2.5")


def test_output_folder_may_be_new_but_not_a_file(tmp_path: Path) -> None:
    assert values.output_folder(str(tmp_path / "a" / "b")) == tmp_path / "a" / "b"
    (tmp_path / "file").write_text("x")
    with pytest.raises(argparse.ArgumentTypeError, match="is a file"):
        values.output_folder(str(tmp_path / "file"))
    with pytest.raises(argparse.ArgumentTypeError, match="is a file, not a folder"):
        values.output_folder(str(tmp_path / "file" / "run"))


def test_typed_options_are_recorded_abbreviations_included() -> None:
    parser = values.Parser(prog="test")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--no-sustain", action="store_true")
    args = parser.parse_args(["--epochs", "3", "--no-s", "--window=32"])
    assert args.given_options == {"epochs", "no_sustain", "window"}
    assert parser.parse_args([]).given_options == set()
