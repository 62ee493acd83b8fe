"""The accepted embeddings a worker keeps for novelty and the centroid (curation/scoring.py):
appended to as ingest accepts records, read again when anything else changed, always equal to
what the database holds."""

import numpy as np
import pytest

from curation import moderation, scoring
from datanets.models import Datanet, Record
from tests.factories import make_records_in_review

pytestmark = pytest.mark.django_db


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return v / np.linalg.norm(v)


def _database_matrix(datanet) -> np.ndarray:
    blobs = (Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED).order_by("id")
             .values_list("embedding", flat=True))
    return np.stack([scoring.embedding_from_bytes(b) for b in blobs])


PROBES = np.stack([_unit(100 + i) for i in range(5)] + [_unit(i) for i in range(5)])


def _same_as_database(accepted, datanet) -> None:
    """The set answers as an exact search over what the database holds accepted."""
    matrix = _database_matrix(datanet)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    assert accepted.count == len(matrix)
    np.testing.assert_allclose(accepted.best_similarity(PROBES), (PROBES @ matrix.T).max(axis=1), atol=2e-3)


def test_follows_acceptances_and_takedowns(datanet, alice, bob, django_assert_max_num_queries):
    first = make_records_in_review(datanet, bob, [f"first {i}" for i in range(3)], status="accepted",
                                   embeddings=[_unit(i) for i in range(3)])
    Datanet.objects.filter(pk=datanet.pk).update(record_count=3)
    accepted = scoring.accepted_set(datanet)
    _same_as_database(accepted, datanet)

    # Newer records accepted (as ingest does): appended, in one query after the stamp.
    make_records_in_review(datanet, bob, [f"later {i}" for i in range(2)], status="accepted",
                           embeddings=[_unit(10 + i) for i in range(2)])
    Datanet.objects.filter(pk=datanet.pk).update(record_count=5)
    with django_assert_max_num_queries(2):
        again = scoring.accepted_set(datanet)
    assert again is accepted
    _same_as_database(again, datanet)

    # A takedown of an older record: the count gives it away, the set is read again.
    moderation.record_takedown(record=first[1], actor=alice, reason="Personal data.")
    after = scoring.accepted_set(datanet)
    _same_as_database(after, datanet)
    expected = _database_matrix(datanet).mean(axis=0)
    np.testing.assert_allclose(after.centroid(), expected / np.linalg.norm(expected), atol=1e-3)


def test_novelty_sees_the_records_accepted_since(datanet, bob):
    make_records_in_review(datanet, bob, ["original"], status="accepted", embeddings=[_unit(1)])
    texts = ["Press firmly on the wound with a clean cloth."]
    before = scoring.score(datanet, texts, _unit(2)[None, :])[0]
    make_records_in_review(datanet, bob, ["same meaning"], status="accepted", embeddings=[_unit(2)])
    after = scoring.score(datanet, texts, _unit(2)[None, :])[0]
    assert before.components["novelty"] > 0.5
    assert after.components["novelty"] == pytest.approx(0.0, abs=0.01)


def test_a_large_set_switches_to_the_approximate_index(monkeypatch):
    """Past EXACT_MAX vectors the index is IVF with 8-bit codes: each stored vector is still
    found as its own nearest (cosine ~1), and unrelated queries get close to the exact answer."""
    from curation import novelty_index

    monkeypatch.setattr(novelty_index, "EXACT_MAX", 500)
    monkeypatch.setattr(novelty_index, "TRAIN_SAMPLE", 2000)
    vectors = np.stack([_unit(1000 + i) for i in range(3000)])
    growing = novelty_index.NoveltyIndex(384, expected=400)
    growing.add(vectors[:400])
    assert growing.exact and not growing.stale
    growing.add(vectors[400:])
    assert growing.stale  # grown past the exact size: the owner reads the set again

    rebuilt = novelty_index.NoveltyIndex(384, expected=3000)
    for lo in range(0, 3000, 700):
        rebuilt.add(vectors[lo:lo + 700])
    rebuilt.finish()
    assert not rebuilt.exact and not rebuilt.stale
    assert (rebuilt.best_similarity(vectors[::50]) > 0.97).all()
    queries = np.stack([_unit(9000 + i) for i in range(50)])
    exact = (queries @ vectors.T).max(axis=1)
    assert np.abs(rebuilt.best_similarity(queries) - exact).mean() < 0.05
