"""`musicgen-live live`: options and start-up of the live engine, with or without the UI."""

from __future__ import annotations

import argparse


def add_live_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="input", default="musicgen-live in", help="MIDI input port")
    parser.add_argument("--out", dest="output", default=None, help="MIDI output port")
    parser.add_argument("--backend", choices=("alsa", "jack", "coremidi"), default=None)
    parser.add_argument("--synth", action="store_true", help="play through FluidSynth")
    parser.add_argument("--soundfont", default=None)
    parser.add_argument("--length", default="32", help="answer length: notes, or seconds as '8s'")
    parser.add_argument("--silence", type=int, default=400, help="ms of silence that ends a phrase")
    parser.add_argument("--record", default=None, help="folder to record the session into")
    parser.add_argument("--demo", action="store_true", help="play a phrase from examples/")
    parser.add_argument("--headless", action="store_true", help="no UI: one log line per event")
    parser.add_argument("--json", action="store_true", help="with --headless: JSON lines")


def run_live(args: argparse.Namespace) -> int:
    print("musicgen-live: the live engine is not built yet; try `musicgen-live generate`.")
    return 0
