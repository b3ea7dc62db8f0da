"""Port matching: exact names, unique parts, ambiguity, and the session's own ports."""

from __future__ import annotations

import pytest

from musicgen_live.errors import UserError
from musicgen_live.ports import is_own_port, match_port

OUTPUTS = ["Midi Through:Midi Through Port-0 14:0", "Digital Piano:Digital Piano MIDI 1 20:0"]


def test_an_exact_name_or_a_unique_part_matches() -> None:
    assert match_port(OUTPUTS[1], OUTPUTS, "output") == OUTPUTS[1]
    assert match_port("piano", OUTPUTS, "output") == OUTPUTS[1]
    assert match_port("Nowhere", OUTPUTS, "output") is None


def test_an_ambiguous_part_names_the_candidates() -> None:
    with pytest.raises(UserError, match="ambiguous; candidates: Midi Through"):
        match_port("midi", OUTPUTS, "output")


@pytest.mark.parametrize(
    ("name", "own"),
    [
        ("musicgen-live:musicgen-live in", True),  # JACK
        ("musicgen-live-01:musicgen-live in", True),  # a second client of ours
        ("musicgen-live:musicgen-live in 128:0", True),  # ALSA
        ("Digital Piano:Digital Piano MIDI 1 20:0", False),
        ("other-tool:musicgen-live in", False),  # someone else's port of the same name
    ],
)
def test_the_sessions_own_virtual_ports_are_recognised(name: str, own: bool) -> None:
    assert is_own_port(name, ["musicgen-live in"]) is own
