"""`musicgen-live train`: fit an architecture on a corpus with checkpoints and resume."""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from musicgen_live.errors import UserError
from musicgen_live.model.architectures import (
    ARCHITECTURES,
    DROPOUT_ARCHITECTURES,
    SEQUENCE_ARCHITECTURES,
    build_model,
    compile_model,
    load_checkpoint,
    set_dropout,
)
from musicgen_live.notes import PITCH, clip_features
from musicgen_live.train_config import TrainConfig, load_dataclass, save_json
from musicgen_live.training.callbacks import epoch_callbacks
from musicgen_live.training.datasets import Corpus, load_corpus, skip_report
from musicgen_live.training.distributed import fit_multi_worker
from musicgen_live.training.evaluate import evaluate_keras, ngram_baseline
from musicgen_live.training.metrics import histogram_baseline
from musicgen_live.training.pipeline import Augmentation, window_dataset
from musicgen_live.training.run_folder import epochs_done, record_stage, run_checkpoint
from musicgen_live.training.windows import index_windows

STRATEGIES = ("default", "mirrored", "multi-worker")
# What a resumed run may change: these bound or place the work, ease the augmentation off,
# restart the learning rate, change the dropout or average the weights for the last epochs
# (each stage is recorded in stages.json and the model card).
RESUMABLE = frozenset(
    {
        "epochs",
        "learning_rate",
        "average",
        "dropout",
        "max_minutes",
        "patience",
        "strategy",
        "steps_per_epoch",
        "cache_dir",
        "transpose",
        "stretch",
    }
)


def make_strategy(name: str) -> tf.distribute.Strategy:
    """The tf.distribute strategy by name; multi-worker reads its cluster from TF_CONFIG."""
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi-worker":
        if "TF_CONFIG" not in os.environ:
            raise UserError("--strategy multi-worker needs TF_CONFIG describing the cluster")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "default":
        return tf.distribute.get_strategy()
    raise UserError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}")


def is_chief() -> bool:
    """Only the chief worker writes the run folder in a multi-worker cluster."""
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    return task.get("type", "chief") == "chief" or (
        task.get("type") == "worker" and task.get("index", 0) == 0
    )


def _check(config: TrainConfig) -> None:
    if config.arch not in ARCHITECTURES:
        raise UserError(
            f"unknown architecture {config.arch!r}; choose from {', '.join(ARCHITECTURES)}"
        )
    if config.window < 2:
        raise UserError("--window must be at least 2")
    if config.dropout is not None and config.arch not in DROPOUT_ARCHITECTURES:
        raise UserError(f"--dropout: the {config.arch} architecture has no dropout layers")
    if config.average and config.strategy == "multi-worker":
        raise UserError("--average needs the default or mirrored strategy, not multi-worker")


def resumed_config(
    saved: TrainConfig, requested: TrainConfig, changed: Collection[str]
) -> TrainConfig:
    """The saved run's settings, updated with those the user typed (`changed`) that may change
    mid-run; UserError for one that may not."""
    updates = {}
    for name in sorted(changed):
        value, before = getattr(requested, name), getattr(saved, name)
        if value == before or (isinstance(value, tuple) and list(value) == list(before)):
            continue
        if name not in RESUMABLE:
            flag = "--no-sustain" if name == "sustain" else "--" + name.replace("_", "-")
            if isinstance(value, bool):
                given, was = flag, f"without {flag}"
            else:
                given, was = f"{flag} {_as_typed(value)}", f"with {_as_typed(before)}"
            raise UserError(
                f"{given}: the run in {requested.out} was started {was}, which --resume cannot "
                "change; start a new run with another --out"
            )
        updates[name] = value
    return replace(saved, out=requested.out, **updates)


def _as_typed(value: Any) -> str:
    return ",".join(value) if isinstance(value, list | tuple) else str(value)


