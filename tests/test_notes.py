import numpy as np

from musicgen_live.notes import (
    MAX_SECONDS,
    Note,
    NoteEvent,
    clip_features,
    features_to_notes,
    note_events,
    notes_to_features,
)


def test_note_events_end_notes_before_others_start_at_the_same_instant() -> None:
    notes = [Note(60, 80, 1.0, 1.5), Note(60, 90, 0.5, 1.0), Note(64, 70, 0.5, 1.0)]
    assert note_events(notes, since=0.5) == [
        NoteEvent(0.0, True, 60, 90),
        NoteEvent(0.0, True, 64, 70),
        NoteEvent(0.5, False, 60, 0),
        NoteEvent(0.5, False, 64, 0),
        NoteEvent(0.5, True, 60, 80),  # struck again as it ends: sounds anew
        NoteEvent(1.0, False, 60, 0),
    ]


def test_features_are_step_duration_and_velocity_in_start_order() -> None:
    notes = [Note(64, 80, 1.0, 1.5), Note(60, 90, 0.5, 2.0), Note(67, 70, 1.0, 1.25)]
    rows = notes_to_features(notes)
    assert rows.tolist() == [
        [60, 0.0, 1.5, 90],
        [64, 0.5, 0.5, 80],
        [67, 0.0, 0.25, 70],  # a chord: step 0
    ]


def test_features_to_notes_inverts_notes_to_features() -> None:
    notes = [Note(60, 90, 0.5, 2.0), Note(64, 80, 1.0, 1.5), Note(67, 70, 1.0, 1.25)]
    back = features_to_notes(notes_to_features(notes), start=0.5)
    assert back == notes


def test_clip_keeps_features_in_the_models_range() -> None:
    rows = np.array([[130, -1.0, 9.0, 0], [-3, 10.0, -2.0, 300]], dtype=np.float32)
    clipped = clip_features(rows)
    assert clipped.tolist() == [[127, 0.0, MAX_SECONDS, 1], [0, MAX_SECONDS, 0.0, 127]]
