"""tf.data input pipelines over window indexes: windows are gathered per batch, not stored."""

from __future__ import annotations

import tensorflow as tf

from musicgen_live.training.windows import WindowIndex


def window_dataset(
    index: WindowIndex, batch_size: int, shuffle: bool, seed: int = 0, repeat: bool = False
) -> tf.data.Dataset:
    """Batches of (windows, per-head targets) gathered from the concatenated notes."""
    notes = tf.constant(index.notes)
    offsets = tf.range(index.window, dtype=tf.int64)

    def gather(starts: tf.Tensor) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        inputs = tf.gather(notes, starts[:, None] + offsets[None, :])
        following = tf.gather(notes, starts + index.window)
        return inputs, {
            "pitch": tf.cast(following[:, 0], tf.int32),
            "step": following[:, 1:2],
            "duration": following[:, 2:3],
            "velocity": following[:, 3:4] / 127.0,
        }

    dataset = tf.data.Dataset.from_tensor_slices(index.starts)
    if shuffle:
        dataset = dataset.shuffle(len(index.starts), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=repeat)
    return dataset.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
