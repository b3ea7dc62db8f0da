"""Shared fixtures: small real corpora cut from hannds, and a tiny trained, exported model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicgen_live.midi_files import notes_from_midi, write_midi
from musicgen_live.training.datasets import hannds_folder

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
TINY_WINDOW = 8


def cut_piece(source: Path, target: Path, notes: int) -> None:
    """The first `notes` notes of a real performance, as a new file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_midi(target, notes_from_midi(source)[:notes])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need the tiny trained model are marked `model`: the pure suite
    (`-m "not jack and not slow and not model"`) trains nothing."""
    for item in items:
        if {"tiny_run", "tiny_model"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def hannds_pieces() -> list[Path]:
    root = hannds_folder()
    return sorted((root / "train").glob("*.mid"))[:8]


@pytest.fixture(scope="session")
def midi_folder(tmp_path_factory: pytest.TempPathFactory, hannds_pieces: list[Path]) -> Path:
    """Eight real piano excerpts in nested folders, plus one corrupt file."""
    folder = tmp_path_factory.mktemp("midi_folder")
    for index, piece in enumerate(hannds_pieces):
        cut_piece(piece, folder / f"set{index % 2}" / f"{piece.stem}.mid", 120)
    (folder / "set0" / "corrupt.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage")
    return folder


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, midi_folder: Path) -> Path:
    """A two-epoch run of the default architecture on the small folder, long enough for the
    heads to learn the corpus' short steps (the live tests wait for whole answers)."""
    from musicgen_live.train_config import TrainConfig
    from musicgen_live.training.train import train

    out = tmp_path_factory.mktemp("runs") / "tiny"
    config = TrainConfig(
        data=str(midi_folder),
        arch="note_lstm",
        out=str(out),
        window=TINY_WINDOW,
        batch_size=32,
        epochs=2,
        steps_per_epoch=20,
        learning_rate=0.01,
        validation_windows=200,
        transpose=2,
        stretch=0.1,
        cache_dir=str(tmp_path_factory.mktemp("cache")),
        deterministic=True,  # the suite tests one model, the same in every run
    )
    return train(config, progress=False)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_run: Path) -> Path:
    from musicgen_live.model.export import export_run

    return export_run(tiny_run, tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def test_piece() -> Path:
    """A held-out hannds performance (never trained on)."""
    return sorted((hannds_folder() / "test").glob("*.mid"))[0]


@pytest.fixture(scope="session")
def jack_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JACK dummy server of our own; the tests' and the engine's ports live on it."""
    from tests.jack import start_jack
    from tests.rig.jack_rig import close_listers

    name = f"musicgen-test-{os.getpid()}"
    # 256-frame periods (5.3 ms): the tests check what happens, with a period's room for
    # a busy machine; timing itself is measured by the benchmarks, at 64 frames
    process = start_jack(name, tmp_path_factory.mktemp("jack") / "jackd.log", period=256)
    os.environ["JACK_DEFAULT_SERVER"] = name
    yield name
    close_listers()
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session", autouse=True)
def short_gil_slices() -> None:
    """The tests' JACK ports run Python on JACK's threads, like the engine's."""
    import sys

    sys.setswitchinterval(0.0005)
