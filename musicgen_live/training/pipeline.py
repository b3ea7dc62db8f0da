"""tf.data input pipelines over window indexes: windows are gathered per batch, not stored.

Augmentation (training only) transposes each window by whole semitones and stretches its
tempo; the classes the heads learn are computed after it, with the contract's bins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from musicgen_live.contract import CHORD_SECONDS, EDGES, FEATURES, MAX_SECONDS
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY
from musicgen_live.training.windows import WindowIndex


@dataclass(frozen=True)
class Augmentation:
    """Random transposition up to +-`transpose` semitones, and a tempo factor drawn
    log-uniformly between 1 / (1 + `stretch`) and 1 + `stretch`."""

    transpose: int = 0
    stretch: float = 0.0


def classes(notes: tf.Tensor) -> tf.Tensor:
    """(..., 4) feature rows to (..., 4) int32 classes, as `contract.feature_bins` does."""
    columns = [tf.cast(tf.clip_by_value(tf.round(notes[..., PITCH]), 0, 127), tf.int32)]
    for i, name in enumerate(FEATURES[1:], start=1):
        inner = [float(edge) for edge in EDGES[name][1:-1].astype(np.float32)]
        columns.append(tf.raw_ops.Bucketize(input=notes[..., i], boundaries=inner))
    return tf.stack(columns, axis=-1)


def _augment(
    inputs: tf.Tensor, following: tf.Tensor, augmentation: Augmentation
) -> tuple[tf.Tensor, tf.Tensor]:
    """The same random shift and stretch for a window and the notes it predicts."""
    batch = tf.shape(inputs)[0]
    shift = tf.cast(
        tf.random.uniform([batch], -augmentation.transpose, augmentation.transpose + 1, tf.int32),
        tf.float32,
    )
    log_stretch = np.log1p(augmentation.stretch)
    factor = tf.exp(tf.random.uniform([batch], -log_stretch, log_stretch))

    def apply(rows: tf.Tensor) -> tf.Tensor:
        extra = [1] * (len(rows.shape) - 1)
        pitch = tf.clip_by_value(rows[..., PITCH] + tf.reshape(shift, [-1, *extra[:-1]]), 0, 127)
        times = rows[..., STEP : DURATION + 1]
        stretched = tf.minimum(times * tf.reshape(factor, [-1, *extra]), MAX_SECONDS)
        # a chord stays a chord, a step does not become one, and a capped time stays capped
        step, stretched_step = times[..., :1], tf.maximum(stretched[..., :1], CHORD_SECONDS)
        stretched = tf.concat(
            [tf.where(step < CHORD_SECONDS, step, stretched_step), stretched[..., 1:]], -1
        )
        times = tf.where(times >= MAX_SECONDS, times, stretched)
        return tf.concat([pitch[..., None], times, rows[..., VELOCITY : VELOCITY + 1]], axis=-1)

    return apply(inputs), apply(following)


def window_dataset(
    index: WindowIndex,
    batch_size: int,
    shuffle: bool,
    seed: int = 0,
    repeat: bool = False,
    sequence: bool = False,
    augmentation: Augmentation | None = None,
) -> tf.data.Dataset:
    """Batches of ({notes, classes}, per-head targets) gathered from the concatenated notes.

    With `sequence`, the targets are the next note of every position of the window;
    otherwise only the note after the window.
    """
    notes = tf.constant(index.notes)
    offsets = tf.range(index.window, dtype=tf.int64)

    def gather(starts: tf.Tensor) -> tuple[dict[str, tf.Tensor], dict[str, tf.Tensor]]:
        inputs = tf.gather(notes, starts[:, None] + offsets[None, :])
        following = (
            tf.gather(notes, starts[:, None] + offsets[None, :] + 1)
            if sequence
            else tf.gather(notes, starts + index.window)
        )
        if augmentation is not None:
            inputs, following = _augment(inputs, following, augmentation)
        target = classes(following)
        labels = {name: target[..., i] for i, name in enumerate(FEATURES)}
        return {"notes": inputs, "classes": target}, labels

    dataset = tf.data.Dataset.from_tensor_slices(index.starts)
    if shuffle:
        dataset = dataset.shuffle(len(index.starts), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=repeat)
    return dataset.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
