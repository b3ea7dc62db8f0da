"""The options of the offline subcommands (ports, generate, train, export, eval): every one
checked as it is parsed and shown with its default in --help."""

from __future__ import annotations

import argparse

from musicgen_live import assets, contract, train_config
from musicgen_live.cli import control_flags, values
from musicgen_live.cli.offline import cmd_eval, cmd_export, cmd_generate, cmd_ports, cmd_train
from musicgen_live.midi_files import TRACK_SELECTORS_HELP


def add_offline_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """ports, generate, train, export and eval; every option shows its default in --help."""
    ports = commands.add_parser(
        "ports", help="list MIDI inputs and outputs", formatter_class=values.HelpFormatter
    )
    ports.add_argument(
        "--backend",
        choices=("alsa", "jack", "coremidi"),
        default=None,
        help="MIDI system to list (default: the platform's own)",
    )
    ports.set_defaults(handler=cmd_ports)
    _generate_parser(commands)
    _train_parser(commands)
    export = commands.add_parser(
        "export",
        help="write model.tflite + model.json from a run",
        formatter_class=values.HelpFormatter,
    )
    export.add_argument("run_dir", type=values.run_folder, help="run folder of `train`")
    export.add_argument(
        "--out",
        type=values.new_model_folder,
        required=True,
        help=f"model folder, e.g. {assets.models_folder() / 'NAME'}: there --model takes NAME; "
        "new or empty, or holding a model only with --force",
    )
    values.force_option(export, "the model in an existing --out folder")
    export.add_argument(
        "--checkpoint",
        choices=("best", "last", "average"),
        default=None,
        help="best validation loss, the last epoch, or the weights averaged by --average "
        "(default: average for a run that averages, else best)",
    )
    export.add_argument(
        "--transpositions",
        type=values.whole_number(0, contract.MAX_TRANSPOSITION),
        default=None,
        metavar="N",
        help="read each window also transposed by 1..N semitones up and down and average "
        "the readings (2N+1 in one batched run; 0 reads it once). Default: the run's "
        f"--transpose, at most {train_config.TRANSPOSITION}",
    )
    export.set_defaults(handler=cmd_export)
    _eval_parser(commands)


def _generate_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    generate = commands.add_parser(
        "generate", help="continue a MIDI file offline", formatter_class=values.HelpFormatter
    )
    add = generate.add_argument
    add("--seed", type=values.existing_file, required=True, metavar="MIDI", help="file to continue")
    midi = values.output_file(".mid", ".midi")
    add("--out", type=midi, required=True, metavar="MIDI", help="file to write")
    add(
        "--notes",
        type=values.whole_number(1),
        default=64,
        metavar="N",
        help="notes to add: a target; the answer closes on the phrase's tonic within 8 notes "
        "past it",
    )
    add(
        "--tracks",
        type=values.track_selection,
        help=f"tracks of the seed to continue: {TRACK_SELECTORS_HELP} (default: the melodic "
        "tracks, or when there are none every track; never drums)",
    )
    add(
        "--rng-seed",
        type=values.whole_number(0),
        metavar="N",
        help="same seed, same output (default: random)",
    )
    add("--wav", type=values.output_file(".wav"), help="also render with FluidSynth to this WAV")
    add(
        "--soundfont",
        type=values.soundfont_file,
        metavar="SF2",
        help="soundfont for --wav (default: $MUSICGEN_SOUNDFONT, else a system one)",
    )
    add(
        "--gain",
        type=values.number(-60, 1),
        default=0.0,
        metavar="DB",
        help="level of the WAV in dB, -60 to 1; at 0 its peak is at -1 dBFS",
    )
    add("--plot", type=values.output_file(".png"), help="also draw a piano roll PNG")
    values.force_option(generate, "existing --out, --wav and --plot files (never the --seed)")
    values.model_option(generate)
    control_flags.add_control_flags(generate, "generate")
    generate.set_defaults(handler=cmd_generate)


