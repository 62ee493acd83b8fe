"""The pure attribution maths: n-gram quotes, weights, rounding, fee split, commitment, chart."""

import hashlib
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rewards import attribution, chart, proof
from rewards.lexical import LexicalIndex
from rewards.semantic import SemanticIndex

RECORDS = [
    "Press firmly on a bleeding wound with a clean cloth and keep the pressure on for ten minutes.",
    "Cool a burn under cool running water for twenty minutes and never put ice on a burn.",
    "Lean the person forward and pinch the soft part of the nose to stop a nosebleed.",
]


def test_a_quote_anywhere_in_the_output_is_found_with_its_longest_span():
    index = LexicalIndex.build(RECORDS)
    output = "The nurse said: cool running water for twenty minutes and never put ice on it. Fine."
    words, matches = index.query(output)
    assert matches[0].row == 1
    assert output[matches[0].span_start:matches[0].span_end] == "cool running water for twenty minutes and never put ice on"
    assert matches[0].span_words == 11


def test_fewer_than_n_shared_words_are_not_a_quote():
    index = LexicalIndex.build(RECORDS)
    assert index.query("a clean cloth and")[1] == []


def test_the_lexical_index_round_trips_through_disk(tmp_path):
    index = LexicalIndex.build(RECORDS)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.query(RECORDS[2])[1] == index.query(RECORDS[2])[1]


def _semantic(dim: int = 16) -> tuple[SemanticIndex, np.ndarray]:
    vectors = np.random.default_rng(7).normal(size=(len(RECORDS), dim)).astype(np.float32)
    return SemanticIndex.build(vectors, dim), vectors


def test_a_verbatim_quote_gets_most_weight_and_weights_sum_to_one():
    semantic, vectors = _semantic()
    lexical = LexicalIndex.build(RECORDS)
    near_both = vectors[0] + 0.9 * vectors[1]  # semantically between records 0 and 1
    weighted = attribution.attribute(output=RECORDS[1], vector=near_both, semantic=semantic, lexical=lexical)
    assert weighted[0].row == 1
    assert sum(w.weight_units for w in weighted) == attribution.WEIGHT_SCALE
    assert all(w.weight_units >= 0 for w in weighted)


def test_an_unrelated_output_pays_no_record():
    semantic, vectors = _semantic()
    lexical = LexicalIndex.build(RECORDS)
    unrelated = -vectors.sum(axis=0)
    assert attribution.attribute(output="Tax returns are due in April.", vector=unrelated, semantic=semantic,
                                 lexical=lexical) == []


def test_rows_that_may_not_be_paid_are_dropped():
    semantic, vectors = _semantic()
    lexical = LexicalIndex.build(RECORDS)
    found = attribution.candidates(output=RECORDS[0], vector=vectors[0], semantic=semantic, lexical=lexical,
                                   keep=lambda row: row != 0)
    assert 0 not in {f.row for f in found}


@given(total=st.integers(min_value=0, max_value=10**30),
       shares=st.dictionaries(st.integers(0, 50), st.integers(1, 10**12), min_size=1, max_size=20))
def test_allocation_is_exact_and_within_one_unit_of_the_true_share(total, shares):
    parts = attribution.allocate(total, shares)
    assert sum(parts.values()) == total
    weight = sum(shares.values())
    for key, amount in parts.items():
        assert abs(amount * weight - total * shares[key]) < weight  # |amount - exact| < 1


def test_allocation_is_deterministic_on_ties():
    assert attribution.allocate(2, {"b": 1, "a": 1, "c": 1}) == {"a": 1, "b": 1, "c": 0}


@given(fee=st.integers(min_value=1, max_value=10**30),
       bps=st.lists(st.integers(0, 10000), min_size=3, max_size=3).filter(lambda b: sum(b) <= 10000))
def test_fee_split_sums_to_the_fee(fee, bps):
    split = dict(zip(attribution.SPLIT_PARTS, [*bps, 10000 - sum(bps)]))
    parts = attribution.split_fee(fee, split)
    assert sum(parts.values()) == fee and min(parts.values()) >= 0


def test_a_split_not_summing_to_10000_is_refused():
    with pytest.raises(ValueError, match="10000"):
        attribution.split_fee(100, {"model_owner": 1, "contributors": 1, "datanets": 1, "treasury": 1})


def test_commitment_is_sha256_of_sorted_compact_json():
    body = {"b": [1, "x"], "a": {"é": "1.000000"}}
    expected = hashlib.sha256('{"a":{"é":"1.000000"},"b":[1,"x"]}'.encode()).hexdigest()
    assert proof.commitment(body) == expected
    assert json.loads(proof.canonical_json(body)) == body
    with pytest.raises(TypeError, match="no floats"):
        proof.commitment({"weight": 0.5})


def test_chart_escapes_labels_and_draws_negative_days_below_the_axis():
    svg = chart.bar_chart([("<b>", 1.0), ("x", -0.5)], label="E&rnings", unit="OPEN")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "E&amp;rnings" in svg
    assert svg.count("<rect") == 2 and 'fill="#f04438"' in svg and "style=" not in svg
