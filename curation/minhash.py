"""MinHash signatures of texts, for near-duplicate detection.

A text is split into words exactly as ``str.split()`` does (Unicode whitespace, no case folding:
normalising case and punctuation is the ingestion step's job, so that what is compared here is
what is stored on the record). Its shingles are the runs of ``shingle_size`` consecutive words;
a text with fewer words than that is one shingle made of all its words (an empty text is the
empty shingle), so every text gets a signature and two equal texts always compare as 1.0.

The signature follows datasketch's ``affine32`` scheme: each shingle gets one well-mixed 32-bit
hash, and permutation ``i`` maps it to ``a_i * h + b_i mod 2**32`` (``a_i`` odd, so a bijection);
the signature keeps the minimum per permutation. What makes it fast is doing every step as a
numpy pass over a whole batch of texts instead of Python work per shingle: each word is hashed
once (a polynomial over its UTF-8 bytes read 8 at a time, for all words of the batch at once),
shingle hashes are combined from word hashes, and permutations run in cache-sized blocks.

Everything is a fixed function of the text, ``shingle_size``, ``num_perm`` and ``seed`` -- no
salted ``hash()``, no numpy random stream whose algorithm may change -- so signatures stored in
the database stay comparable across processes, restarts and library upgrades.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint32]

DEFAULT_SHINGLE_SIZE = 5
DEFAULT_NUM_PERM = 128
DEFAULT_SEED = 1

# First byte of a serialised signature; bump it if the hashing scheme ever changes, so that old
# rows are recognised (and re-signed) instead of silently compared with new ones.
SIGNATURE_FORMAT_VERSION = 1

# The ASCII characters str.split() treats as whitespace (including the four separators
# \x1c-\x1f that bytes.split() does not), so the byte-level tokenizer agrees with str.split().
_ASCII_WHITESPACE = np.zeros(256, dtype=bool)
_ASCII_WHITESPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
# The non-ASCII characters str.split() treats as whitespace, as UTF-8 byte sequences. Their lead
# bytes (0xC2, 0xE1-0xE3) are never continuation bytes, so a match cannot start mid-character.
_UNICODE_WHITESPACE = (
    "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
_UNICODE_WHITESPACE_2 = [int.from_bytes(c.encode()) for c in _UNICODE_WHITESPACE if len(c.encode()) == 2]
_UNICODE_WHITESPACE_3 = [int.from_bytes(c.encode()) for c in _UNICODE_WHITESPACE if len(c.encode()) == 3]
# Keeps the low n bytes of a little-endian 8-byte window, i.e. the part inside the word.
_CHUNK_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)

# Odd 64-bit constants: bases of the polynomial word and shingle hashes (odd, so multiplying
# loses no information mod 2**64) and the length mixer. A word's hash is the polynomial in
# _WORD_BASE over its 8-byte little-endian chunks, so words of up to 8 bytes never collide.
# Changing any of them changes every signature, i.e. needs a new SIGNATURE_FORMAT_VERSION.
_WORD_BASE = np.uint64(0x9FB21C651E98DF25)
_SHINGLE_BASE = np.uint64(0xC2B2AE3D27D4EB4F)
_LENGTH_MIX = 0x9E3779B97F4A7C15

# Texts are hashed in batches of about this many bytes: big enough that numpy's per-call
# overhead vanishes, small enough that the batch's temporary arrays (a few bytes per input
# byte, ~100 per word) stay modest. A longer single text is hashed in pieces of this size cut at whitespace.
_BATCH_BYTES = 1 << 19
# Shingles per permutation block: num_perm x 8192 uint32 = 4 MiB at 128 permutations, which
# stays in cache; one big (num_perm, all shingles) array would be memory-bound and 3-4x slower.
_BLOCK_SHINGLES = 8192
# Words up to this many bytes are hashed 8 bytes per numpy pass; longer ones one at a time.
_MAX_VECTORISED_WORD = 512

_word_base_powers: npt.NDArray[np.uint64] = np.ones(1, dtype=np.uint64)


def words(text: str) -> list[str]:
    """The words of ``text``, as the signature sees them."""
    return text.split()


def shingles(text: str, shingle_size: int = DEFAULT_SHINGLE_SIZE) -> set[tuple[str, ...]]:
    """The exact shingle set of ``text`` (slow, for tests and benchmarks)."""
    _check_shingle_size(shingle_size)
    ws = words(text)
    if len(ws) < shingle_size:
        return {tuple(ws)}
    return {tuple(ws[i : i + shingle_size]) for i in range(len(ws) - shingle_size + 1)}


def true_jaccard(text_a: str, text_b: str, shingle_size: int = DEFAULT_SHINGLE_SIZE) -> float:
    """Exact Jaccard similarity of the two texts' shingle sets."""
    a, b = shingles(text_a, shingle_size), shingles(text_b, shingle_size)
    return len(a & b) / len(a | b)


