from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from musicgen_live.notes import Note
from musicgen_live.sampling import Sampling
from musicgen_live.training.music import HeldOutPhrase, real_column
from musicgen_live.training.music_eval import (
    ALL,
    collect_answers,
    endings_column,
    judged,
    music_table,
    real_judged,
)
from musicgen_live.training.music_follow import CONDITIONS, PLAIN, real_answers
from tests.helpers import exit_code, one_line_error


def playing(count: int, start: float = 0.0) -> list[Note]:
    gaps = [0.0, 0.01, 0.4, 0.2, 0.9, 0.0, 0.15]
    notes, time = [], start
    for i in range(count):
        time += gaps[i % len(gaps)]
        notes.append(Note(48 + (i * 7) % 24, 40 + (i * 13) % 60, time, time + 0.1 + 0.3 * (i % 5)))
    return notes


def phrases() -> list[HeldOutPhrase]:
    return [
        HeldOutPhrase(str(i), notes[:32], notes[32:])
        for i, notes in enumerate(playing(64 + i, start=i) for i in range(3))
    ]


def test_answers_to_every_condition_draw_from_the_same_seeds() -> None:
    drawn: list[float] = []

    def answer(held: HeldOutPhrase, rng: np.random.Generator) -> list[Note]:
        drawn.append(float(rng.random()))
        return held.real

    answers = collect_answers(phrases(), answer, samples=2)
    assert set(answers) == set(CONDITIONS) and len(answers[PLAIN]) == 3
    assert all(len(samples) == 2 for samples in answers["+12"])
    assert answers["+12"][1][0][0].pitch == phrases()[1].real[0].pitch + 12
    # per condition, phrase and sample: each condition drew what x1 drew, samples differ
    draws = np.reshape(drawn, (len(CONDITIONS), 3, 2))
    assert (draws == draws[0]).all()
    assert len(np.unique(draws[0])) == 6


def test_the_real_continuation_as_an_answer_scores_as_real() -> None:
    held_out = phrases()
    as_answer = judged(held_out, real_answers(held_out))
    real = real_judged(held_out)
    assert as_answer["tempo_slope"] == pytest.approx(real["tempo_slope"])
    assert as_answer["ends_on_tonic"] == real["ends_on_tonic"]
    assert as_answer["restruck"] == real["restruck"]
    # only the pooled distance differs: against itself 0, for real the even/odd floor
    assert as_answer["pooled_ioi_distance"] == 0.0
    assert real["pooled_ioi_distance"] == real_column(held_out)["pooled_ioi_distance"]


def test_piece_endings_are_judged_on_their_close_only() -> None:
    c_major = [Note(p, 64, 0.5 * i, 0.5 * i + 0.4) for i, p in enumerate([60, 62, 64, 65, 67] * 4)]
    closing = [Note(60, 64, 20.0, 22.0)]  # C, long
    ending = HeldOutPhrase("piece", c_major, [*c_major[:8], *closing])
    open_ended = HeldOutPhrase("other", c_major, c_major[:9])  # ends on E, short
    column = endings_column([ending, open_ended])
    assert column == {"ends_on_tonic": 0.5, "ends_long": 0.5}
    assert endings_column([]) == {}


def test_a_folder_never_trained_on_gives_phrases_from_every_file(midi_folder: Path) -> None:
    report = music_table(str(midi_folder), [], Sampling(), split=ALL, progress=False)
    titles = [title for title, _ in report.columns]
    assert titles == ["real", "real piece endings (8)"]  # no bigram: it would have learned them
    assert report.phrases == 80 and report.endings == 8  # every file, 120 notes each


def test_split_all_is_for_music_only(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, ["eval", "--split", "all"])
    assert "--split all: only with --music" in line


def test_eval_music_prints_every_table(
    capsys: pytest.CaptureFixture[str], tiny_model: Path, midi_folder: Path
) -> None:
    argv = ["eval", "--music", "--data", str(midi_folder), "--model", str(tiny_model)]
    argv += ["--samples", "1", "--long", "--long-notes", "200", "--long-phrases", "2"]
    assert exit_code([*argv, "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert "phrases of the validation split" in printed
    for row in ("| pulse (s) |", "| tempo slope |", "| ends on the tonic |", "| flams |"):
        assert row in printed
    assert "Drift of tiny (note_lstm): 2 answers of 200 notes" in printed
    assert "| 101-200 |" in printed and "| 135-200 |" in printed
