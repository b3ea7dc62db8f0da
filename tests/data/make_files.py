"""Writes the small band files of this folder (run once; the files are committed)."""

from pathlib import Path

import pretty_midi

HERE = Path(__file__).parent
BEAT = 0.25
MELODY = [72, 74, 76, 77, 79, 77, 76, 74, 72, 76, 79, 84, 79, 76, 74, 72] * 2


def track(name: str, program: int, notes: list[tuple[int, float, float]], drum: bool = False):
    instrument = pretty_midi.Instrument(program=program, name=name, is_drum=drum)
    for pitch, start, length in notes:
        instrument.notes.append(pretty_midi.Note(90, pitch, start, start + length))
    return instrument


def main() -> None:
    melody = track("Piano", 0, [(p, i * BEAT, BEAT * 0.9) for i, p in enumerate(MELODY)])
    bass = track("Bass", 33, [(36 + (i % 2) * 7, i * 4 * BEAT, 3 * BEAT) for i in range(8)])
    drums = track("Drums", 0, [(36 + (i % 2) * 2, i * 2 * BEAT, BEAT) for i in range(16)], True)
    pad = track("Strings pad", 89, [(60, 0.0, 8 * BEAT), (64, 0.0, 8 * BEAT)])
    band = pretty_midi.PrettyMIDI()
    band.instruments += [bass, melody, pad, drums]
    band.write(str(HERE / "band.mid"))
    only_drums = pretty_midi.PrettyMIDI()
    only_drums.instruments.append(drums)
    only_drums.write(str(HERE / "drums.mid"))


if __name__ == "__main__":
    main()
