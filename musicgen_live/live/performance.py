"""What the controls change while running: one value per row of the controls table. It
applies to the next answer."""

from __future__ import annotations

from typing import Any

from musicgen_live.errors import UserError
from musicgen_live.live.control_kinds import Length, Value
from musicgen_live.live.controls import CONTROLS, defaults
from musicgen_live.phrase_end import AdaptiveSilence, FixedSilence, SilenceRule
from musicgen_live.sampling import Sampling


def _length() -> Length:
    control = CONTROLS["length"]
    assert isinstance(control, Length)
    return control


LENGTH = _length()


class Performance:
    """The value of every control (`performance.temperature`, ...), frozen. Values are
    checked against their rows when made; `stepped` and `from_controller` clamp."""

    __slots__ = ("_values",)
    _values: dict[str, Value]

    def __init__(self, **values: Value) -> None:
        unknown = sorted(set(values) - set(CONTROLS))
        if unknown:
            raise TypeError(f"no control named {', '.join(unknown)}")
        for name, value in values.items():
            control = CONTROLS[name]
            if not control.accepts(value):
                option = control.flag or name
                raise UserError(f"{option} {value!r} is not allowed: {control.allowed()}")
        object.__setattr__(self, "_values", defaults() | values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Performance is frozen: use replace()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Performance) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its values (the engine's process gets the UI's)."""
        return _from_values, (self._values,)

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != CONTROLS[k].default}
        return f"Performance({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def values(self) -> dict[str, Value]:
        return dict(self._values)

    def replace(self, **changes: Value) -> Performance:
        return Performance(**(self._values | changes))

    def stepped(self, name: str, direction: int) -> Performance:
        """One control moved a step up (1) or down (-1), within its range."""
        return self.replace(**{name: CONTROLS[name].stepped(self._values[name], direction)})

    def from_controller(self, name: str, position: int) -> Performance:
        """One control set from a MIDI controller's position (0-127) over its span."""
        return self.replace(**{name: CONTROLS[name].from_controller(position)})

    def shown(self, name: str) -> str:
        return CONTROLS[name].shown(self._values[name])

    # ---- what the values are used for ---------------------------------------------------------

    @property
    def length_notes(self) -> int | None:
        return LENGTH.split(str(self.length))[0]

    @property
    def length_seconds(self) -> float | None:
        return LENGTH.split(str(self.length))[1]

    @property
    def target_notes(self) -> int | None:
        """The notes an answer aims at, closing within ENDING_REACH past them (None: no
        target; the answer runs by seconds, or continuously)."""
        return None if self.mode == "continuous" else self.length_notes

    @property
    def silence(self) -> float:
        """The silence that ends a phrase, in seconds."""
        return float(self.silence_ms) / 1000

    @property
    def phrase_end_rule(self) -> SilenceRule:
        """The rule that ends a phrase: `silence` always, or a silence that follows the
        player within the bounds."""
        if self.phrase_end == "fixed":
            return FixedSilence(self.silence)
        return AdaptiveSilence(self.silence_min_ms / 1000, self.silence_max_ms / 1000)

    def sampling(self) -> Sampling:
        return Sampling(
            temperature=self.temperature,
            top_p=self.top_p,
            rhythm_temperature=self.rhythm_temperature,
            dynamics_temperature=self.dynamics_temperature,
            low=self.low,
            high=self.high,
            register=self.register,
            follow=self.follow,
        )

    def check(self) -> Performance:
        """Itself, or a UserError naming what cannot work together."""
        if self.low > self.high:
            raise UserError(
                f"--low {self.low} is above --high {self.high}: low must not exceed high"
            )
        if self.silence_min_ms > self.silence_max_ms:
            raise UserError(
                f"--silence-min {self.silence_min_ms} is above --silence-max "
                f"{self.silence_max_ms}: the shortest silence must not exceed the longest"
            )
        return self


def _from_values(values: dict[str, Value]) -> Performance:
    return Performance(**values)