def estimate_jaccard(sig_a: Signature, sig_b: Signature) -> float:
    """Estimated Jaccard similarity: the fraction of permutations whose minima agree."""
    if sig_a.shape != sig_b.shape or sig_a.ndim != 1:
        raise ValueError(
            f"signatures must be 1-D and of equal length, got shapes {sig_a.shape} and "
            f"{sig_b.shape}; compare only signatures made with the same num_perm"
        )
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def signature(
    text: str,
    *,
    shingle_size: int = DEFAULT_SHINGLE_SIZE,
    num_perm: int = DEFAULT_NUM_PERM,
    seed: int = DEFAULT_SEED,
) -> Signature:
    """The MinHash signature of one text: ``num_perm`` uint32 values."""
    row: Signature = signatures([text], shingle_size=shingle_size, num_perm=num_perm, seed=seed)[0]
    return row


def signatures(
    texts: Iterable[str],
    *,
    shingle_size: int = DEFAULT_SHINGLE_SIZE,
    num_perm: int = DEFAULT_NUM_PERM,
    seed: int = DEFAULT_SEED,
) -> npt.NDArray[np.uint32]:
    """Signatures of many texts, one row each: a ``(len(texts), num_perm)`` uint32 array.

    Row ``i`` equals ``signature(texts[i])`` whatever the batch it was computed in.
    """
    _check_shingle_size(shingle_size)
    a, b = _permutations(num_perm, seed)
    encoded = [_encode(text) for text in texts]
    out = np.empty((len(encoded), num_perm), dtype=np.uint32)
    for lo, hi in _batches(encoded):
        word_hashes, words_per_doc = _word_hashes(encoded[lo:hi])
        shingle_hashes, shingle_docs = _shingle_hashes(word_hashes, words_per_doc, shingle_size)
        out[lo:hi] = _min_hashes(shingle_hashes, shingle_docs, hi - lo, a, b)
    return out


def signature_to_bytes(sig: Signature) -> bytes:
    """Compact, platform-independent bytes for storage: a version byte, then little-endian uint32s."""
    if sig.ndim != 1 or sig.shape[0] == 0:
        raise ValueError(f"expected a non-empty 1-D signature, got shape {sig.shape}")
    return bytes([SIGNATURE_FORMAT_VERSION]) + sig.astype("<u4", copy=False).tobytes()


def signature_from_bytes(data: bytes) -> Signature:
    """Inverse of :func:`signature_to_bytes`."""
    if not data or data[0] != SIGNATURE_FORMAT_VERSION or (len(data) - 1) % 4 or len(data) < 5:
        raise ValueError(
            f"not a version-{SIGNATURE_FORMAT_VERSION} MinHash signature ({len(data)} bytes); "
            "signatures stored by another version must be recomputed from the text"
        )
    return np.frombuffer(data, dtype="<u4", offset=1).astype(np.uint32)


def _check_shingle_size(shingle_size: int) -> None:
    if shingle_size < 1:
        raise ValueError(f"shingle_size must be at least 1, got {shingle_size}")


def _encode(text: str) -> bytes:
    # surrogatepass: a lone surrogate (seen in scraped text) must not make the record unhashable.
    return text.encode("utf-8", "surrogatepass")


@lru_cache(maxsize=32)
def _permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """Permutation parameters ``(a, b)``, derived from blake2b so they never depend on numpy's RNG."""
    if num_perm < 1:
        raise ValueError(f"num_perm must be at least 1, got {num_perm}")
    stream = b"".join(
        hashlib.blake2b(
            seed.to_bytes(8, "little", signed=True) + i.to_bytes(4, "little"),
            digest_size=8,
            person=b"datanets-minhash",
        ).digest()
        for i in range(num_perm)
    )
    params = np.frombuffer(stream, dtype="<u4").astype(np.uint32).reshape(num_perm, 2)
    a = params[:, 0] | np.uint32(1)  # odd, so a * h + b is a bijection on 32-bit values
    return a, params[:, 1].copy()


def _powers(n: int) -> npt.NDArray[np.uint64]:
    """``_WORD_BASE ** j mod 2**64`` for ``j < n``; grown on demand and shared between calls."""
    global _word_base_powers
    if len(_word_base_powers) < n:
        size = max(n, 2 * len(_word_base_powers), 64)
        steps = np.full(size, _WORD_BASE, dtype=np.uint64)
        steps[0] = 1
        _word_base_powers = np.cumprod(steps, dtype=np.uint64)  # wraps mod 2**64, as intended
    return _word_base_powers


