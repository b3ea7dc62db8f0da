"""Per-note inference of an exported model: LiteRT on one thread vs Keras `model.predict`.

A LiteRT note is a whole note as the live engine draws it in an answer: the network's run
(a stateful model advances its state by the note before; any other re-reads its window),
one head run per attribute after pitch, and the sampling between them, for every reading
the model makes. An answer's first note also reads the phrase's window: it is timed apart
(it is part of the response time that `latency.py` measures). The window re-read for every
note, the way a model that carries no state draws, is timed too. Keras runs the same
weights (body and every head in one call) on the same windows in this process. Prints a
table, then one JSON line: litert_p50_ms, litert_p99_ms (notes after the first),
first_note_p50_ms, first_note_p99_ms, reread_p50_ms, reread_p99_ms, keras_predict_p50_ms,
speedup, notes_per_s.

    .venv/bin/python benchmarks/inference.py [--model FOLDER] [--run RUN_DIR]

The Keras side loads model.keras, the trained weights that `musicgen-live export` writes
beside the TFLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from musicgen_live import assets  # noqa: E402
from musicgen_live.continuation import continue_notes  # noqa: E402
from musicgen_live.contract import feature_bins  # noqa: E402
from musicgen_live.midi_files import notes_from_midi  # noqa: E402
from musicgen_live.notes import notes_to_features  # noqa: E402
from musicgen_live.runtime import ModelRunner, fill_window  # noqa: E402
from musicgen_live.sampling import Sampling  # noqa: E402
from musicgen_live.training.datasets import hannds_folder  # noqa: E402


def percentile_ms(samples: list[float], q: float) -> float:
    return float(np.percentile(np.array(samples) * 1000, q))


def time_calls(function: object, windows: list[np.ndarray]) -> list[float]:
    samples = []
    for window in windows:
        start = time.perf_counter()
        function(window)  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return samples


def time_answers(
    runner: ModelRunner,
    rows: np.ndarray,
    notes: int,
    sampling: Sampling,
    rng: np.random.Generator,
    per_answer: int = 32,
) -> tuple[list[float], list[float]]:
    """(first notes, later notes) of answers to ever longer phrases, as the engine draws
    them from `generate`."""
    firsts: list[float] = []
    later: list[float] = []
    answer = 0
    while len(later) < notes:
        stream = runner.generate(rows[: 8 + answer % (len(rows) - 8)], sampling, rng)
        for index in range(per_answer):
            start = time.perf_counter()
            next(stream)
            (later if index else firsts).append(time.perf_counter() - start)
        answer += 1
    return firsts, later[:notes]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=assets.default_model())
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--keras-notes", type=int, default=60)
    args = parser.parse_args()

    runner = ModelRunner.load(args.model, threads=1)
    seed = notes_from_midi(sorted((hannds_folder() / "test").glob("*.mid"))[0])[:64]
    rows = notes_to_features(seed)
    windows = [fill_window(rows[: i + 1], runner.window) for i in range(len(rows))]
    windows = (windows * (args.notes // len(windows) + 1))[: args.notes]

    rng, sampling = np.random.default_rng(0), Sampling()

    def whole_note(window: np.ndarray) -> np.ndarray:
        return runner.sample(window, sampling, rng)

    for window in windows[:20]:  # warm-up
        whole_note(window)
    reread = time_calls(whole_note, windows)
    firsts, litert = time_answers(runner, rows, args.notes, sampling, rng)

    start = time.perf_counter()
    generated = continue_notes(runner, seed, args.notes, sampling, 0)
    notes_per_s = len(generated) / (time.perf_counter() - start)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from musicgen_live.model.architectures import load_checkpoint

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras_model = load_checkpoint(args.model / "model.keras")
    classes_shape = keras_model.input["classes"].shape[1:]
    batch = [
        {
            "notes": w[None],
            "classes": np.broadcast_to(feature_bins(w[-1]), (1, *classes_shape)).copy(),
        }
        for w in windows[: args.keras_notes]
    ]
    for inputs in batch[:3]:
        keras_model.predict(inputs, verbose=0)
    keras = time_calls(lambda inputs: keras_model.predict(inputs, verbose=0), batch)

    result = {
        "model": str(args.model),
        "arch": runner.arch,
        "window": runner.window,
        "readings": len(runner.readings),
        "stateful": runner.stateful,
        "litert_p50_ms": round(percentile_ms(litert, 50), 3),
        "litert_p99_ms": round(percentile_ms(litert, 99), 3),
        "first_note_p50_ms": round(percentile_ms(firsts, 50), 3),
        "first_note_p99_ms": round(percentile_ms(firsts, 99), 3),
        "reread_p50_ms": round(percentile_ms(reread, 50), 3),
        "reread_p99_ms": round(percentile_ms(reread, 99), 3),
        "keras_predict_p50_ms": round(percentile_ms(keras, 50), 3),
        "keras_predict_p99_ms": round(percentile_ms(keras, 99), 3),
        "speedup": round(percentile_ms(keras, 50) / percentile_ms(litert, 50), 1),
        "notes_per_s": round(notes_per_s, 1),
    }
    print(f"{len(runner.readings)} readings per note; carries its state: {runner.stateful}")
    print(f"{'whole note':<40}{'p50 ms':>10}{'p99 ms':>10}")
    for title, key in (
        ("LiteRT, 1 thread, in an answer", "litert"),
        ("LiteRT, an answer's first note", "first_note"),
        ("LiteRT, re-reading the window", "reread"),
        ("Keras model.predict", "keras_predict"),
    ):
        print(f"{title:<40}{result[key + '_p50_ms']:>10.3f}{result[key + '_p99_ms']:>10.3f}")
    print(f"speedup (p50): {result['speedup']}x; generation: {result['notes_per_s']} notes/s")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
