"""Does an answer follow the player? Each held-out phrase is also played at half and double
tempo, softly and loudly, an octave down and up, and the answers' pulse, loudness and
register are set against the phrase's (numpy only; README, "Judging answers as music").

The real continuation, transformed with its phrase, is judged the same way: it follows
by construction, so its slopes are the reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial

import numpy as np

from musicgen_live.notes import Note
from musicgen_live.training.music import HeldOutPhrase, pulse_of

PLAIN = "x1"
TEMPI = {"x0.5": 0.5, PLAIN: 1.0, "x2": 2.0}  # tempo factors: x0.5 plays every time twice as long
LOUDNESS = {"soft": 40.0, "loud": 100.0}  # mean velocities the phrase is scaled to
REGISTERS = {"-12": -12, "+12": 12}  # semitones the phrase is moved by
OFF_PULSE = 1.5  # an answer's pulse this many times off the phrase's (either way) is off

Transform = Callable[[list[Note]], list[Note]]
# Answers per condition (a name of CONDITIONS), then per phrase, then per sample.
Answers = dict[str, Sequence[Sequence[Sequence[Note]]]]


def at_tempo(held: HeldOutPhrase, factor: float) -> Transform:
    """Every time divided by `factor`, from the phrase's first onset."""
    origin = min(note.start for note in held.phrase)

    def scaled(notes: list[Note]) -> list[Note]:
        return [
            replace(
                n,
                start=origin + (n.start - origin) / factor,
                end=origin + (n.end - origin) / factor,
            )
            for n in notes
        ]

    return scaled


def at_loudness(held: HeldOutPhrase, mean: float) -> Transform:
    """Every velocity scaled by one factor, so the phrase's mean becomes `mean` once they are
    kept within 1-127 (a loud phrase's loudest notes stop at 127, the others go further)."""
    velocities = np.array([note.velocity for note in held.phrase], dtype=np.float64)
    factor = mean / float(np.mean(velocities))
    for _ in range(10):
        factor *= mean / float(np.mean(np.clip(velocities * factor, 1, 127)))

    def scaled(notes: list[Note]) -> list[Note]:
        return [
            replace(n, velocity=int(np.clip(round(n.velocity * factor), 1, 127))) for n in notes
        ]

    return scaled


def moved(held: HeldOutPhrase, semitones: int) -> Transform:
    """Every pitch moved by `semitones` (kept within 0-127)."""

    def shifted(notes: list[Note]) -> list[Note]:
        return [replace(n, pitch=int(np.clip(n.pitch + semitones, 0, 127))) for n in notes]

    return shifted


# How each condition plays a phrase (and its real continuation); x1 as it was played.
CONDITIONS: Mapping[str, Callable[[HeldOutPhrase], Transform]] = (
    {name: partial(at_tempo, factor=factor) for name, factor in TEMPI.items()}
    | {name: partial(at_loudness, mean=mean) for name, mean in LOUDNESS.items()}
    | {name: partial(moved, semitones=shift) for name, shift in REGISTERS.items()}
)


def played_as(held: HeldOutPhrase, condition: str) -> HeldOutPhrase:
    """The phrase and its real continuation played as `condition` says."""
    transform = CONDITIONS[condition](held)
    return replace(held, phrase=transform(held.phrase), real=transform(held.real))


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else math.nan


def _mean_of(figure: Callable[[Sequence[Note]], float], samples: Sequence[Sequence[Note]]) -> float:
    return _mean([figure(answer) for answer in samples if answer])


def _velocity(notes: Sequence[Note]) -> float:
    return float(np.mean([note.velocity for note in notes]))


def _pitch(notes: Sequence[Note]) -> float:
    return float(np.mean([note.pitch for note in notes]))


def tempo_slope(phrases: Sequence[HeldOutPhrase], answers: Answers) -> float:
    """Per phrase, the least-squares slope of log answer pulse (averaged in log over samples)
    on log phrase pulse over the tempi; the mean over phrases with a pulse at every tempo."""
    slopes = []
    for index, held in enumerate(phrases):
        played, heard = [], []
        for condition in TEMPI:
            phrase_pulse = pulse_of(played_as(held, condition).phrase)
            logs = [math.log(p) for p in map(pulse_of, answers[condition][index]) if p]
            if phrase_pulse is None or not logs:
                break
            played.append(math.log(phrase_pulse))
            heard.append(_mean(logs))
        else:
            slopes.append(float(np.polyfit(played, heard, 1)[0]))
    return _mean(slopes)


def loudness_slope(phrases: Sequence[HeldOutPhrase], answers: Answers) -> float:
    """Per phrase, (answer mean velocity, loud - soft) / (phrase mean velocity, loud - soft),
    each answer's mean averaged over samples; the mean over phrases."""
    slopes = []
    for index, held in enumerate(phrases):
        soft, loud = (played_as(held, condition).phrase for condition in LOUDNESS)
        answered = [_mean_of(_velocity, answers[condition][index]) for condition in LOUDNESS]
        slopes.append((answered[1] - answered[0]) / (_velocity(loud) - _velocity(soft)))
    return _mean(slopes)


def register_slope(phrases: Sequence[HeldOutPhrase], answers: Answers) -> float:
    """Per phrase, (answer mean pitch at +12 - at -12) / 24; the mean over phrases."""
    low, high = REGISTERS
    span = REGISTERS[high] - REGISTERS[low]
    return _mean(
        [
            (_mean_of(_pitch, answers[high][index]) - _mean_of(_pitch, answers[low][index])) / span
            for index in range(len(phrases))
        ]
    )


def off_pulse(phrases: Sequence[HeldOutPhrase], answers: Answers) -> float:
    """Share of single answers at x1 whose pulse is more than OFF_PULSE times off the
    phrase's, either way (an answer without a pulse is off); phrases without one are left out."""
    off = []
    for held, samples in zip(phrases, answers[PLAIN], strict=True):
        phrase_pulse = pulse_of(held.phrase)
        if phrase_pulse is None:
            continue
        for answer in samples:
            answer_pulse = pulse_of(answer)
            ratio = math.inf if answer_pulse is None else answer_pulse / phrase_pulse
            off.append(not 1 / OFF_PULSE <= ratio <= OFF_PULSE)
    return _mean(off)


def follow_figures(phrases: Sequence[HeldOutPhrase], answers: Answers) -> dict[str, float]:
    """The follow table's figures of one column of answers."""
    return {
        "tempo_slope": tempo_slope(phrases, answers),
        "loudness_slope": loudness_slope(phrases, answers),
        "register_slope": register_slope(phrases, answers),
        "off_pulse": off_pulse(phrases, answers),
    }


def real_answers(phrases: Sequence[HeldOutPhrase]) -> Answers:
    """The real continuations as the one answer per phrase, transformed with it."""
    return {
        condition: [[played_as(held, condition).real] for held in phrases]
        for condition in CONDITIONS
    }
