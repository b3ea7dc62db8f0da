"""Flags the user typed win, then what the UI remembered, then the defaults: the one place
a `LiveConfig` is built from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from musicgen_live.live.config import SAMPLING_FIELDS, SYNTH, LiveConfig, Performance
from musicgen_live.tui.settings import Settings


def resolve_config(
    args: argparse.Namespace, explicit: set[str], remembered: Settings | None
) -> LiveConfig:
    """Flags the user typed win, then what the UI remembered, then the defaults. Headless
    runs pass no `remembered`, so a script always plays what its flags say."""
    saved = remembered or Settings()

    def pick(name: str, dest: str | None = None) -> Any:
        dest = dest or name
        return (
            getattr(args, dest) if dest in explicit or remembered is None else getattr(saved, name)
        )

    performance = Performance(
        **{name: float(pick(name)) for name in SAMPLING_FIELDS},
        low=args.low,
        high=args.high,
        register=args.register,
        length=str(pick("length")),
        silence_ms=int(pick("silence")),
        mode=str(pick("mode")),
    ).check()
    output, synth = args.output, args.synth
    if remembered is not None and not {"output", "synth"} & explicit:
        output, synth = (None, True) if saved.output == SYNTH else (saved.output or None, False)
    model = args.model
    if remembered is not None and "model" not in explicit and saved.model:
        model = Path(saved.model)
    return LiveConfig(
        model=Path(model),
        input=str(pick("input")),
        output=output,
        synth=synth,
        soundfont=args.soundfont,
        audio_driver=args.audio_driver,
        audio_ports=tuple(p.strip() for p in args.audio_ports.split(","))
        if args.audio_ports
        else None,
        backend=args.backend,
        performance=performance,
        trigger_cc=args.trigger_cc,
        input_channel=None if args.channel is None else args.channel - 1,
        record=args.record,
        wav=args.wav,
        demo=args.demo,
        headless=args.headless,
        json=args.json,
        rng_seed=args.rng_seed,
        events=args.events,
    )
