"""The shape of an answer as its notes are drawn: a pianist's hand, which does not strike a
key it still holds down, and an ending, which closes on the phrase's tonic with a long note
once the answer has reached its length. Both steer by reweighting the model's distributions;
neither adds nor forces a note (numpy only)."""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field

import numpy as np

from musicgen_live import contract
from musicgen_live.follow import onset_groups
from musicgen_live.keys import estimate_key, scale_pitch_classes
from musicgen_live.notes import DURATION, PITCH, STEP, VELOCITY

HELD_SHARE = 0.5  # a pitch held past this share of the pulse after the last onset is not struck
ENDING_REACH = 8  # an answer ends at most this many notes past its target
TONIC_WEIGHT = 10.0  # past the target, the tonic is this many times likelier than the model says
LONG_WEIGHT = 30.0  # and a tonic note this many times likelier to be long
LONG = 2.0  # a closing note lasts at least this many times the answer's median duration
PULSE_GAIN = 4.0  # how firmly the answer's pulse is held to the phrase's
PULSE_MEMORY = 8  # gaps between onset groups the running pulse is read from
PULSE_SPREAD = math.log(2.5)  # gaps this many times off the pulse are e^-0.5 as likely
CHARACTER_MEMORY = 32  # notes the running key and loudness are read from
KEY_GAIN = 10.0  # log weight on the key's scale per unit of out-of-scale share above the phrase's
LOUDNESS_GAIN = 2.0  # how firmly the running loudness is held to the phrase's
VELOCITY_EDGES = contract.EDGES["velocity"]
STEP_EDGES = contract.EDGES["step"]
DURATION_EDGES = contract.EDGES["duration"]


@dataclass
class Hand:
    """The keys an answer holds down: for each pitch, when it is released, in seconds from
    the answer's start; `time` is the last onset."""

    time: float = 0.0
    ends: dict[int, float] = field(default_factory=dict)
    starts: dict[int, float] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)

    def held_bias(self, beyond: float) -> np.ndarray:
        """Log weights per pitch: pitches the hand holds more than `beyond` seconds past the
        last onset, which the next note would almost surely strike while still down, are
        left out (a pianist lifts a key before striking it again)."""
        bias = np.zeros(128)
        for pitch, end in self.ends.items():
            if end - self.time > beyond or self.starts.get(pitch) == self.time:
                bias[pitch] = -np.inf  # held on, or struck in this very chord (a flam)
        return bias

    def play(self, row: np.ndarray) -> None:
        self.time += float(row[STEP])
        self.ends[int(row[PITCH])] = self.time + float(row[DURATION])
        self.starts[int(row[PITCH])] = self.time
        self.durations.append(float(row[DURATION]))

    def median_duration(self) -> float:
        return float(np.median(self.durations)) if self.durations else 0.0


@dataclass(frozen=True)
class Ending:
    """Past `target` notes, the answer looks for a close: a note on the phrase's tonic that
    lasts at least LONG times the answer's median duration."""

    tonic: int  # pitch class
    target: int

    @classmethod
    def of(cls, phrase: np.ndarray, target: int) -> Ending:
        tonic, _ = estimate_key(np.asarray(phrase)[:, PITCH].astype(int).tolist())
        return cls(tonic, target)

    def pitch_bias(self) -> np.ndarray:
        """Log weights per pitch: the tonic's pitches TONIC_WEIGHT times likelier."""
        bias = np.zeros(128)
        bias[self.tonic :: 12] = math.log(TONIC_WEIGHT)
        return bias

    def duration_bias(self, pitch: int, hand: Hand) -> np.ndarray | None:
        """For a tonic note: log weights per duration class, the long ones likelier."""
        if pitch % 12 != self.tonic or not hand.durations:
            return None
        long_from = LONG * hand.median_duration()
        return np.where(DURATION_EDGES[:-1] >= long_from, math.log(LONG_WEIGHT), 0.0)

    def closes(self, row: np.ndarray, hand: Hand) -> bool:
        """Whether the note just drawn (and played into `hand`) ends the answer."""
        median = float(np.median(hand.durations[:-1])) if len(hand.durations) > 1 else 0.0
        return int(row[PITCH]) % 12 == self.tonic and float(row[DURATION]) >= LONG * median


