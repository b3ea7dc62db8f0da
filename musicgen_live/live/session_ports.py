"""The MIDI ports a session opened: opened by name (a name that matches nothing opens a
virtual port), never one of the session's own (a loop), and watched so a device that
disappears is reported and opened again when it comes back."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mido

from musicgen_live.errors import UserError
from musicgen_live.live.config import DEFAULT_INPUT, DEFAULT_OUTPUT, SYNTH
from musicgen_live.live.engine import Engine
from musicgen_live.ports import MidiPorts, is_own_port, match_port

WATCH_INTERVAL = 1.0


@dataclass
class WatchedPort:
    """A port the session opened, watched so a vanished device is reported and re-opened."""

    kind: str
    wanted: str
    port: Any  # None while waited for
    virtual: bool
    lost: bool = False

    @property
    def name(self) -> str:
        return self.wanted if self.port is None else str(self.port.name)


class SessionPorts:
    def __init__(
        self, ports: MidiPorts, engine: Engine, on_input: Callable[[mido.Message], None]
    ) -> None:
        self.ports = ports
        self.engine = engine
        self.on_input = on_input  # what a message from the input goes to
        self.watched: list[WatchedPort] = []

    def open(self, kind: str, wanted: str, wait: bool = False) -> Any:
        """Open a port and watch it; a port of the session's own is refused (a loop). A name
        that matches nothing opens a virtual port of that name, or with `wait` (a port
        remembered from an earlier session) is waited for: None now, opened when it appears."""
        available = self.ports.names(kind)
        name = match_port(wanted, available, kind)
        if name is not None and self._is_own(name):
            other = "input" if kind == "output" else "output"
            raise UserError(
                f"{name!r} is musicgen-live's own {other}: the answers would feed back into it"
            )
        if name is None and wait:
            self.watched.append(WatchedPort(kind, wanted, None, False, lost=True))
            text = f"the remembered {kind} {wanted!r} is not there: waiting for it"
            self.engine.notice(
                "warning", f"{text} (`{'i' if kind == 'input' else 'u'}` chooses another)"
            )
            return None
        port, virtual = self.ports.open(kind, wanted)
        if virtual and kind == "input" and wanted != DEFAULT_INPUT:  # perhaps a typo
            inputs = ", ".join(n for n in available if not self._is_own(n)) or "none"
            text = f"no input port matches {wanted!r}: opened a virtual one; inputs: {inputs}"
            self.engine.notice("warning", text)
        if kind == "input":
            port.callback = self.on_input
        self.watched.append(WatchedPort(kind, wanted, port, virtual))
        return port

    def _is_own(self, name: str) -> bool:
        """Whether a listed port is one this session opened as a virtual port."""
        return is_own_port(name, [w.wanted for w in self.watched if w.virtual])

    def available(self, kind: str) -> tuple[str, ...]:
        """What a user may switch to: every port but the session's own, and new virtual ones."""
        names = [name for name in self.ports.names(kind) if not self._is_own(name)]
        extra = [SYNTH, DEFAULT_OUTPUT] if kind == "output" else [DEFAULT_INPUT]
        return tuple(names + [name for name in extra if name not in names])

    def drop(self, watched: WatchedPort) -> None:
        if watched.port is None:
            return
        self.engine.player.remove(watched.port)
        with contextlib.suppress(Exception):
            watched.port.close()

    def _reopen(self, watched: WatchedPort) -> None:
        port, _ = self.ports.open(watched.kind, watched.wanted)
        if watched.kind == "input":
            port.callback = self.on_input
        else:
            self.engine.add_output(port)
        watched.port, watched.lost = port, False
        self.engine.notice("info", f"{watched.kind} port {port.name!r} is back")

    async def watch(self) -> None:
        """Report a device that disappears, and open it again when it comes back. Listing is
        cheap (`MidiPorts.names`); closing and opening a port are not, so they wait until no
        note is due soon."""
        while True:
            clock = self.engine.clock
            await clock.sleep_until(clock.now() + WATCH_INTERVAL)
            for watched in [w for w in self.watched if not w.virtual]:
                with contextlib.suppress(UserError):
                    names = self.ports.names(watched.kind)
                    if watched.lost:
                        present = match_port(watched.wanted, names, watched.kind) is not None
                    else:
                        present = watched.name in names
                    if present != watched.lost:
                        continue
                    await self.engine.clear_of_notes()
                    if present:
                        self._reopen(watched)
                    else:
                        self._lost(watched)

    def _lost(self, watched: WatchedPort) -> None:
        watched.lost = True
        self.drop(watched)
        self.engine.notice("warning", f"{watched.kind} port {watched.name!r} lost")

    def lines(self) -> list[str]:
        """What is open, a line each, for the ports panel."""
        return [
            f"{w.kind}: {w.wanted} (virtual)"
            if w.virtual
            else f"{w.kind}: {w.name}{' (waiting for it)' if w.lost else ''}"
            for w in self.watched
        ]

    def replace(self, kind: str, port: Any | None) -> None:
        """Forget every port of a kind but `port` (the one opened to replace them)."""
        old = [w for w in self.watched if w.kind == kind and w.port is not port]
        self.watched = [w for w in self.watched if w not in old]
        for watched in old:
            if kind == "input":  # outputs are closed by the player once silent
                self.drop(watched)

    def close(self) -> None:
        for watched in self.watched:
            with contextlib.suppress(Exception):
                if watched.port is not None:
                    watched.port.close()
        self.watched = []
        self.ports.close()
