"""Lexical influence: which records an output quotes, and the longest span it quotes from each.

Pure (numpy only). Every record's text is cut into lower-cased words and every run of NGRAM
consecutive words is hashed to 64 bits; the index is the sorted array of (gram hash, row) pairs
— an inverted index in two flat arrays, which holds a million records in a few hundred MB and
is saved and loaded as .npy files. A query hashes the output's grams the same way and looks each
one up with a binary search, so any verbatim run of NGRAM or more words shared with a record is
found, however large the index (the guarantee a suffix array gives, at word granularity).

For each record the match reports the output words covered by shared grams and the longest run
of consecutive shared grams, i.e. the longest quoted span (in words and as character offsets
into the output). Hash collisions at 64 bits are negligible (~n²/2⁶⁵).

Grams shared by more than MAX_POSTINGS records are boilerplate ("what should you do if"): they
are skipped at query time, so they neither cost time nor pay anyone. A record whose every gram
is boilerplate is therefore found only by semantic similarity.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NGRAM = 5
MAX_POSTINGS = 1000
_WORD = re.compile(r"\w+", re.UNICODE)
_MULT = np.uint64(0x100000001B3)  # FNV prime: the polynomial base that combines word hashes


def words(text: str) -> list[tuple[str, int, int]]:
    """(lower-cased word, start, end) for every word of `text`; offsets index into `text`."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


class _WordHashes:
    """Stable 64-bit word hashes (blake2b; Python's hash() changes between processes)."""

    def __init__(self) -> None:
        self._memo: dict[str, int] = {}

    def __call__(self, tokens: list[str]) -> np.ndarray:
        memo = self._memo
        for token in set(tokens) - memo.keys():
            memo[token] = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
        return np.fromiter(map(memo.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def gram_hashes(word_hashes: np.ndarray, n: int = NGRAM) -> np.ndarray:
    """Hash of each window of `n` consecutive words: Σ h[i+j]·P^(n-1-j) mod 2^64."""
    count = len(word_hashes) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    out = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            out = out * _MULT + word_hashes[j:j + count]
    return out


@dataclass(frozen=True)
class LexicalMatch:
    row: int
    covered_words: int   # output words inside some gram shared with this record
    span_words: int      # the longest run of output words quoted from this record
    span_start: int      # character offsets of that span in the output
    span_end: int
    record_words: int

    def score(self, output_words: int) -> float:
        """Share of the shorter text that the two have in common, 0..1."""
        return min(1.0, self.covered_words / max(1, min(output_words, self.record_words)))


class LexicalIndex:
    def __init__(self, hashes: np.ndarray, rows: np.ndarray, lengths: np.ndarray, n: int = NGRAM) -> None:
        self.hashes = hashes
        self.rows = rows
        self.lengths = lengths
        self.n = n

    @classmethod
    def build(cls, texts: Iterable[str], n: int = NGRAM) -> LexicalIndex:
        """Index texts; row i is the i-th text. Vectorised over all texts at once: the words of
        every text are hashed into one flat array, the grams are computed over it, and the grams
        that would straddle two texts are dropped."""
        hasher = _WordHashes()
        flat: list[str] = []
        lengths = []
        for text in texts:
            # Lower-casing first is the same as per word for ASCII, and much faster.
            tokens = _WORD.findall(text.lower()) if text.isascii() else [w.lower() for w in _WORD.findall(text)]
            flat.extend(tokens)
            lengths.append(len(tokens))
        lengths_arr = np.asarray(lengths, dtype=np.int64)
        grams = gram_hashes(hasher(flat), n)
        starts = np.concatenate([[0], np.cumsum(lengths_arr)[:-1]]) if len(lengths) else np.zeros(0, dtype=np.int64)
        row_of_word = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths_arr)
        rows = row_of_word[:len(grams)]
        inside = (np.arange(len(grams)) - starts[rows] + n) <= lengths_arr[rows]  # gram ends inside its text
        hashes, rows = grams[inside], rows[inside]
        order = np.lexsort((rows, hashes))
        hashes, rows = hashes[order], rows[order]
        if len(hashes):  # a gram repeated inside one text is one posting
            keep = np.ones(len(hashes), dtype=bool)
            keep[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
            hashes, rows = hashes[keep], rows[keep]
        return cls(hashes, rows.astype(np.int32), lengths_arr.astype(np.int32), n)

    def __len__(self) -> int:
        return len(self.lengths)

    def save(self, directory: Path) -> None:
        np.save(directory / "lexical_hashes.npy", self.hashes)
        np.save(directory / "lexical_rows.npy", self.rows)
        np.save(directory / "lexical_lengths.npy", self.lengths)

    @classmethod
    def load(cls, directory: Path, n: int = NGRAM) -> LexicalIndex:
        return cls(np.load(directory / "lexical_hashes.npy"), np.load(directory / "lexical_rows.npy"),
                   np.load(directory / "lexical_lengths.npy"), n)

    def query(self, text: str, limit: int = 64) -> tuple[int, list[LexicalMatch]]:
        """(number of output words, matches of the `limit` records covering most output words)."""
        tokens = words(text)
        grams = gram_hashes(_WordHashes()([w for w, _, _ in tokens]), self.n)
        if not len(grams) or not len(self.hashes):
            return len(tokens), []
        lo = np.searchsorted(self.hashes, grams, side="left")
        hi = np.searchsorted(self.hashes, grams, side="right")
        counts = hi - lo
        found = np.flatnonzero((counts > 0) & (counts <= MAX_POSTINGS))
        if not len(found):
            return len(tokens), []
        # Every (record row, output gram position) pair, gathered without a Python loop.
        sizes = counts[found]
        offsets = np.repeat(np.cumsum(sizes) - sizes, sizes)
        rows = self.rows[np.repeat(lo[found], sizes) + np.arange(int(sizes.sum())) - offsets]
        positions = np.repeat(found, sizes)
        order = np.lexsort((positions, rows))
        rows, positions = rows[order], positions[order]
        starts = np.concatenate([[0], np.flatnonzero(np.diff(rows)) + 1])
        shared = np.diff(np.append(starts, len(rows)))
        # Only the rows sharing the most grams get the detailed match (2 × limit: the ranking by
        # covered words can differ slightly from the ranking by gram count).
        best = np.lexsort((rows[starts], -shared))[:2 * limit]
        ends = starts + shared
        position_list = positions.tolist()
        matches = [self._match(int(rows[starts[b]]), position_list[starts[b]:ends[b]], tokens) for b in best]
        matches.sort(key=lambda m: (-m.covered_words, -m.span_words, m.row))
        return len(tokens), matches[:limit]

    def _match(self, row: int, found: list[int], tokens: list[tuple[str, int, int]]) -> LexicalMatch:
        n = self.n
        covered = 0
        last_end = -1
        best_start, best_len, run_start, run_len = found[0], 0, found[0], 0
        previous = None
        for i in found:
            if i == previous:  # the same gram twice in the output's index order
                continue
            covered += i + n - max(i, last_end)  # words of this gram not yet counted
            last_end = i + n
            run_start, run_len = (run_start, run_len + 1) if previous == i - 1 else (i, 1)
            if run_len > best_len:
                best_start, best_len = run_start, run_len
            previous = i
        span_words = best_len + n - 1
        last_word = best_start + span_words - 1
        return LexicalMatch(row=row, covered_words=covered, span_words=span_words,
                            span_start=tokens[best_start][1], span_end=tokens[last_word][2],
                            record_words=int(self.lengths[row]))
