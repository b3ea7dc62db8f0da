"""The piano roll tells the seed from the continuation, in its bars and in its legend."""

from matplotlib.colors import to_rgb

from musicgen_live.notes import Note
from musicgen_live.training.plots import piano_roll_figure


def test_legend_colours_match_the_bars_of_seed_and_continuation() -> None:
    seed = [Note(60, 80, 0.0, 0.5), Note(64, 80, 0.5, 1.0)]
    continuation = [Note(67, 80, 1.0, 1.5)]
    axis = piano_roll_figure(seed, continuation).axes[0]
    bars = [to_rgb(patch.get_facecolor()) for patch in axis.patches]
    legend = {
        text.get_text(): to_rgb(handle.get_facecolor())
        for text, handle in zip(
            axis.get_legend().get_texts(), axis.get_legend().legend_handles, strict=True
        )
    }
    assert legend["seed"] == bars[0] == bars[1]
    assert legend["continuation"] == bars[2]
    assert legend["seed"] != legend["continuation"]
