"""Quality scoring: the cheap text checks on their own, then whole scores with the real encoder —
junk must land clearly below a real sentence that fits the datanet."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest

from curation import quality
from curation.embedding import Encoder, get_encoder
from curation.quality import (
    DEFAULT_WEIGHTS,
    HeuristicParams,
    combine_heuristics,
    length_score,
    novelty,
    profile_vectors,
    relevance,
    score,
    score_batch,
    text_heuristics,
)

JUNK = [
    "asdf asdf asdf",
    "!!!!!!",
    "buy now click here $$$ " * 8,
    "sdkjfh sldkfj weoiru zxcmvn qpwoei",
    "qwertyuiop asdfghjkl zxcvbnm",
    "photosynthesis",
    "BUY NOW!!! CHEAP PILLS!!! CLICK HERE!!!",
    "hahahahahahahahahahahaha",
    "the the the the the the the the the the",
]

GOOD = [
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "The patient presented with a persistent cough and a mild fever for three days.",
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "Привет, как дела? Сегодня на улице хорошая погода.",
    "東京は日本の首都であり、世界最大の都市圏の一つです。",
    "NASA launched the Artemis I mission in November 2022.",
]

DESCRIPTION = ("Clinical notes: short descriptions of patients' symptoms, diagnoses and treatments, "
               "written by doctors and nurses in hospitals.")
RELEVANT = [
    "The patient reported chest pain radiating to the left arm and was given aspirin.",
    "A 54-year-old woman was admitted with shortness of breath; chest X-ray showed pneumonia.",
    "The nurse noted a fever of 39 degrees and started intravenous antibiotics.",
]
OFF_TOPIC = "The football match ended in a draw after extra time and a missed penalty."


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    # The production backend; the export is kept across runs in the temp dir.
    return get_encoder("onnx-int8", Path(tempfile.gettempdir()) / "datanets-test-models")


@pytest.mark.parametrize("text", JUNK)
def test_junk_fails_the_text_checks(text: str) -> None:
    assert combine_heuristics(text_heuristics(text)) < 0.25, text_heuristics(text)


@pytest.mark.parametrize("text", GOOD)
def test_real_sentences_in_any_language_pass_the_text_checks(text: str) -> None:
    assert combine_heuristics(text_heuristics(text)) >= 0.8, text_heuristics(text)


def test_every_check_is_between_zero_and_one() -> None:
    for text in [*JUNK, *GOOD, "", " ", "\n\t", "a" * 10000, "word " * 30000]:
        checks = text_heuristics(text)
        assert set(checks) == {"length", "repetition", "symbols", "uppercase", "language"}
        assert all(0.0 <= v <= 1.0 for v in checks.values()), (text[:20], checks)


def test_length_penalises_too_short_and_too_long() -> None:
    params = HeuristicParams(ideal_min_words=6, ideal_max_words=100, max_words=1000)
    assert length_score(1, params) == 0.0
    assert 0.0 < length_score(3, params) < length_score(5, params) < 1.0
    assert length_score(6, params) == length_score(100, params) == 1.0
    assert 0.0 < length_score(500, params) < 1.0
    assert length_score(1000, params) == 0.0


def test_templated_prose_is_marked_down_but_not_zeroed() -> None:
    from pydoc_data.topics import topics

    # Real documentation in which a third of the text repeats the same sentence frame.
    assert 0.3 < text_heuristics(topics["bitwise"])["repetition"] < 1.0


def test_relevance_maps_minilm_cosines_onto_zero_to_one() -> None:
    profile = np.eye(4, dtype=np.float32)[:1]
    same, orthogonal = np.eye(4, dtype=np.float32)[:1], np.eye(4, dtype=np.float32)[1:2]
    assert relevance(same, profile)[0] == 1.0 and relevance(orthogonal, profile)[0] == 0.0
    halfway = np.array([[quality.RELEVANCE_FULL, math.sqrt(1 - quality.RELEVANCE_FULL ** 2), 0, 0]])
    assert relevance(halfway, profile)[0] == pytest.approx(1.0, abs=1e-5)
    assert relevance(orthogonal, np.zeros((0, 4)))[0] == 1.0  # no profile yet: don't punish


def test_relevance_takes_the_closer_of_description_and_accepted_centroid() -> None:
    description, accepted = np.eye(3, dtype=np.float32)[0], np.eye(3, dtype=np.float32)[1:2]
    profile = profile_vectors(description, accepted)
    assert profile.shape == (2, 3)
    assert relevance(accepted, profile)[0] == 1.0
    assert profile_vectors(description, np.zeros((0, 3))).shape == (1, 3)


def test_novelty_is_distance_to_the_nearest_accepted_record() -> None:
    np.testing.assert_allclose(novelty([np.nan, 1.0, 0.3, -0.2]), [1.0, 0.0, 0.7, 1.0], atol=1e-6)


def test_score_is_a_weighted_mean_and_refuses_bad_weights() -> None:
    components = {"relevance": 1.0, "novelty": 0.0, "heuristics": 0.5}
    assert score(components, {"relevance": 1, "novelty": 1}) == 0.5
    assert score(components) == pytest.approx(DEFAULT_WEIGHTS["relevance"] + 0.5 * DEFAULT_WEIGHTS["heuristics"])
    with pytest.raises(ValueError, match="Unknown quality component"):
        score(components, {"relevance": 1, "fluency": 1})
    with pytest.raises(ValueError, match="positive"):
        score(components, {"relevance": 0})
    with pytest.raises(ValueError, match="zero or positive"):
        score(components, {"relevance": -1, "novelty": 2})


def test_junk_scores_clearly_below_a_relevant_sentence(encoder: Encoder) -> None:
    texts = [*RELEVANT, OFF_TOPIC, *JUNK]
    profile = profile_vectors(encoder.encode([DESCRIPTION])[0])
    results = score_batch(texts, encoder.encode(texts), profile, None, model_version=encoder.model_version)
    scores = {text: r.score for text, r in zip(texts, results)}
    worst_relevant = min(scores[t] for t in RELEVANT)
    assert worst_relevant >= 0.7, scores
    assert scores[OFF_TOPIC] < worst_relevant - 0.15, scores
    for text in JUNK:
        assert scores[text] < worst_relevant - 0.3, (text, scores)
        assert scores[text] < 0.45, (text, scores)
    assert all(r.model_version == encoder.model_version for r in results)
    assert set(results[0].components) >= {"relevance", "novelty", "heuristics", "length"}


def test_a_paraphrase_of_an_accepted_record_is_less_novel(encoder: Encoder) -> None:
    accepted = encoder.encode(RELEVANT)
    texts = ["The patient complained of chest pain spreading to his left arm and received aspirin.",
             "The nurse changed the dressing on the surgical wound and recorded a normal temperature."]
    embeddings = encoder.encode(texts)
    sims = quality.nearest_similarity(embeddings, accepted)
    profile = profile_vectors(encoder.encode([DESCRIPTION])[0], accepted)
    paraphrase, fresh = score_batch(texts, embeddings, profile, sims)
    assert paraphrase.components["novelty"] < 0.3 < fresh.components["novelty"]
    assert fresh.score > paraphrase.score


def test_score_batch_checks_its_inputs_line_up() -> None:
    with pytest.raises(ValueError, match="2 texts but 1 embeddings"):
        score_batch(["a", "b"], np.zeros((1, 3)), np.zeros((1, 3)))
    assert score_batch([], np.zeros((0, 3)), np.ones((1, 3))) == []