def _batches(encoded: Sequence[bytes]) -> Iterable[tuple[int, int]]:
    lo, size = 0, 0
    for i, data in enumerate(encoded):
        if i > lo and size + len(data) > _BATCH_BYTES:
            yield lo, i
            lo, size = i, 0
        size += len(data) + 1
    if lo < len(encoded):
        yield lo, len(encoded)


def fmix64(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser, in place (also used for LSH band keys).

    Polynomial hashes are weak in their low bits; this bijection spreads every input bit."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def _word_hashes(
    docs: Sequence[bytes],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
    """64-bit hash of every word of the docs, in order, and how many words each doc has."""
    if len(docs) == 1 and len(docs[0]) > _BATCH_BYTES:
        hashes = np.concatenate([_joined_word_hashes([p])[0] for p in _split_at_whitespace(docs[0])])
        return hashes, np.array([len(hashes)], dtype=np.intp)
    return _joined_word_hashes(docs)


def _split_at_whitespace(data: bytes) -> Iterable[bytes]:
    """Pieces of about _BATCH_BYTES, cut at whitespace so that no word is cut in two."""
    spaces = np.flatnonzero(_ASCII_WHITESPACE[np.frombuffer(data, dtype=np.uint8)])
    nearest = np.searchsorted(spaces, np.arange(_BATCH_BYTES, len(data), _BATCH_BYTES))
    start = 0
    for cut in np.unique(spaces[nearest[nearest < len(spaces)]]):
        yield data[start:cut]
        start = int(cut) + 1
    yield data[start:]


def _joined_word_hashes(
    docs: Sequence[bytes],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
    # Docs are joined by a space, which keeps their words apart; 8 zero bytes of padding let
    # every word start read a full 8-byte window.
    joined = b" ".join(docs)
    padded = joined + bytes(8)
    buf = np.frombuffer(padded, dtype=np.uint8)
    spaces = _whitespace_positions(buf, len(joined), joined.isascii())
    # Words are the non-empty gaps between consecutive whitespace positions.
    bounds = np.concatenate(([-1], spaces, [len(joined)]))
    gaps = np.diff(bounds) - 1
    is_word = gaps > 0
    starts, lengths = bounds[:-1][is_word] + 1, gaps[is_word]
    doc_starts = np.zeros(len(docs), dtype=np.intp)
    np.cumsum([len(d) + 1 for d in docs[:-1]], out=doc_starts[1:])
    first_word = np.searchsorted(starts, doc_starts)
    words_per_doc = np.diff(np.append(first_word, len(starts)))
    # Every unaligned 8-byte window of the batch, as one uint64 each (a view, nothing copied).
    windows = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    hashes = windows[starts] & _CHUNK_MASKS[np.minimum(lengths, 8)]
    # Horner's rule over further chunks, for the few words longer than 8 bytes.
    longer, offset = np.flatnonzero(lengths > 8), 8
    while len(longer) and offset < _MAX_VECTORISED_WORD:
        chunk = windows[starts[longer] + offset] & _CHUNK_MASKS[np.minimum(lengths[longer] - offset, 8)]
        hashes[longer] = hashes[longer] * _WORD_BASE + chunk
        offset += 8
        longer = longer[lengths[longer] > offset]
    for i in longer:  # only giant "words" (base64 blobs and the like) are hashed one by one
        hashes[i] = _long_word_hash(joined[starts[i] : starts[i] + lengths[i]])
    hashes ^= lengths.astype(np.uint64) * _length_mix(1)  # "a" and "a\0" must differ
    return fmix64(hashes), words_per_doc


def _whitespace_positions(buf: npt.NDArray[np.uint8], n: int, ascii_only: bool) -> npt.NDArray[np.intp]:
    """Sorted byte offsets below ``n`` that belong to a whitespace character."""
    # Whitespace is rare among bytes: find the few bytes <= 32 with one fast comparison, then
    # drop the control characters among them, instead of a table lookup on every byte.
    low = np.flatnonzero(buf[:n] <= 32)
    positions = low[_ASCII_WHITESPACE[buf[low]]]
    if ascii_only:
        return positions
    leads = np.flatnonzero((buf[:n] >= 0xC2) & (buf[:n] <= 0xE3))
    # Each candidate's next two bytes as one number, matched against the whitespace sequences
    # (in range: the buffer has 8 bytes of padding).
    two = buf[leads].astype(np.uint32) << 8 | buf[leads + 1]
    three = two << 8 | buf[leads + 2]
    hit2, hit3 = leads[np.isin(two, _UNICODE_WHITESPACE_2)], leads[np.isin(three, _UNICODE_WHITESPACE_3)]
    if len(hit2) == 0 and len(hit3) == 0:
        return positions
    return np.sort(np.concatenate([positions, hit2, hit2 + 1, hit3, hit3 + 1, hit3 + 2]))


def _long_word_hash(word: bytes) -> np.uint64:
    """The same polynomial as the vectorised path, for one very long word."""
    chunks = np.frombuffer(word + bytes(-len(word) % 8), dtype="<u8").astype(np.uint64)
    powers = _powers(len(chunks))[: len(chunks)][::-1]
    return np.uint64(np.sum(chunks * powers, dtype=np.uint64))


def _shingle_hashes(
    word_hashes: npt.NDArray[np.uint64], words_per_doc: npt.NDArray[np.intp], size: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.intp]]:
    """32-bit hash of every shingle, grouped by doc (doc order), and the doc of each."""
    word_docs = np.repeat(np.arange(len(words_per_doc)), words_per_doc)
    n_windows = len(word_hashes) - size + 1
    if n_windows > 0:
        combined = word_hashes[:n_windows].copy()
        for j in range(1, size):
            combined *= _SHINGLE_BASE
            combined += word_hashes[j : j + n_windows]
        # A window is a shingle only if its first and last words are in the same doc.
        inside = word_docs[:n_windows] == word_docs[size - 1 :]
        combined, docs = combined[inside], word_docs[:n_windows][inside]
    else:
        combined, docs = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    combined ^= _length_mix(size)
    short = np.flatnonzero(words_per_doc < size)
    if len(short):
        # Rare: texts with fewer words than a shingle become one shingle of all their words,
        # hashed by the same polynomial so the result does not depend on the batch.
        first_word = np.cumsum(words_per_doc) - words_per_doc
        extra = np.zeros(len(short), dtype=np.uint64)
        for k, doc in enumerate(short):
            acc = np.zeros(1, dtype=np.uint64)  # an array: numpy scalars warn when they wrap
            for h in word_hashes[first_word[doc] : first_word[doc] + words_per_doc[doc]]:
                acc *= _SHINGLE_BASE
                acc += h
            extra[k] = acc[0] ^ _length_mix(int(words_per_doc[doc]))
        combined = np.concatenate([combined, extra])
        docs = np.concatenate([docs, short])
        order = np.argsort(docs, kind="stable")
        combined, docs = combined[order], docs[order]
    # The high half of the mixed 64-bit value is the 32-bit shingle hash the permutations see.
    return (fmix64(combined) >> np.uint64(32)).astype(np.uint32), docs


def _length_mix(n: int) -> np.uint64:
    return np.uint64((n * _LENGTH_MIX) % (1 << 64))


def _min_hashes(
    shingle_hashes: npt.NDArray[np.uint32],
    shingle_docs: npt.NDArray[np.intp],
    n_docs: int,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
) -> npt.NDArray[np.uint32]:
    """Per doc and permutation, the minimum of ``a * h + b mod 2**32`` over the doc's shingles."""
    num_perm = len(a)
    # Permutations along rows, shingles along columns: reduceat along the contiguous axis is
    # ~20x faster than along rows. Every doc has at least one shingle, so first_shingle is
    # strictly increasing and no reduceat segment is empty.
    out = np.full((num_perm, n_docs), np.iinfo(np.uint32).max, dtype=np.uint32)
    first_shingle = np.searchsorted(shingle_docs, np.arange(n_docs))
    block = np.empty((num_perm, _BLOCK_SHINGLES), dtype=np.uint32)
    a_col, b_col = a[:, None], b[:, None]
    for lo in range(0, len(shingle_hashes), _BLOCK_SHINGLES):
        hi = min(lo + _BLOCK_SHINGLES, len(shingle_hashes))
        # Docs d0..d1-1 have shingles in [lo, hi); the first may have started in an earlier block.
        d0 = int(np.searchsorted(first_shingle, lo, side="right")) - 1
        d1 = int(np.searchsorted(first_shingle, hi, side="left"))
        segments = first_shingle[d0:d1] - lo
        segments[0] = 0
        view = block[:, : hi - lo]
        np.multiply(a_col, shingle_hashes[None, lo:hi], out=view)
        view += b_col
        np.minimum(out[:, d0:d1], np.minimum.reduceat(view, segments, axis=1), out=out[:, d0:d1])
    return out.T
