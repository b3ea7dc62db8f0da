"""The tables `eval --music` prints: figures as rows, one column each (the real continuation
first, the others with ratios to it where "how much like playing" is a ratio)."""

from __future__ import annotations

import math
from collections.abc import Sequence

Column = tuple[str, dict[str, float]]

# Figures in table order and their names in the README, one table each.
ANSWER_FIGURES = {
    "ioi_mean": "IOI mean (s)",
    "ioi_cv": "IOI coefficient of variation",
    "chord_onsets": "chord onsets",
    "pulse": "pulse (s)",
    "pulse_ratio": "pulse over the phrase's",
    "ioi_distance": "log-IOI histogram distance to real, per phrase",
    "pooled_ioi_distance": "pooled log-IOI distance to real",
    "duration_mean": "duration mean (s)",
    "duration_std": "duration std (s)",
    "velocity_mean": "velocity mean",
    "velocity_std": "velocity std",
    "key_related": "key related",
    "out_of_scale": "out-of-scale",
    "pitch_class_distance": "pitch-class distance",
    "register_drift": "register drift",
    "repeated_4grams": "repeated 4-grams",
    "reused_4grams": "4-grams reused from the phrase",
}
FOLLOW_FIGURES = {
    "tempo_slope": "tempo slope",
    "loudness_slope": "loudness slope",
    "register_slope": "register slope",
    "off_pulse": "off the pulse",
}
ENDING_FIGURES = {"ends_on_tonic": "ends on the tonic", "ends_long": "ends long"}
HAND_FIGURES = {
    "restruck": "re-struck",
    "flams": "flams",
    "duration_std": "duration std (s), as drawn",
    "duration_std_heard": "duration std (s), as heard",
}
# Each table's title and figures, in the order printed.
TABLES = (
    ("", ANSWER_FIGURES),
    (
        "Following the player: each phrase also at tempo x0.5 and x2, at mean velocity 40 and "
        "100, and 12 semitones down and up",
        FOLLOW_FIGURES,
    ),
    ("Endings", ENDING_FIGURES),
    ("The hand: keys struck again, and durations as heard (cut where struck again)", HAND_FIGURES),
)
RATIO_FIGURES = (
    "ioi_cv",
    "chord_onsets",
    "pulse",
    "duration_std",
    "duration_std_heard",
    "velocity_std",
)


def ratios_to_real(column: dict[str, float], real: dict[str, float]) -> dict[str, float]:
    """Generated / real for the figures where "how much like playing" is a ratio."""
    return {
        name: column[name] / real[name]
        for name in RATIO_FIGURES
        if name in column and real.get(name)
    }


def format_cells(rows: Sequence[Sequence[str]], markdown: bool = False) -> str:
    """Rows of cells, the first the header: Markdown, or aligned text (names left-aligned,
    numbers right-aligned)."""
    if markdown:
        lines = [rows[0], ["---"] * len(rows[0]), *rows[1:]]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def _value(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3g}"


def format_music_table(
    columns: Sequence[Column], markdown: bool = False, figures: dict[str, str] = ANSWER_FIGURES
) -> str:
    """`figures` as rows; the columns holding any of them (the real one first); the others
    show ratios to real."""
    real = columns[0][1] if columns else {}
    shown = [
        (index, column) for index, column in enumerate(columns) if set(column[1]) & set(figures)
    ]
    header = ["figure", *(title for _, (title, _) in shown)]
    body = []
    for name, label in figures.items():
        if not any(name in column for _, (_, column) in shown):
            continue
        cells = [label]
        for index, (_, column) in shown:
            ratio = ratios_to_real(column, real).get(name) if index else None
            value = _value(column[name]) if name in column else "-"
            cells.append(value if ratio is None else f"{value} ({ratio:.2f}x)")
        body.append(cells)
    return format_cells([header, *body], markdown)


def format_music_tables(columns: Sequence[Column], markdown: bool = False) -> str:
    """Every table of TABLES that has a figure to show, each under its title."""
    parts = []
    for title, figures in TABLES:
        if any(set(column) & set(figures) for _, column in columns):
            table = format_music_table(columns, markdown, figures)
            parts.append(f"{title}\n{table}" if title else table)
    return "\n\n".join(parts)
