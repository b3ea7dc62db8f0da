"""`musicgen-live train`: fit an architecture on a corpus with checkpoints and resume."""

from __future__ import annotations

import json
from collections.abc import Collection
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
from musicgen_live.training.callbacks import Progress, epoch_callbacks
from musicgen_live.training.datasets import Corpus, run_corpus, skip_report
from musicgen_live.training.distributed import (
    fit_multi_worker,
    is_chief,
    make_strategy,
    worker_folder,
)
from musicgen_live.training.evaluate import evaluate_keras, ngram_baseline
from musicgen_live.training.metrics import histogram_baseline
from musicgen_live.training.pipeline import Augmentation, window_dataset
from musicgen_live.training.run_folder import (
    clear_run,
    epochs_done,
    record_stage,
    resumed_config,
    run_checkpoint,
)
from musicgen_live.training.windows import WindowIndex, index_windows


def train(
    config: TrainConfig,
    resume: bool = False,
    progress: bool = True,
    changed: Collection[str] = (),
    over: bool = False,
) -> Path:
    """Train, write the run folder, and return it.

    With resume, continue a stopped run with its saved settings, except those in `changed`
    (the names of the settings the user gave) that may change mid-run. With `over`, a run
    already in the folder is removed as the new one starts.
    """
    run_dir = Path(config.out)
    if resume:
        config = _resumed(config, changed)
        if epochs_done(run_dir) >= config.epochs:
            print(
                f"nothing to do: {run_dir} has trained {epochs_done(run_dir)} of {config.epochs}"
                " epochs; ask for more with --epochs"
            )
            return run_dir
    elif (run_dir / "checkpoints" / "last.keras").exists() and not over:
        raise UserError(
            f"{run_dir} already holds a run: --resume continues it, --force starts it over"
        )
    _check(config)
    strategy = make_strategy(config.strategy)  # before any other TensorFlow work, as workers need
    chief = is_chief()
    if not chief:
        run_dir = worker_folder(run_dir)
    keras.utils.set_random_seed(config.seed)
    if config.deterministic:  # for the whole process, from here on
        tf.config.experimental.enable_op_determinism()
    corpus = _corpus(config, progress)
    windows = _windows(corpus, config)
    if over and not resume:
        clear_run(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)  # only now that there is something to train
    save_json(run_dir / "config.json", config)
    initial_epoch = epochs_done(run_dir) if resume else 0
    restart = resume and "learning_rate" in changed
    record_stage(run_dir, initial_epoch, config, config.learning_rate if restart else None)
    with strategy.scope():
        model = _model(run_dir, config, initial_epoch if resume else None, restart)
    _fit(model, strategy, config, windows, run_dir, initial_epoch, progress)
    if chief:
        write_metrics(run_dir, config, corpus)
        print(f"run written to {run_dir}")
    return run_dir


def _resumed(requested: TrainConfig, changed: Collection[str]) -> TrainConfig:
    """The settings of the run in `requested.out`, with the changes a resume may make."""
    saved = Path(requested.out) / "config.json"
    if not saved.exists():
        raise UserError(f"nothing to resume in {saved.parent} (no config.json)")
    return resumed_config(load_dataclass(TrainConfig, saved), requested, changed)


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


def _corpus(config: TrainConfig, progress: bool) -> Corpus:
    """The corpus the run learns from, its summary and the files it skipped printed."""
    corpus = run_corpus(config, progress)
    print(corpus.summary())
    for line in skip_report(corpus):
        print(line)
    return corpus


def _windows(corpus: Corpus, config: TrainConfig) -> tuple[WindowIndex, WindowIndex]:
    """The training and validation windows (validation from `train` when it has none)."""
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
    return train_index, validation_index


def _model(
    run_dir: Path, config: TrainConfig, resumed_after: int | None, restart: bool
) -> keras.Model:
    """The last checkpoint of a resumed run (its learning rate restarted if asked), else a
    new compiled model; the dropout set when the config names one."""
    last = run_dir / "checkpoints" / "last.keras"
    if resumed_after is not None and last.exists():
        model = load_checkpoint(last)
        print(f"resuming after epoch {resumed_after}")
        if restart:
            model.optimizer.learning_rate = config.learning_rate
            print(f"learning rate restarted at {config.learning_rate:g}")
    else:
        body = build_model(config.arch, config.window, tuple(config.order))
        model = compile_model(body, config.learning_rate)
    if config.dropout is not None:
        set_dropout(model, config.dropout)
    return model


def _fit(
    model: keras.Model,
    strategy: tf.distribute.Strategy,
    config: TrainConfig,
    windows: tuple[WindowIndex, WindowIndex],
    run_dir: Path,
    initial_epoch: int,
    progress: bool,
) -> None:
    """Epochs from `initial_epoch` to `config.epochs`, each checkpointed into the run folder;
    across workers in a multi-worker cluster."""
    train_index, validation_index = windows
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
    steps = config.steps_per_epoch or -(-len(train_index) // config.batch_size)
    progress_callback = Progress(config.epochs, steps, terminal=progress)
    # last, so an epoch's line has what the others add to its logs (the learning rate)
    callbacks = [
        *epoch_callbacks(run_dir, config, initial_epoch, validation_data),
        progress_callback,
    ]
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        fit_multi_worker(
            model,
            strategy,
            train_data.repeat(),
            validation_data.repeat(),
            config.epochs,
            steps,
            -(-len(validation_index) // config.batch_size),
            initial_epoch,
            callbacks,
            on_step=progress_callback.on_train_batch_end,
        )
        return
    model.fit(
        train_data,
        validation_data=validation_data,
        epochs=config.epochs,
        initial_epoch=initial_epoch,
        steps_per_epoch=config.steps_per_epoch,
        callbacks=callbacks,
        shuffle=False,  # the dataset shuffles its windows itself
        verbose=0,  # Progress says it, in lines a log file can hold
    )


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
