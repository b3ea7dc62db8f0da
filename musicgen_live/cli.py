"""Command line: each subcommand parses its options, builds a config and calls library code."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from musicgen_live import __version__
from musicgen_live.errors import UserError

if TYPE_CHECKING:
    from musicgen_live.runtime import Sampling

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "default"


def _model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="exported model folder")


def _sampling_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--temperature", type=float, default=1.0, help="pitch temperature (default: %(default)s)"
    )
    parser.add_argument(
        "--top-p", type=float, default=0.95, help="pitch nucleus (default: %(default)s)"
    )
    parser.add_argument(
        "--rhythm-temperature",
        type=float,
        default=1.0,
        help="temperature of step and duration (default: %(default)s)",
    )
    parser.add_argument(
        "--dynamics-temperature",
        type=float,
        default=1.0,
        help="temperature of velocity (default: %(default)s)",
    )
    parser.add_argument("--low", type=int, default=21, help="lowest pitch to play (default A0)")
    parser.add_argument("--high", type=int, default=108, help="highest pitch to play (default C8)")


def _sampling(args: argparse.Namespace) -> Sampling:
    from musicgen_live.runtime import Sampling

    if not (math.isfinite(args.top_p) and 0 < args.top_p <= 1):
        raise UserError(f"--top-p {args.top_p}: must be in (0, 1]")
    for option in ("temperature", "rhythm_temperature", "dynamics_temperature"):
        value = getattr(args, option)
        if not (math.isfinite(value) and value > 0):
            raise UserError(f"--{option.replace('_', '-')} {value}: must be a positive number")
    if not 0 <= args.low <= args.high <= 127:
        raise UserError("--low and --high must satisfy 0 <= low <= high <= 127")
    return Sampling(
        temperature=args.temperature,
        top_p=args.top_p,
        rhythm_temperature=args.rhythm_temperature,
        dynamics_temperature=args.dynamics_temperature,
        low=args.low,
        high=args.high,
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from musicgen_live.generate import continue_file, write_continuation
    from musicgen_live.runtime import ModelRunner

    runner = ModelRunner.load(args.model)
    if not args.seed.is_file():
        raise UserError(f"seed file not found: {args.seed}")
    if args.wav:
        from musicgen_live.synth import find_soundfont, render, write_wav

        soundfont = find_soundfont(args.soundfont)  # before generating, so a bad path fails fast
    continuation = continue_file(runner, args.seed, args.notes, _sampling(args), args.rng_seed)
    write_continuation(args.out, continuation)
    print(
        f"wrote {args.out}: {len(continuation.seed)} seed notes"
        f" + {len(continuation.notes)} new notes"
    )
    if args.wav:
        write_wav(args.wav, render(continuation.seed + continuation.notes, soundfont))
        print(f"wrote {args.wav}")
    if args.plot:
        from musicgen_live.training.plots import plot_piano_roll

        plot_piano_roll(args.plot, continuation.seed, continuation.notes)
        print(f"wrote {args.plot}")
    return 0


def _order(text: str) -> tuple[str, ...]:
    from musicgen_live.contract import FEATURES

    order = tuple(name.strip() for name in text.split(","))
    if sorted(order) != sorted(FEATURES) or order[0] != "pitch":
        raise UserError(
            f"--order {text}: must list pitch first, then step, duration and velocity in any order"
        )
    return order


def quiet_tensorflow() -> None:
    """TensorFlow's native start-up chatter hides the lines a user needs."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def cmd_train(args: argparse.Namespace) -> int:
    from musicgen_live.config import TrainConfig
    from musicgen_live.training.datasets import discover

    discover(args.data)  # a wrong --data fails before TensorFlow loads
    quiet_tensorflow()
    from musicgen_live.training.train import train

    config = TrainConfig(
        data=args.data,
        arch=args.arch,
        out=str(args.out),
        window=args.window,
        batch_size=args.batch_size,
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        steps_per_epoch=args.steps_per_epoch,
        max_windows=args.max_windows,
        validation_windows=args.validation_windows,
        patience=args.patience,
        max_minutes=args.max_minutes,
        strategy=args.strategy,
        sustain=not args.no_sustain,
        transpose=args.transpose,
        stretch=args.stretch,
        order=_order(args.order),
        seed=args.seed,
        cache_dir=args.cache_dir,
    )
    run_dir = train(config, resume=args.resume, progress=sys.stdout.isatty())
    print(f"run written to {run_dir}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    quiet_tensorflow()
    from musicgen_live.model.export import export_run

    out = export_run(args.run_dir, args.out, args.checkpoint)
    print(f"exported {out / 'model.tflite'} and {out / 'model.json'}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from musicgen_live.training.evaluate import evaluation_table, format_table

    models = args.model or [DEFAULT_MODEL]
    if args.music:
        return _music_eval(args, models)
    rows, windows = evaluation_table(
        args.data, models, args.split, args.max_windows, progress=sys.stderr.isatty()
    )
    print(f"{windows} windows of the {args.split} split of {args.data}")
    print(format_table(rows, args.split, markdown=args.markdown))
    return 0


def _music_eval(args: argparse.Namespace, models: list[Path]) -> int:
    from musicgen_live.training.music import format_music_table
    from musicgen_live.training.music_eval import music_table

    sampling = _sampling(args)
    columns, phrases = music_table(
        args.data,
        models,
        sampling,
        args.split,
        args.samples,
        progress=sys.stderr.isatty(),
    )
    print(
        f"{phrases} phrases of the {args.split} split of {args.data}, {args.samples} answers each"
    )
    print(format_music_table(columns, markdown=args.markdown))
    if args.save:
        for path, (_, figures) in zip(models, columns[1:], strict=False):
            card_path = path / "model.json"
            card = json.loads(card_path.read_text(encoding="utf-8"))
            card["music"] = {
                "phrases": phrases,
                "samples": args.samples,
                "sampling": vars(sampling),
            }
            card["music"] |= {"real": columns[0][1], "model": figures}
            card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
            print(f"wrote the figures into {card_path}")
    return 0


def cmd_ports(args: argparse.Namespace) -> int:
    from musicgen_live.ports import describe_ports

    print(describe_ports(args.backend))
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    from musicgen_live.live import run_live

    return run_live(args, _sampling(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="musicgen-live", description="Play a phrase; a neural model answers it, live."
    )
    parser.add_argument("--version", action="version", version=f"musicgen-live {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="{live,ports,generate,train,export,eval}"
    )

    from musicgen_live.live import add_live_options

    live = commands.add_parser("live", help="listen and answer (the default command)")
    add_live_options(live)
    _model_option(live)
    _sampling_options(live)
    live.set_defaults(handler=cmd_live)
    parser.set_defaults(live_parser=live)

    ports = commands.add_parser("ports", help="list MIDI inputs and outputs")
    ports.add_argument("--backend", choices=("alsa", "jack", "coremidi"), default=None)
    ports.set_defaults(handler=cmd_ports)

    generate = commands.add_parser("generate", help="continue a MIDI file offline")
    generate.add_argument("--seed", type=Path, required=True, help="MIDI file to continue")
    generate.add_argument("--out", type=Path, required=True, help="MIDI file to write")
    generate.add_argument("--notes", type=int, default=64, help="how many notes to add")
    generate.add_argument("--rng-seed", type=int, default=None, help="same seed, same output")
    generate.add_argument("--wav", type=Path, help="also render with FluidSynth to this WAV")
    generate.add_argument("--soundfont", help="SF2 file for --wav")
    generate.add_argument("--plot", type=Path, help="also draw a piano roll PNG")
    _model_option(generate)
    _sampling_options(generate)
    generate.set_defaults(handler=cmd_generate)

    train = commands.add_parser("train", help="train a model on a MIDI collection")
    train.add_argument(
        "--data", default="hannds", help="MIDI folder, MAESTRO v3 folder, or 'hannds'"
    )
    train.add_argument(
        "--arch",
        default="note_lstm",
        choices=("rnn", "lstm", "bilstm", "lstm_attention", "seed", "embed_lstm", "note_lstm"),
        help="network body (default: %(default)s)",
    )
    train.add_argument("--out", type=Path, required=True, help="run folder")
    train.add_argument("--window", type=int, default=32, help="notes of context")
    train.add_argument("--batch-size", type=int, default=256)
    train.add_argument("--epochs", type=int, default=20)
    train.add_argument("--learning-rate", type=float, default=1e-3)
    train.add_argument("--steps-per-epoch", type=int, default=None)
    train.add_argument("--max-windows", type=int, default=None, help="subsample training windows")
    train.add_argument("--validation-windows", type=int, default=20000)
    train.add_argument("--patience", type=int, default=3, help="early stopping patience (epochs)")
    train.add_argument(
        "--max-minutes", type=float, default=None, help="stop after this many minutes"
    )
    train.add_argument(
        "--strategy", choices=("default", "mirrored", "multi-worker"), default="default"
    )
    train.add_argument("--no-sustain", action="store_true", help="ignore the sustain pedal")
    train.add_argument(
        "--transpose",
        type=int,
        default=0,
        help="augmentation: transpose each window by up to +-N semitones (default: %(default)s)",
    )
    train.add_argument(
        "--order",
        default="pitch,step,duration,velocity",
        help="the order a note's attributes are sampled in, pitch first (default: %(default)s)",
    )
    train.add_argument(
        "--stretch",
        type=float,
        default=0.0,
        help="augmentation: stretch each window's tempo by up to +-F (default: %(default)s)",
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--cache-dir", default=None, help="where parsed features are cached")
    train.add_argument("--resume", action="store_true", help="continue the run in --out")
    train.set_defaults(handler=cmd_train)

    export = commands.add_parser("export", help="write model.tflite + model.json from a run")
    export.add_argument("run_dir", type=Path)
    export.add_argument("--out", type=Path, required=True, help="model folder, e.g. models/NAME")
    export.add_argument("--checkpoint", choices=("best", "last"), default="best")
    export.set_defaults(handler=cmd_export)

    evaluate = commands.add_parser("eval", help="the validation table of models and the baseline")
    evaluate.add_argument("--data", default="hannds")
    evaluate.add_argument("--model", type=Path, action="append", help="model folder (repeatable)")
    evaluate.add_argument("--split", choices=("validation", "test"), default="test")
    evaluate.add_argument("--max-windows", type=int, default=20000)
    evaluate.add_argument("--markdown", action="store_true", help="print a Markdown table")
    evaluate.add_argument(
        "--music",
        action="store_true",
        help="judge sampled answers to held-out phrases as music: rhythm, chords, dynamics, key",
    )
    evaluate.add_argument(
        "--samples",
        type=int,
        default=3,
        help="answers per phrase for --music (default: %(default)s)",
    )
    evaluate.add_argument(
        "--save", action="store_true", help="with --music: write the figures into each model.json"
    )
    _sampling_options(evaluate)
    evaluate.set_defaults(handler=cmd_eval)
    return parser


def explicit_options(parser: argparse.ArgumentParser, argv: list[str]) -> set[str]:
    """The options the user typed (so remembered settings fill in only the rest)."""
    given = set()
    for action in parser._actions:
        for option in action.option_strings:
            if any(arg == option or arg.startswith(option + "=") for arg in argv):
                given.add(action.dest)
    return given


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["live", *argv]
    args = parser.parse_args(argv)
    args.explicit = explicit_options(args.live_parser, argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UserError as error:
        print(f"musicgen-live: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