class Pulse:
    """Holds an answer's pulse near the phrase's: the running pulse (the median of the last
    PULSE_MEMORY gaps between onset groups, the phrase's own to begin with) tilts the step
    distribution toward shorter gaps when the answer drags and longer ones when it rushes,
    leaving chords and the shape of the rhythm to the model."""

    def __init__(self, phrase: np.ndarray) -> None:
        gaps = np.diff(onset_groups(np.asarray(phrase)[:, STEP]))
        self.target = float(np.median(gaps)) if len(gaps) >= 2 else None
        self.gaps: collections.deque[float] = collections.deque(gaps, maxlen=PULSE_MEMORY)
        edges = STEP_EDGES[1:]  # the classes after the chord class
        self.centres = np.sqrt(edges[:-1] * edges[1:])

    def bias(self) -> np.ndarray | None:
        """Log weights for the step classes after the chord class; None when there is no
        pulse to hold."""
        if self.target is None or not self.gaps:
            return None
        drift = math.log(float(np.median(self.gaps)) / self.target)
        distance = np.log(self.centres / self.target)
        return -PULSE_GAIN * drift * distance - 0.5 * (distance / PULSE_SPREAD) ** 2

    def play(self, row: np.ndarray) -> None:
        if float(row[STEP]) >= contract.CHORD_SECONDS:
            self.gaps.append(float(row[STEP]))


class Character:
    """Keeps a long answer in the phrase's key and touch: once the last CHARACTER_MEMORY
    notes stray out of the key's scale more than the phrase did, the scale's pitches grow
    likelier in proportion; once they grow louder or softer than the phrase, velocities
    lean back toward it."""

    def __init__(self, phrase: np.ndarray) -> None:
        phrase = np.asarray(phrase)
        pitches = phrase[:, PITCH].astype(int)
        self.scale = np.zeros(128, dtype=bool)
        for pitch_class in scale_pitch_classes(estimate_key(pitches.tolist())):
            self.scale[pitch_class::12] = True
        self.strays = float(np.mean(~self.scale[pitches]))  # the phrase's own out-of-scale share
        self.loudness = float(phrase[:, VELOCITY].mean())
        self.pitches: collections.deque[int] = collections.deque(maxlen=CHARACTER_MEMORY)
        self.velocities: collections.deque[float] = collections.deque(maxlen=CHARACTER_MEMORY)
        self.centres = (VELOCITY_EDGES[:-1] + VELOCITY_EDGES[1:]) / 2

    def pitch_bias(self) -> np.ndarray:
        bias = np.zeros(128)
        if len(self.pitches) == CHARACTER_MEMORY:
            strayed = float(np.mean(~self.scale[np.asarray(self.pitches)])) - self.strays
            bias[self.scale] = KEY_GAIN * max(0.0, strayed)
        return bias

    def velocity_bias(self) -> np.ndarray | None:
        if len(self.velocities) < CHARACTER_MEMORY:
            return None
        drift = float(np.mean(self.velocities)) - self.loudness
        return -LOUDNESS_GAIN * drift * (self.centres - self.loudness) / 256

    def play(self, row: np.ndarray) -> None:
        self.pitches.append(int(row[PITCH]))
        self.velocities.append(float(row[VELOCITY]))


class AnswerShape:
    """Everything that steers one answer as it is drawn: the hand, the pulse, the character
    and, with a target length, the ending (which leans in once the target is reached)."""

    def __init__(self, phrase: np.ndarray, target: int | None = None) -> None:
        self.hand, self.pulse, self.character = Hand(), Pulse(phrase), Character(phrase)
        self.ending = None if target is None else Ending.of(phrase, target)

    @property
    def notes(self) -> int:
        return len(self.hand.durations)

    def closing(self) -> Ending | None:
        """The ending, once the answer has reached its target."""
        ending = self.ending
        return ending if ending is not None and self.notes >= ending.target else None

    def pitch_bias(self) -> np.ndarray:
        ending = self.closing()
        bias = np.zeros(128) if ending is None else ending.pitch_bias()
        bias += self.character.pitch_bias()
        if self.pulse.target is not None:
            bias += self.hand.held_bias(beyond=HELD_SHARE * self.pulse.target)
        return bias

    def lean(self, attribute: str, pitch: int) -> np.ndarray | None:
        """Log weights for an attribute's classes after pitch (None: as the model says)."""
        if attribute == "step":
            return self.pulse.bias()
        if attribute == "velocity":
            return self.character.velocity_bias()
        ending = self.closing()
        if attribute == "duration" and ending is not None:
            return ending.duration_bias(pitch, self.hand)
        return None

    def play(self, row: np.ndarray) -> bool:
        """Take in the note just drawn; whether it ends the answer."""
        ending = self.closing()
        for part in (self.hand, self.pulse, self.character):
            part.play(row)
        if ending is None:
            return False
        return ending.closes(row, self.hand) or self.notes >= ending.target + ENDING_REACH
