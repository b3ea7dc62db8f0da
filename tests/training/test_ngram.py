import numpy as np

from musicgen_live.training.ngram import NGramModel, fit_baseline


def test_distribution_is_normalised_and_learns_continuations() -> None:
    model = NGramModel(order=3, strength=1.0).fit([[60, 62, 64, 60, 62, 64, 60, 62, 64]])
    probabilities = model.distribution([60, 62])
    assert abs(probabilities.sum() - 1) < 1e-9
    assert probabilities.argmax() == 64
    assert probabilities[64] > 0.5


def test_order_is_chosen_on_validation() -> None:
    # Pitch after 60 depends on the note before it: only a trigram can tell.
    pattern = [55, 60, 67, 57, 60, 69] * 50
    windows = np.array([pattern[i : i + 4] for i in range(0, 60)])
    model = fit_baseline([pattern], windows[:, :3], windows[:, 3])
    assert model.order >= 3
    metrics = model.evaluate(windows[:, :3], windows[:, 3])
    assert metrics["pitch_accuracy"] == 1.0
    assert metrics["pitch_nll"] < 0.2
