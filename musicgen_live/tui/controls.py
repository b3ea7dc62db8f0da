"""The controls: how each steps, how it is shown, and where it is remembered."""

from __future__ import annotations

from dataclasses import replace

from musicgen_live.live.config import Performance

STEPS = {  # control: (step, lowest, highest)
    "temperature": (0.05, 0.1, 2.0),
    "top_p": (0.05, 0.5, 1.0),
    "rhythm_temperature": (0.05, 0.1, 2.0),
    "dynamics_temperature": (0.05, 0.1, 2.0),
    "length": (4, 4, 256),
    "silence_ms": (50, 100, 3000),
}
SETTING = {"silence_ms": "silence"}  # a control's name in the remembered settings
MODES = ("call-response", "continuous")


def stepped(performance: Performance, control: str, direction: int) -> Performance:
    """The performance with one control moved a step up (1) or down (-1), within bounds."""
    step, lowest, highest = STEPS[control]
    current = float(str(getattr(performance, control)).rstrip("s"))
    value = min(highest, max(lowest, round(current + direction * step, 2)))
    if control == "length":
        unit = "s" if performance.length.endswith("s") else ""
        return replace(performance, length=f"{int(value)}{unit}")
    if control == "silence_ms":
        return replace(performance, silence_ms=int(value))
    return replace(performance, **{control: value})  # type: ignore[arg-type]


def shown(performance: Performance, control: str) -> str:
    value = getattr(performance, control)
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def toggled_mode(performance: Performance) -> Performance:
    return replace(performance, mode=MODES[1 - MODES.index(performance.mode)])