def train(
    config: TrainConfig, resume: bool = False, progress: bool = True, changed: Collection[str] = ()
) -> Path:
    """Train, write the run folder, and return it.

    With resume, continue a stopped run with its saved settings, except those in `changed`
    (the names of the settings the user gave) that may change mid-run.
    """
    run_dir = Path(config.out)
    if resume:
        if not (run_dir / "config.json").exists():
            raise UserError(f"nothing to resume in {run_dir} (no config.json)")
        config = resumed_config(
            load_dataclass(TrainConfig, run_dir / "config.json"), config, changed
        )
        if epochs_done(run_dir) >= config.epochs:
            print(
                f"nothing to do: {run_dir} has trained {epochs_done(run_dir)} of {config.epochs}"
                " epochs; ask for more with --epochs"
            )
            return run_dir
    elif (run_dir / "checkpoints" / "last.keras").exists():
        raise UserError(f"{run_dir} already holds a run: use --resume, or another --out")
    _check(config)
    strategy = make_strategy(config.strategy)  # before any other TensorFlow work, as workers need
    chief = is_chief()
    if not chief:  # other workers write their copies aside, as tf.distribute expects
        run_dir = run_dir / f"worker-{json.loads(os.environ['TF_CONFIG'])['task']['index']}"
    keras.utils.set_random_seed(config.seed)

    corpus = load_corpus(
        config.data,
        sustain=config.sustain,
        cache_dir=Path(config.cache_dir) if config.cache_dir else None,
        progress=progress,
        tracks=config.tracks,
    )
    print(corpus.summary())
    for line in skip_report(corpus):
        print(line)
    train_index = index_windows(
        corpus.pieces["train"], config.window, config.max_windows, config.seed
    )
    validation_index = index_windows(
        corpus.pieces["validation"] or corpus.pieces["train"],
        config.window,
        config.validation_windows,
        config.seed,
    )
    if not len(train_index) or not len(validation_index):
        raise UserError(f"pieces too short for a window of {config.window} notes")
    print(f"windows: train {len(train_index)}, validation {len(validation_index)}")
    run_dir.mkdir(parents=True, exist_ok=True)  # only now that there is something to train
    save_json(run_dir / "config.json", config)

    initial_epoch = epochs_done(run_dir) if resume else 0
    restart = resume and "learning_rate" in changed
    record_stage(run_dir, initial_epoch, config, config.learning_rate if restart else None)
    with strategy.scope():
        last = run_dir / "checkpoints" / "last.keras"
        if resume and last.exists():
            model = load_checkpoint(last)
            print(f"resuming after epoch {initial_epoch}")
            if restart:
                model.optimizer.learning_rate = config.learning_rate
                print(f"learning rate restarted at {config.learning_rate:g}")
        else:
            model = compile_model(
                build_model(config.arch, config.window, tuple(config.order)), config.learning_rate
            )
        if config.dropout is not None:
            set_dropout(model, config.dropout)
    sequence = config.arch in SEQUENCE_ARCHITECTURES
    train_data = window_dataset(
        train_index,
        config.batch_size,
        shuffle=True,
        seed=config.seed,
        repeat=config.steps_per_epoch is not None,
        sequence=sequence,
        augmentation=Augmentation(config.transpose, config.stretch),
    )
    validation_data = window_dataset(
        validation_index, config.batch_size, shuffle=False, sequence=sequence
    )
    callbacks = epoch_callbacks(run_dir, config, initial_epoch, validation_data)
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        fit_multi_worker(
            model,
            strategy,
            train_data.repeat(),
            validation_data.repeat(),
            config.epochs,
            config.steps_per_epoch or -(-len(train_index) // config.batch_size),
            -(-len(validation_index) // config.batch_size),
            initial_epoch,
            callbacks,
        )
    else:
        model.fit(
            train_data,
            validation_data=validation_data,
            epochs=config.epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=config.steps_per_epoch,
            callbacks=callbacks,
            verbose=1 if progress else 2,
        )
    if chief:
        write_metrics(run_dir, config, corpus)
        print(f"run written to {run_dir}")
    return run_dir


def write_metrics(run_dir: Path, config: TrainConfig, corpus: Corpus) -> dict[str, Any]:
    """Evaluate the checkpoint the run is for (the weight average of an averaging run, else
    the best epoch) and the n-gram baseline on validation and test windows."""
    checkpoint = run_checkpoint(config)
    model = load_checkpoint(run_dir / "checkpoints" / f"{checkpoint}.keras")
    metrics: dict[str, Any] = {"data": corpus.source, "checkpoint": checkpoint, "splits": {}}
    baseline = ngram_baseline(corpus, config.window, config.validation_windows, config.seed)
    metrics["ngram"] = {"order": baseline.order, "strength": baseline.strength}
    train_notes = clip_features(np.concatenate([f for _, f in corpus.pieces["train"]]))
    for split in ("validation", "test"):
        if not corpus.pieces[split]:
            continue
        index = index_windows(
            corpus.pieces[split], config.window, config.validation_windows, config.seed
        )
        inputs, next_notes = index.arrays()
        metrics["splits"][split] = {
            "windows": len(index),
            "model": evaluate_keras(
                model, inputs, next_notes, config.arch in SEQUENCE_ARCHITECTURES
            ),
            "ngram": baseline.evaluate(inputs[:, :, PITCH], next_notes[:, PITCH]),
            "histogram": histogram_baseline(train_notes, next_notes),
        }
    metrics["files"] = {s: len(corpus.pieces[s]) for s in corpus.pieces}
    metrics["notes"] = {s: corpus.notes(s) for s in corpus.pieces}
    save_json(run_dir / "metrics.json", metrics)
    print(json.dumps(metrics["splits"], indent=2))
    return metrics
