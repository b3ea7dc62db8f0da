"""Flags the user typed win, then what the UI remembered, then the defaults: the one place
a `LiveConfig` is built from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from musicgen_live import assets
from musicgen_live.errors import UserError
from musicgen_live.live.config import DEFAULT_INPUT, DEFAULT_OUTPUT, SYNTH, LiveConfig
from musicgen_live.live.controls import for_command
from musicgen_live.live.performance import Performance
from musicgen_live.tui.settings import Settings


def resolve_config(
    args: argparse.Namespace, explicit: set[str], remembered: Settings | None
) -> LiveConfig:
    """Flags the user typed win, then what the UI remembered, then the defaults. Headless
    runs pass no `remembered`, so a script always plays what its flags say."""
    saved = remembered or Settings()
    notices = list(saved.warnings)
    values = {control.name: getattr(args, control.name) for control in for_command("live")}
    values |= {name: v for name, v in saved.controls.items() if name not in explicit}
    if "silence_ms" in explicit and "phrase_end" not in explicit:
        values["phrase_end"] = "fixed"  # a script that sets --silence keeps its meaning
    output, synth = args.output, args.synth
    waits_for = set()
    if remembered is not None and not {"output", "synth"} & explicit and saved.output:
        output, synth = (None, True) if saved.output == SYNTH else (saved.output, False)
        waits_for |= {"output"} if output not in (None, DEFAULT_OUTPUT) else set()
    input_port = args.input
    if remembered is not None and "input" not in explicit and saved.input:
        input_port = saved.input
        waits_for |= {"input"} if input_port != DEFAULT_INPUT else set()
    model = Path(args.model)
    if remembered is not None and "model" not in explicit and saved.model:
        try:
            model = assets.resolve_model(saved.model)
        except UserError as error:
            notices.append(f"the remembered model is gone ({error}); playing the bundled one")
    return LiveConfig(
        model=model,
        input=input_port,
        output=output,
        synth=synth,
        soundfont=args.soundfont,
        audio_driver=args.audio_driver,
        audio_ports=tuple(p.strip() for p in args.audio_ports.split(","))
        if args.audio_ports
        else None,
        backend=args.backend,
        performance=Performance(**values).check(),
        trigger_cc=args.trigger_cc,
        input_channel=None if args.channel is None else args.channel - 1,
        record=args.record,
        wav=args.wav,
        demo=args.demo,
        headless=args.headless,
        json=args.json,
        rng_seed=args.rng_seed,
        events=args.events,
        notices=tuple(notices),
        waits_for=frozenset(waits_for),
    )
