"""MinHash signatures: what a curator relies on when two records are called near-duplicates."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydoc_data.topics import topics

from curation import minhash
from curation.minhash import (
    estimate_jaccard,
    signature,
    signature_from_bytes,
    signature_to_bytes,
    signatures,
    true_jaccard,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
ENGLISH = " ".join(topics[name] for name in sorted(topics)).split()


def passage(rng: random.Random, n_words: int = 200) -> list[str]:
    start = rng.randrange(len(ENGLISH) - n_words)
    return ENGLISH[start : start + n_words]


def edited(words: list[str], rng: random.Random, n_edits: int) -> list[str]:
    out = list(words)
    for _ in range(n_edits):
        i = rng.randrange(len(out))
        kind = rng.randrange(3)
        if kind == 0:
            out[i] = rng.choice(ENGLISH)
        elif kind == 1 and len(out) > 10:
            del out[i]
        else:
            out.insert(i, rng.choice(ENGLISH))
    return out


def test_identical_texts_have_similarity_one() -> None:
    text = " ".join(passage(random.Random(1)))
    a, b = signature(text), signature(text)
    assert a.shape == (128,) and a.dtype == np.uint32
    assert estimate_jaccard(a, b) == 1.0


def test_unrelated_texts_have_similarity_near_zero() -> None:
    rng = random.Random(2)
    a, b = " ".join(passage(rng)), " ".join(passage(rng))
    assert true_jaccard(a, b) < 0.02
    assert estimate_jaccard(signature(a), signature(b)) < 0.06


def test_estimates_are_within_005_of_true_jaccard_on_average() -> None:
    rng = random.Random(3)
    errors = []
    for _ in range(200):
        words = passage(rng)
        other = edited(words, rng, rng.randrange(0, 60))
        a, b = " ".join(words), " ".join(other)
        sig_a, sig_b = signatures([a, b])
        errors.append(abs(estimate_jaccard(sig_a, sig_b) - true_jaccard(a, b)))
    assert float(np.mean(errors)) < 0.05
    # 128 permutations: the standard error is at most sqrt(0.25 / 128) = 0.044.
    assert max(errors) < 0.2


def test_true_jaccard_counts_word_five_grams() -> None:
    # {abcde, bcdef} vs {abcde, bcdeg}: one shared shingle of three.
    assert true_jaccard("a b c d e f", "a b c d e g") == pytest.approx(1 / 3)
    assert true_jaccard("a b c d e f", "a b c d e g", shingle_size=1) == pytest.approx(5 / 7)


def test_a_batch_gives_the_same_rows_as_one_text_at_a_time() -> None:
    rng = random.Random(4)
    texts = [" ".join(passage(rng, rng.randrange(1, 300))) for _ in range(40)]
    texts += ["", "one", "two words", "naïve café ☕ 東京 text", "x" * 700 + " tail words a b c"]
    rng.shuffle(texts)
    batch = signatures(texts)
    assert batch.shape == (len(texts), 128)
    for text, row in zip(texts, batch):
        assert np.array_equal(row, signature(text))


def test_batch_size_and_word_length_do_not_change_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    words = passage(rng, 3000)
    words[10] = "ab" * 400  # a giant "word", hashed one by one
    words[20] = "c" * 100  # a long word, hashed 8 bytes per pass
    texts = [" ".join(words), " ".join(passage(rng)), "short text"]
    expected = signatures(texts)
    # Tiny batches force the big text to be split into pieces; a tiny vectorised word limit
    # sends every long word down the one-by-one path. Both must hash exactly the same.
    monkeypatch.setattr(minhash, "_BATCH_BYTES", 256)
    monkeypatch.setattr(minhash, "_BLOCK_SHINGLES", 7)
    monkeypatch.setattr(minhash, "_MAX_VECTORISED_WORD", 8)
    assert np.array_equal(signatures(texts), expected)


def test_signatures_are_the_same_in_another_process() -> None:
    texts = ["The quick brown fox jumps over the lazy dog near the river bank", "naïve café ☕", ""]
    here = [signature_to_bytes(s).hex() for s in signatures(texts)]
    script = (
        "import sys; from curation.minhash import signatures, signature_to_bytes\n"
        f"print(' '.join(signature_to_bytes(s).hex() for s in signatures({texts!r})))"
    )
    for hash_seed in ("0", "12345"):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.split() == here


def test_texts_shorter_than_a_shingle_still_compare() -> None:
    assert estimate_jaccard(signature("red apple"), signature("red apple")) == 1.0
    assert estimate_jaccard(signature("red apple"), signature("green apple")) < 0.1
    assert estimate_jaccard(signature(""), signature("")) == 1.0
    assert estimate_jaccard(signature(""), signature("word")) < 0.1
    assert true_jaccard("red apple", "red apple") == 1.0


def test_words_are_split_like_str_split_for_every_unicode_space() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    plain = signature("alpha beta gamma delta epsilon zeta")
    for space in spaces:
        text = f"alpha{space}beta gamma{space}{space}delta epsilon zeta{space}"
        assert np.array_equal(signature(text), plain), f"U+{ord(space):04X}"
    # Control characters that are not whitespace stay inside words.
    assert not np.array_equal(signature("alpha\x00beta gamma"), signature("alpha beta gamma"))


def test_unicode_text_is_compared_by_its_characters() -> None:
    a = "Der schnelle braune Fuchs springt über den faulen Hund am Fluss entlang heute"
    assert estimate_jaccard(signature(a), signature(a)) == 1.0
    b = a.replace("über", "uber")
    assert estimate_jaccard(signature(a), signature(b)) == pytest.approx(true_jaccard(a, b), abs=0.15)
    # Case is not folded here: normalising text is the ingestion step's job.
    assert estimate_jaccard(signature("Ab cd"), signature("ab cd")) < 0.1
    # A lone surrogate (broken scraped text) still gets a signature.
    assert signature("bad \ud800 text").shape == (128,)


def test_parameters_change_the_signature() -> None:
    text = "one two three four five six seven"
    assert signature(text, num_perm=64).shape == (64,)
    assert not np.array_equal(signature(text, seed=1), signature(text, seed=2))
    assert not np.array_equal(signature(text, shingle_size=3), signature(text))
    with pytest.raises(ValueError, match="shingle_size"):
        signature(text, shingle_size=0)


def test_signatures_never_change_between_releases() -> None:
    # Stored signatures are compared with new ones for years. If this fails, the hashing changed:
    # bump SIGNATURE_FORMAT_VERSION and re-sign stored records instead of editing these numbers.
    sig = signature("Near-duplicate records are found by MinHash and LSH banding.")
    assert sig[:4].tolist() == [1414159214, 46705634, 2045592911, 324135643]
    assert int(sig.sum(dtype=np.uint64)) == 97838382409


def test_signature_round_trips_through_bytes() -> None:
    sig = signature("stored in the database as bytes")
    data = signature_to_bytes(sig)
    assert len(data) == 1 + 4 * 128
    assert np.array_equal(signature_from_bytes(data), sig)
    with pytest.raises(ValueError, match="recomputed"):
        signature_from_bytes(b"\x07" + data[1:])
    with pytest.raises(ValueError):
        signature_from_bytes(data[:-1])


def test_comparing_signatures_of_different_lengths_is_an_error() -> None:
    with pytest.raises(ValueError, match="num_perm"):
        estimate_jaccard(signature("a b", num_perm=64), signature("a b"))
