"""Values of each control for tests built from the controls table."""

from __future__ import annotations

from musicgen_live.live.control_kinds import Choice, Control, Length, Number


def outside(control: Control) -> list[str]:
    """Texts just outside a control's range, or not of its kind at all."""
    if isinstance(control, Choice):
        return ["nonsense", control.choices[0].upper()]
    assert isinstance(control, Number)
    below, above = control.low - control.step, control.high + control.step
    if isinstance(control, Length):
        return ["0", f"{above:g}", "eight", "-4s"]
    texts = [f"{below:g}", f"{above:g}", "nan", "x"]
    return texts if control.whole else [*texts, "inf"]
