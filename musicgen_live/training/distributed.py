"""Training across devices and worker processes: the tf.distribute strategy by name, and the
loop a MultiWorkerMirroredStrategy cluster (from TF_CONFIG) trains in.

Keras 3's `fit` cannot reduce its logs across workers (it asks CollectiveAllReduce to
average scalars along axis 0), so workers run Keras' own train and test steps in this short
loop instead, with the same callbacks as `fit`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from musicgen_live.errors import UserError

STRATEGIES = ("default", "mirrored", "multi-worker")
StepHook = Callable[[int, dict[str, float]], None]  # a step's number in the epoch, its logs


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


def worker_folder(run_dir: Path) -> Path:
    """Where a worker other than the chief writes its copies, as tf.distribute expects."""
    return run_dir / f"worker-{json.loads(os.environ['TF_CONFIG'])['task']['index']}"


def _local(strategy: tf.distribute.Strategy, structure: Any) -> Any:
    return tf.nest.map_structure(
        lambda value: strategy.experimental_local_results(value)[0], structure
    )


def _step_function(strategy: tf.distribute.Strategy, step: Any) -> Any:
    @tf.function
    def run(iterator: Any) -> Any:
        logs = strategy.run(step, args=(next(iterator),))
        return tf.nest.map_structure(lambda value: strategy.reduce("MEAN", value, axis=None), logs)

    return run


def _mean_logs(
    function: Any, iterator: Any, steps: int, on_step: StepHook | None = None
) -> dict[str, float]:
    totals: dict[str, float] = {}
    for step in range(steps):
        logs = {name: float(value) for name, value in function(iterator).items()}
        for name, value in logs.items():
            totals[name] = totals.get(name, 0.0) + value
        if on_step is not None:
            on_step(step, logs)
    return {name: total / steps for name, total in totals.items()}


def fit_multi_worker(
    model: keras.Model,
    strategy: tf.distribute.Strategy,
    train: tf.data.Dataset,
    validation: tf.data.Dataset,
    epochs: int,
    steps_per_epoch: int,
    validation_steps: int,
    initial_epoch: int,
    callbacks: list[keras.callbacks.Callback],
    on_step: StepHook | None = None,
) -> None:
    """Synchronous data-parallel training: each step averages gradients over all workers;
    `on_step` hears of every training step (the others' batch hooks are not called)."""
    train_iterator = iter(strategy.experimental_distribute_dataset(train))
    validation_data = strategy.experimental_distribute_dataset(validation)
    with strategy.scope():  # variables (optimizer slots, metrics) exist before tracing
        model._symbolic_build(data_batch=_local(strategy, next(iter(validation_data))))
    train_step = _step_function(strategy, model.train_step)
    test_step = _step_function(strategy, model.test_step)
    hooks = keras.callbacks.CallbackList(callbacks, model=model)
    hooks.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        hooks.on_epoch_begin(epoch)
        model.reset_metrics()
        logs = _mean_logs(train_step, train_iterator, steps_per_epoch, on_step)
        model.reset_metrics()
        logs |= {
            f"val_{name}": value
            for name, value in _mean_logs(
                test_step, iter(validation_data), validation_steps
            ).items()
        }
        hooks.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    hooks.on_train_end()
