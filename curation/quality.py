"""Quality score of a record: pure functions over texts and embedding arrays.

Three components, each in [0, 1], combined by a weighted mean:

- relevance: how close the record's embedding is to the datanet's profile (the embedding of its
  description, and the centroid of the records accepted so far);
- novelty: how far it is from its nearest accepted neighbour (exact and near duplicates are caught
  earlier by hashing and MinHash; this catches paraphrases of what is already there);
- heuristics: cheap text checks that catch junk no embedding judges reliably (a single word,
  repeated spam, keyboard mash, runs of symbols).

Every component and sub-score is kept in the result, so a stored score can be explained.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

# Relevance carries most weight because novelty alone rewards junk and off-topic text (both are far
# from everything accepted). With these weights junk scores ~0.2 (its novelty), a clean off-topic
# sentence ~0.5, a relevant sentence 0.85+.
DEFAULT_WEIGHTS: dict[str, float] = {"relevance": 0.5, "heuristics": 0.3, "novelty": 0.2}


@dataclass(frozen=True)
class HeuristicParams:
    # Length, in words: ramps up from 1 word to ideal_min_words, flat to ideal_max_words, then
    # falls on a log scale to 0 at max_words (a 10k-word record is rarely one training example).
    ideal_min_words: int = 6
    ideal_max_words: int = 1500
    max_words: int = 20000
    # Symbols: share of non-space characters that are not letters or digits. Prose is ~3-6 %,
    # technical text ~10-20 %; full marks up to symbols_ok, zero at symbols_max.
    symbols_ok: float = 0.20
    symbols_max: float = 0.60
    # Upper case: share of letters; headlines and acronyms are fine, SHOUTING is not.
    uppercase_ok: float = 0.35
    uppercase_max: float = 0.80
    # Language: share of tokens that look like words; full marks from language_ok, zero at language_min.
    language_ok: float = 0.70
    language_min: float = 0.30
    # Word tokens with a longer run of consonants (or no vowel) are not pronounceable: keyboard mash.
    max_consonant_run: int = 4


DEFAULT_PARAMS = HeuristicParams()

# Gopher (Rae et al., 2021) repetition rules, as (n, threshold): the share of characters inside the
# most frequent word n-gram (n = 2..4), and inside any n-gram seen more than once (n = 5..10).
# Thresholds are theirs: what separated web junk from prose in their corpus.
_TOP_NGRAM_LIMITS = ((2, 0.20), (3, 0.18), (4, 0.16))
_DUP_NGRAM_LIMITS = ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))
_CHAR_WINDOW = 150  # character trigram diversity is measured on this much text

_WORD = re.compile(r"\S+")
_VOWELS = set("aeiouyAEIOUY")
_LATIN = re.compile(r"^[A-Za-z]+$")
_EDGE_NON_WORD = re.compile(r"^[\W_]+|[\W_]+$")
# Han, kana and Thai are written without spaces between words: count ~2 characters as a word.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")


@dataclass(frozen=True)
class QualityResult:
    score: float
    components: dict[str, float]
    model_version: str = ""
    weights: dict[str, float] = field(default_factory=dict)


def _ramp(value: float, zero_at: float, one_at: float) -> float:
    """Linear map of value onto [0, 1]: zero_at -> 0, one_at -> 1 (either direction), clipped."""
    if one_at == zero_at:
        return 1.0 if value >= one_at else 0.0
    return float(min(1.0, max(0.0, (value - zero_at) / (one_at - zero_at))))


def length_score(n_words: int, params: HeuristicParams = DEFAULT_PARAMS) -> float:
    if n_words <= 1:
        return 0.0
    if n_words < params.ideal_min_words:
        return _ramp(n_words, 1, params.ideal_min_words)
    if n_words <= params.ideal_max_words:
        return 1.0
    return _ramp(math.log(n_words), math.log(params.max_words), math.log(params.ideal_max_words))


def repetition_share(words: Sequence[str], text: str) -> float:
    """How repetitive the text is, in [0, 1], by the worst of: the Gopher rules (0 at a rule's
    threshold, rising to 1 when the repeated n-grams cover the whole text, so templated prose is
    marked down, not zeroed) and character trigram diversity, which catches what word n-grams
    cannot ("!!!!!!!!", "hahahahaha")."""
    worst = 0.0
    total_chars = sum(map(len, words))
    # Any repeated n-gram (n >= 2) starts with a repeated bigram: when no bigram repeats, every
    # word rule scores 0 and the n-gram counting below can be skipped (most prose).
    if total_chars and len(words) > 2 and len(set(zip(words, words[1:]))) < len(words) - 1:
        for n, limit in _TOP_NGRAM_LIMITS:
            counts = Counter(zip(*(words[k:] for k in range(n))))
            if counts:
                gram, count = counts.most_common(1)[0]
                if count > 1:
                    share = min(1.0, count * sum(len(w) for w in gram) / total_chars)
                    worst = max(worst, _ramp(share, limit, 1.0))
        for n, limit in _DUP_NGRAM_LIMITS:
            if len(words) < 2 * n:
                break
            grams = list(zip(*(words[k:] for k in range(n))))
            counts = Counter(grams)
            if len(counts) == len(grams):
                break  # no n-gram repeats, so no longer one can: the rest would all score 0
            covered = np.zeros(len(words), dtype=bool)
            for i, gram in enumerate(grams):
                if counts[gram] > 1:
                    covered[i:i + n] = True
            share = sum(len(w) for w, c in zip(words, covered) if c) / total_chars
            worst = max(worst, _ramp(share, limit, 1.0))
    sample = "".join(text.split())[:_CHAR_WINDOW]
    if len(sample) >= 6:
        # Distinct character trigrams per trigram over 150 characters: prose stays above ~0.45
        # (0.1th percentile of the pydoc sentences), "!!!!!!" or a repeated phrase collapse
        # below ~0.2.
        diversity = len(set(zip(sample, sample[1:], sample[2:]))) / (len(sample) - 2)
        worst = max(worst, _ramp(diversity, 0.35, 0.15))
    return worst


@functools.lru_cache(maxsize=65536)
def _wordlike(token: str, max_consonant_run: int) -> bool:
    # Cached: a datanet's vocabulary repeats across records far more than it grows.
    word = _EDGE_NON_WORD.sub("", token)
    if _UNSPACED_SCRIPT.search(word):
        # A whole clause is one token in these scripts: judge it by its share of letters.
        return sum(c.isalpha() for c in word) >= 0.7 * len(word)
    if not word or len(word) > 30:
        return False
    if not _LATIN.match(word):
        # Other scripts: letters count as words (this check is for Latin keyboard mash).
        return word.replace("-", "").replace("'", "").isalpha()
    if not any(c in _VOWELS for c in word):
        return word.isupper() and len(word) <= 5  # acronyms: "DNA", "HTTP"
    run = longest = 0
    for c in word:
        run = 0 if c in _VOWELS else run + 1
        longest = max(longest, run)
    return longest <= max_consonant_run


def word_count(words: Sequence[str], text: str) -> int:
    if text.isascii():  # the unspaced scripts are all outside ASCII
        return len(words)
    return max(len(words), len(_UNSPACED_SCRIPT.findall(text)) // 2)


_ASCII_ALNUM = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ASCII_ALPHA = _ASCII_ALNUM[10:]
_ASCII_UPPER = _ASCII_ALNUM[10:36]
_WORDLIKE_CACHES: dict[int, dict[str, bool]] = {}


def _char_counts(compact: str) -> tuple[int, int, int, int]:
    """(characters, letters or digits, letters, upper-case letters) of a text without whitespace."""
    if compact.isascii():
        # str.isalnum/isalpha/isupper on ASCII are exactly these byte sets; counting by deleting
        # them in C is ~20x faster than a loop over the characters.
        data = compact.encode("ascii")
        n = len(data)
        return (n, n - len(data.translate(None, _ASCII_ALNUM)), n - len(data.translate(None, _ASCII_ALPHA)),
                n - len(data.translate(None, _ASCII_UPPER)))
    letters = [c for c in compact if c.isalpha()]
    return len(compact), sum(c.isalnum() for c in compact), len(letters), sum(c.isupper() for c in letters)


def _wordlike_share(words: Sequence[str], max_consonant_run: int) -> float:
    cache = _WORDLIKE_CACHES.setdefault(max_consonant_run, {})
    if len(cache) > 65536:
        cache.clear()
    hits = 0
    for w in words:
        known = cache.get(w)
        if known is None:
            known = cache[w] = _wordlike(w, max_consonant_run)
        hits += known
    return hits / len(words)


def text_heuristics(text: str, params: HeuristicParams = DEFAULT_PARAMS) -> dict[str, float]:
    """Sub-scores in [0, 1] (1 = looks like a good record): length, repetition, symbols,
    uppercase, language. Unicode-aware; the language check only judges Latin-script words."""
    words = _WORD.findall(text)
    n_chars, n_alnum, n_letters, n_upper = _char_counts("".join(words))
    symbols = (n_chars - n_alnum) / n_chars if n_chars else 1.0
    uppercase = n_upper / n_letters if n_letters else 0.0
    wordlike = _wordlike_share(words, params.max_consonant_run) if words else 0.0
    lowered = text.lower()
    return {
        "length": length_score(word_count(words, text), params),
        "repetition": 1.0 - repetition_share(lowered.split() if text.isascii() else [w.lower() for w in words],
                                             lowered),
        "symbols": _ramp(symbols, params.symbols_max, params.symbols_ok),
        "uppercase": _ramp(uppercase, params.uppercase_max, params.uppercase_ok),
        "language": _ramp(wordlike, params.language_min, params.language_ok),
    }


def combine_heuristics(sub_scores: Mapping[str, float]) -> float:
    """Product, read as "passes every check": one failed check (a single word, pure symbols) sinks
    the text, and a mean would let four passes hide the failure. Prose scores 1 on each check."""
    return float(math.prod(sub_scores.values())) if sub_scores else 0.0


# MiniLM cosines between a one-paragraph datanet description and single records (measured on four
# made-up datanets: clinical notes, Python Q&A, recipes, contract law): on-topic records 0.13-0.46,
# other datanets' records -0.11-0.10, junk -0.07-0.20. Records against the centroid of accepted
# records sit higher (0.3-0.6). Map [RELEVANCE_FLOOR, RELEVANCE_FULL] linearly onto [0, 1].
RELEVANCE_FLOOR = 0.08
RELEVANCE_FULL = 0.38


def relevance(embeddings: np.ndarray, profile_vectors: np.ndarray) -> np.ndarray:
    """Per record, the best cosine to any profile vector (description, accepted centroid), mapped to
    [0, 1]. Max, not mean: matching either what the datanet says it wants or what curators have
    accepted is on topic. Inputs are L2-normalised rows; returns shape (n,). No profile -> 1.0."""
    emb = np.atleast_2d(np.asarray(embeddings, dtype=np.float32))
    profile = np.atleast_2d(np.asarray(profile_vectors, dtype=np.float32))
    if profile.size == 0:
        return np.ones(len(emb), dtype=np.float32)
    profile = profile / np.maximum(np.linalg.norm(profile, axis=1, keepdims=True), 1e-12)
    best = (emb @ profile.T).max(axis=1)
    mapped = (best - RELEVANCE_FLOOR) / (RELEVANCE_FULL - RELEVANCE_FLOOR)
    return np.asarray(np.clip(mapped, 0.0, 1.0), dtype=np.float32)


def profile_vectors(description: np.ndarray, accepted: np.ndarray | None = None) -> np.ndarray:
    """The datanet profile: its description embedding and, once records are accepted, their
    normalised centroid. Shape (1 or 2, dim)."""
    rows = [np.asarray(description, dtype=np.float32).reshape(-1)]
    if accepted is not None and len(accepted):
        centroid = np.asarray(accepted, dtype=np.float32).mean(axis=0)
        norm = float(np.linalg.norm(centroid))
        if norm > 0:
            rows.append(centroid / norm)
    return np.stack(rows)


def nearest_similarity(embeddings: np.ndarray, accepted: np.ndarray | None) -> np.ndarray:
    """Max cosine of each record to the accepted set, NaN where nothing is accepted yet."""
    emb = np.atleast_2d(np.asarray(embeddings, dtype=np.float32))
    if accepted is None or len(accepted) == 0:
        return np.full(len(emb), np.nan, dtype=np.float32)
    # In blocks of accepted rows: a chunk of 2,000 records against a million accepted ones would
    # otherwise make an 8 GB similarity matrix.
    best = np.full(len(emb), -np.inf, dtype=np.float32)
    for lo in range(0, len(accepted), _NEIGHBOUR_BLOCK):
        block = np.asarray(accepted[lo:lo + _NEIGHBOUR_BLOCK], dtype=np.float32)
        np.maximum(best, (emb @ block.T).max(axis=1), out=best)
    return best


_NEIGHBOUR_BLOCK = 32768


def novelty(nearest_accepted_similarity: np.ndarray | Sequence[float] | float) -> np.ndarray:
    """1 - max cosine to the accepted neighbours, clipped to [0, 1]; NaN (no neighbour) -> 1."""
    sims = np.atleast_1d(np.asarray(nearest_accepted_similarity, dtype=np.float32))
    return np.where(np.isnan(sims), 1.0, np.clip(1.0 - sims, 0.0, 1.0)).astype(np.float32)


def score(components: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """Weighted mean of the weighted components, in [0, 1]. Raises ValueError naming the problem if
    a weight is negative, all weights are zero, or a weight names a component that does not exist."""
    weights = DEFAULT_WEIGHTS if weights is None else weights
    unknown = sorted(set(weights) - set(components))
    if unknown:
        raise ValueError(f"Unknown quality component(s) {', '.join(unknown)} in the weights; "
                         f"use any of {', '.join(sorted(components))}.")
    if any(w < 0 for w in weights.values()):
        raise ValueError("Quality weights must be zero or positive.")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("At least one quality weight must be positive.")
    mean = sum(w * float(components[k]) for k, w in weights.items()) / total
    return float(min(1.0, max(0.0, mean)))


def score_batch(texts: Sequence[str], embeddings: np.ndarray, profile: np.ndarray,
                neighbour_sims: np.ndarray | Sequence[float] | None = None,
                weights: Mapping[str, float] | None = None, *, model_version: str = "",
                params: HeuristicParams = DEFAULT_PARAMS,
                heuristics: Sequence[Mapping[str, float]] | None = None) -> list[QualityResult]:
    """Score records in one pass. `embeddings` (n, dim) and `profile` (k, dim) are L2-normalised;
    `neighbour_sims` (n,) is each record's max cosine to accepted records (NaN or None: none yet);
    `heuristics`, when computed beforehand, is `text_heuristics(text, params)` of each text.
    Components are rounded to 4 places, the precision worth storing."""
    n = len(texts)
    if len(embeddings) != n:
        raise ValueError(f"{n} texts but {len(embeddings)} embeddings.")
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    rel = relevance(embeddings, profile) if n else np.zeros(0)
    nov = novelty(np.full(n, np.nan) if neighbour_sims is None else neighbour_sims) if n else np.zeros(0)
    if len(nov) != n:
        raise ValueError(f"{n} texts but {len(nov)} neighbour similarities.")
    results = []
    if heuristics is not None and len(heuristics) != n:
        raise ValueError(f"{n} texts but {len(heuristics)} heuristics.")
    for i, text in enumerate(texts):
        subs = text_heuristics(text, params) if heuristics is None else heuristics[i]
        components = {"relevance": float(rel[i]), "novelty": float(nov[i]),
                      "heuristics": combine_heuristics(subs), **subs}
        components = {k: round(v, 4) for k, v in components.items()}
        results.append(QualityResult(score=round(score(components, weights), 4), components=components,
                                     model_version=model_version, weights=weights))
    return results
