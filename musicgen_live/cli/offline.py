"""The handlers of the offline subcommands (ports, generate, train, export, eval); their
options are in offline_flags.py."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicgen_live import assets
from musicgen_live.cli import control_flags
from musicgen_live.errors import UserError

if TYPE_CHECKING:
    from musicgen_live.continuation import Continuation


def cmd_generate(args: argparse.Namespace) -> int:
    from musicgen_live.continuation import PROGRESS_FROM, continue_file
    from musicgen_live.runtime import ModelRunner

    sampling = control_flags.sampling(args, "generate")
    soundfont = None
    if args.wav:
        from musicgen_live.synth import find_soundfont, render

        soundfont = find_soundfont(args.soundfont)  # before any work, so a bad one fails fast
    runner = ModelRunner.load(args.model)
    progress = sys.stderr.isatty() or args.notes >= PROGRESS_FROM
    continuation = continue_file(
        runner, args.seed, args.notes, sampling, args.rng_seed, args.tracks, progress
    )
    if continuation.tracks and continuation.tracks.left_out:
        print(f"seed from {continuation.tracks.describe()}")
    audio = None
    if soundfont is not None:
        audio = render(continuation.seed + continuation.notes, soundfont, gain_db=args.gain)
    _write_outputs(args, continuation, audio)
    print(
        f"wrote {args.out}: {len(continuation.seed)} seed notes"
        f" + {len(continuation.notes)} new notes"
    )
    for written in (args.wav, args.plot):
        if written:
            print(f"wrote {written}")
    return 0


def _write_outputs(args: argparse.Namespace, continuation: Continuation, audio: Any) -> None:
    """The MIDI file, the WAV and the piano roll of one run: every one, or none of them when
    one cannot be written (a full disk), with one line saying which."""
    from musicgen_live.continuation import write_continuation
    from musicgen_live.files import whole_files

    writers: dict[Path, Callable[[Path], None]] = {
        args.out: lambda path: write_continuation(path, continuation)
    }
    if audio is not None:
        from musicgen_live.synth import write_wav

        writers[args.wav] = lambda path: write_wav(path, audio)
    if args.plot:
        from musicgen_live.training.plots import plot_piano_roll

        writers[args.plot] = lambda path: plot_piano_roll(
            path, continuation.seed, continuation.notes
        )
    with whole_files(*writers) as partials:
        for (output, write), partial in zip(writers.items(), partials, strict=True):
            try:
                write(partial)
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                raise UserError(
                    f"cannot write {output} ({reason}): none of this run's files was written"
                ) from error


# Warnings TensorFlow and Keras give about their own workings, which no user can act on.
KNOWN_WARNINGS = (
    r"`shuffle=True` was passed, but will be ignored",  # datasets that shuffle themselves
)


def quiet_tensorflow() -> None:
    """TensorFlow's and Keras' start-up chatter hides the lines a user needs: their native
    and Python logs show errors only, and their known warnings none; every other warning
    and every error still shows."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # native: no INFO, no WARNING
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    with contextlib.suppress(ImportError):
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    for message in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)


# train options whose destination differs from the TrainConfig field they set
TRAIN_FIELDS = {"no_sustain": "sustain"}


def cmd_train(args: argparse.Namespace) -> int:
    from dataclasses import fields

    from musicgen_live.train_config import TrainConfig
    from musicgen_live.training.datasets import discover

    typed = {TRAIN_FIELDS.get(name, name) for name in args.given_options}
    if args.resume and args.force:
        raise UserError(
            f"--resume continues the run in {args.out}, --force starts it over: give one of them"
        )
    if not args.resume or "data" in typed:
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
        order=args.order,
        average=args.average,
        dropout=args.dropout,
        tracks=args.tracks,
        seed=args.seed,
        deterministic=args.deterministic,
        cache_dir=str(args.cache_dir) if args.cache_dir else None,
    )
    changed = typed & {field.name for field in fields(TrainConfig)} - {"out"}
    progress = sys.stdout.isatty()
    train(config, resume=args.resume, progress=progress, changed=changed, over=args.force)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    quiet_tensorflow()
    from musicgen_live.model.export import export_run

    out = export_run(args.run_dir, args.out, args.checkpoint, args.transpositions)
    print(f"exported {out / 'model.tflite'} and {out / 'model.json'}")
    return 0


def _held_out_split(data: str, split: str) -> str:
    """The split to evaluate on: the one asked for, else validation when the data has no
    test files (said on stderr); a clear error when neither has a file."""
    from collections import Counter

    from musicgen_live.training.datasets import discover

    counts = Counter(file_split for _, file_split in discover(data)[1])
    if counts[split] or split == "all":
        return split
    found = ", ".join(f"{count} in {name}" for name, count in counts.items())
    if split == "test" and counts["validation"]:
        print(f"{data} has no test files ({found}): using the validation split", file=sys.stderr)
        return "validation"
    raise UserError(f"--data {data}: no file falls into the {split} split ({found})")


def cmd_eval(args: argparse.Namespace) -> int:
    from musicgen_live.training.evaluate import evaluation_table, format_table

    models = args.model or [assets.default_model()]
    if args.split == "all" and not args.music:
        raise UserError("--split all: only with --music (NLL is measured on held-out files)")
    args.split = _held_out_split(args.data, args.split)
    if args.music:
        return _music_eval(args, models)
    rows, windows = evaluation_table(
        args.data, models, args.split, args.max_windows, progress=sys.stderr.isatty()
    )
    print(f"{windows} windows of the {args.split} split of {args.data}")
    print(format_table(rows, args.split, markdown=args.markdown))
    if args.save:
        baselines = {"ngram": rows[-2].metrics, "histogram": rows[-1].metrics}
        for path, row in zip(models, rows, strict=False):
            measured = {"data": args.data, "windows": windows, "model": row.metrics} | baselines
            _save_into_card(path, "eval", {args.split: measured})
    return 0


def _save_into_card(model: Path, field: str, figures: dict[str, Any]) -> None:
    """Merge figures into a field of a model's card, written whole or not at all."""
    from musicgen_live.train_config import save_json

    card_path = model / "model.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card[field] = card.get(field, {}) | figures
    save_json(card_path, card)
    print(f"wrote the figures into {card_path}")


def _music_eval(args: argparse.Namespace, models: list[Path]) -> int:
    from musicgen_live.training.music_eval import format_report, music_table

    sampling = control_flags.sampling(args, "eval")
    report = music_table(
        args.data,
        models,
        sampling,
        args.split,
        args.samples,
        progress=sys.stderr.isatty(),
        long_notes=args.long_notes if args.long else 0,
        long_count=args.long_phrases,
    )
    files = "every file" if args.split == "all" else f"the {args.split} split"
    print(f"{report.phrases} phrases of {files} of {args.data}, {args.samples} answers each")
    print(format_report(report, markdown=args.markdown))
    if args.save:
        real = report.columns[0][1]
        for path, (_, figures) in zip(models, report.columns[2:], strict=False):
            music = {"phrases": report.phrases, "samples": args.samples, "sampling": vars(sampling)}
            _save_into_card(path, "music", music | {"real": real, "model": figures})
    return 0


def cmd_ports(args: argparse.Namespace) -> int:
    from musicgen_live.ports import describe_ports

    print(describe_ports(args.backend))
    return 0
