import csv
import json
from pathlib import Path

import pytest

from musicgen_live.errors import UserError
from musicgen_live.training import datasets
from musicgen_live.training.datasets import discover, hannds_files, load_corpus, skip_report


def test_folder_split_is_by_file_and_deterministic(midi_folder: Path, tmp_path: Path) -> None:
    kind, files = discover(str(midi_folder))
    assert kind == "midi folder"
    assert len(files) == 9  # recursive, the corrupt file included
    assert discover(str(midi_folder))[1] == files
    corpus = load_corpus(str(midi_folder), cache_dir=tmp_path, progress=False)
    names = [Path(name).name for split in corpus.pieces.values() for name, _ in split]
    assert len(names) == len(set(names)) == 8


def test_corrupt_file_is_skipped_with_its_reason(midi_folder: Path, tmp_path: Path) -> None:
    corpus = load_corpus(str(midi_folder), cache_dir=tmp_path, progress=False)
    assert [Path(path).name for path, _ in corpus.skipped] == ["corrupt.mid"]
    report = skip_report(corpus)
    assert any("corrupt.mid: not a readable MIDI file" in line for line in report)
    assert report[-1].startswith("1 skipped:")


def test_second_load_reads_the_cache_not_the_midi(
    midi_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_corpus(str(midi_folder), cache_dir=tmp_path, progress=False)

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a file that was cached")

    monkeypatch.setattr(datasets, "features_from_midi", no_parsing)
    second = load_corpus(str(midi_folder), cache_dir=tmp_path, progress=False)
    assert second.notes("train") == first.notes("train") > 0


def make_maestro(folder: Path, source: Path, index_format: str) -> dict[str, str]:
    """A tiny folder laid out like MAESTRO v3: year folders and its index with a split column."""
    pieces = sorted(p for p in source.rglob("*.mid") if p.name != "corrupt.mid")
    splits = ["train", "train", "train", "train", "validation", "validation", "test", "test"]
    rows = []
    for index, (piece, split) in enumerate(zip(pieces, splits, strict=True)):
        name = f"{2004 + index % 3}/MIDI-Unprocessed_{index:02d}.midi"
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(piece.read_bytes())
        rows.append(
            {
                "canonical_composer": "Composer",
                "canonical_title": piece.stem,
                "split": split,
                "year": str(2004 + index % 3),
                "midi_filename": name,
                "audio_filename": name.replace(".midi", ".wav"),
                "duration": "60.0",
            }
        )
    if index_format == "csv":
        with (folder / "maestro-v3.0.0.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:  # the published JSON is column-oriented
        columns = {key: {str(i): row[key] for i, row in enumerate(rows)} for key in rows[0]}
        (folder / "maestro-v3.0.0.json").write_text(json.dumps(columns))
    return {row["midi_filename"]: row["split"] for row in rows}


@pytest.mark.parametrize("index_format", ["csv", "json"])
def test_maestro_split_column_is_honoured(
    midi_folder: Path, tmp_path: Path, index_format: str
) -> None:
    expected = make_maestro(tmp_path / "maestro", midi_folder, index_format)
    corpus = load_corpus(str(tmp_path / "maestro"), cache_dir=tmp_path / "cache", progress=False)
    assert corpus.source == "maestro-v3.0.0"
    found = {
        str(Path(name).relative_to(tmp_path / "maestro")): split
        for split, pieces in corpus.pieces.items()
        for name, _ in pieces
    }
    assert found == expected


def test_maestro_file_missing_from_disk_is_skipped(midi_folder: Path, tmp_path: Path) -> None:
    expected = make_maestro(tmp_path / "maestro", midi_folder, "csv")
    gone = next(name for name, split in expected.items() if split == "test")
    (tmp_path / "maestro" / gone).unlink()
    corpus = load_corpus(str(tmp_path / "maestro"), cache_dir=tmp_path / "cache", progress=False)
    assert [reason for _, reason in corpus.skipped] == [
        f"{tmp_path / 'maestro' / gone}: listed but missing"
    ]


def test_hannds_test_pieces_are_held_out_and_validation_is_cut_by_piece() -> None:
    files = hannds_files()
    by_split: dict[str, set[str]] = {}
    for path, split in files:
        by_split.setdefault(split, set()).add(path.name)
    assert len(by_split["test"]) == 3
    assert all(path.parent.name == "test" for path, split in files if split == "test")
    assert by_split["validation"] and by_split["train"]
    assert not by_split["validation"] & by_split["train"]
    assert len(files) == 122


def test_folder_with_no_usable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "broken.mid").write_bytes(b"junk")
    with pytest.raises(UserError, match="no usable MIDI file"):
        load_corpus(str(tmp_path), cache_dir=tmp_path / "cache", progress=False)
    with pytest.raises(UserError, match="no such data folder"):
        discover(str(tmp_path / "nowhere"))