def _train_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    train = commands.add_parser(
        "train",
        help="train a model on a MIDI collection",
        formatter_class=values.HelpFormatter,
        description="With --resume, only --epochs, --max-minutes, --patience, --strategy, "
        "--steps-per-epoch, --cache-dir, --transpose, --stretch, --dropout, --learning-rate "
        "(which restarts it) and --average may change; the run's other settings stay.",
    )
    count = values.whole_number(1)
    add = train.add_argument
    add("--data", default="hannds", help="MIDI folder, MAESTRO v3 folder, or 'hannds'")
    add(
        "--arch",
        default="note_lstm",
        choices=("rnn", "lstm", "bilstm", "lstm_attention", "seed", "embed_lstm", "note_lstm"),
        help="network body",
    )
    add("--out", type=values.output_folder, required=True, help="run folder")
    add("--window", type=values.whole_number(2), default=32, help="notes of context")
    add("--batch-size", type=count, default=256, help="windows per step")
    add("--epochs", type=count, default=20, help="epochs in all, counting those already run")
    add("--learning-rate", type=values.positive_number, default=1e-3, help="Adam's step size")
    add("--steps-per-epoch", type=count, default=None, help="(default: one pass over the data)")
    add("--max-windows", type=count, default=None, help="subsample training windows (default: all)")
    add("--validation-windows", type=count, default=20000, help="validation windows")
    add("--patience", type=values.whole_number(0), default=3, help="early stopping (epochs)")
    add(
        "--max-minutes",
        type=values.positive_number,
        default=None,
        help="stop after the epoch that passes this many minutes (default: no limit)",
    )
    add(
        "--strategy",
        choices=("default", "mirrored", "multi-worker"),
        default="default",
        help="tf.distribute strategy: all local GPUs, or the workers of TF_CONFIG",
    )
    add("--no-sustain", action="store_true", help="ignore the sustain pedal")
    add(
        "--transpose",
        type=values.whole_number(0, 24),
        default=0,
        help="augmentation: transpose each window by up to +-N semitones",
    )
    add(
        "--stretch",
        type=values.number(0, 1, below=True),
        default=0.0,
        help="augmentation: stretch each window's tempo by up to +-F",
    )
    add(
        "--order",
        type=attribute_order,
        default="pitch,step,duration,velocity",
        help="the order a note's attributes are sampled in, pitch first",
    )
    add(
        "--dropout",
        type=values.number(0, 1, below=True),
        default=None,
        help="rate of every dropout layer of the network (default: the architecture's own)",
    )
    add(
        "--average",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="keep the mean of the weights after every step, at a constant learning rate, "
        "until --epochs or --max-minutes (usually the last stretch of a run, with --resume)",
    )
    add(
        "--tracks",
        type=values.track_selection,
        help=f"tracks to learn from: "
        f"{TRACK_SELECTORS_HELP} (default: every track but drums, merged)",
    )
    add("--seed", type=values.whole_number(0), default=0, help="random seed of the run")
    add(
        "--deterministic",
        action="store_true",
        help="the same weights every time from the same --seed and data on one machine "
        "(TensorFlow's deterministic ops: slower)",
    )
    add(
        "--cache-dir",
        type=values.output_folder,
        default=None,
        help="where parsed features are cached (default: the user cache folder)",
    )
    add("--resume", action="store_true", help="continue the run in --out")
    values.force_option(
        train,
        "the run in --out: it is removed as the new one starts (its checkpoints, logs, "
        "history and metrics; nothing else in the folder)",
    )
    train.set_defaults(handler=cmd_train)


def _eval_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    evaluate = commands.add_parser(
        "eval",
        help="the validation table of models and the baseline",
        formatter_class=values.HelpFormatter,
    )
    add = evaluate.add_argument
    add("--data", default="hannds", help="MIDI folder, MAESTRO v3 folder, or 'hannds'")
    add(
        "--model",
        type=values.model_folder,
        action="append",
        metavar="NAME",
        help=values.model_help(repeatable=True),
    )
    add(
        "--split",
        choices=("validation", "test", "all"),
        default="test",
        help="held-out files to evaluate on (test falls back to validation when there is none); "
        "with --music, all takes phrases from every file, for a set never trained on (the "
        "tunes of scripts/make_tunes.py)",
    )
    add("--max-windows", type=values.whole_number(1), default=20000, help="windows to evaluate")
    add("--markdown", action="store_true", help="print a Markdown table")
    add(
        "--music",
        action="store_true",
        help="judge sampled answers to held-out phrases as music: rhythm, chords, dynamics, key",
    )
    add(
        "--samples",
        type=values.whole_number(1),
        default=10,
        help="answers per phrase for --music (each figure is their mean)",
    )
    add(
        "--long",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="with --music, also answer --long-phrases phrases with --long-notes notes each, "
        "without an end, and show how the answers drift per 100 notes",
    )
    add(
        "--long-notes",
        type=values.whole_number(100),
        default=1500,
        metavar="N",
        help="notes of each long answer (--long)",
    )
    add(
        "--long-phrases",
        type=values.whole_number(1),
        default=20,
        metavar="N",
        help="phrases answered at length (--long), evenly spaced over the held-out pieces",
    )
    add(
        "--save",
        action="store_true",
        help="write the figures into each model.json: under eval, or under music with --music",
    )
    control_flags.add_control_flags(evaluate, "eval")
    evaluate.set_defaults(handler=cmd_eval)


def attribute_order(text: str) -> tuple[str, ...]:
    """An argparse type: the order a note's attributes are sampled in, pitch first."""
    from musicgen_live.contract import FEATURES

    order = tuple(name.strip() for name in text.split(","))
    if sorted(order) != sorted(FEATURES) or order[0] != "pitch":
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed: must list pitch first, then step, duration and velocity"
            " in any order"
        )
    return order
