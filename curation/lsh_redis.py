"""LSH band keys in Redis, for an index shared by every worker and kept across restarts.

Layout: one Redis hash per band, named ``prefix + band index`` (the first two bytes of a band
key); its fields are the rest of the band keys, and a field's value is the keys of the records
having that band key, newline-separated.

Why not one set per band key with pipelined SADD/SMEMBERS? Measured on this project's 2-core
box with 100k records indexed: a set per band key costs ~210 bytes of Redis memory per
(record, band), and either 32 pipelined commands per record (redis-py spends ~15 us of Python
on each: ~2,000 records/s) or a Lua loop of SADDs (~5,000 records/s lookup + insert). A hash
per band costs ~65 bytes, and one script call per batch of 1,000 records runs one multi-field
HMGET (and HSET) per band, so Redis does 16-32 native commands per batch and redis-py packs one.

Scripts run atomically: concurrent workers never lose each other's records, and
:meth:`RedisBandStore.lookup_and_add_many` lets each record see every record indexed before it
-- including earlier ones of its own batch -- in one step. Scripts touch every band's key: on
Redis Cluster put a ``{hash tag}`` in the prefix (an index then lives on one shard).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import redis

# KEYS[b]: hash of band b. ARGV[b]: band b's fields, concatenated, each ARGV[#KEYS + 1] bytes
# long (one blob per band instead of one argument per field keeps redis-py's packing cheap).
# Returns flat triples (band, position of the field in its blob, value) for the fields found.
_LOOKUP_SCRIPT = r"""
local sub = string.sub
local width = tonumber(ARGV[#KEYS + 1])
local hits, n = {}, 0
for b = 1, #KEYS do
  local blob = ARGV[b]
  local fields = {}
  for j = 1, #blob / width do fields[j] = sub(blob, (j - 1) * width + 1, j * width) end
  local values = redis.call('HMGET', KEYS[b], unpack(fields))
  for j = 1, #fields do
    if values[j] then
      hits[n + 1], hits[n + 2], hits[n + 3] = b, j, values[j]
      n = n + 3
    end
  end
end
return hits
"""

# KEYS and ARGV[1..#KEYS] as above; ARGV[#KEYS + b]: for each field of band b, the 2-byte
# big-endian index of its member in ARGV[2 * #KEYS + 1], the batch's members joined by '\n';
# ARGV[2 * #KEYS + 2]: the field width. Fields come in item order, so each hit (same triples as
# above) holds the members that were there before that item: earlier batches and earlier items.
# A field repeated within the batch is written twice by HSET; the later value includes the
# earlier, and HSET applies its pairs in order. (Lua globals are table lookups: hence locals.)
_ADD_SCRIPT = r"""
local sub, byte, find = string.sub, string.byte, string.find
local n_bands = #KEYS
local width = tonumber(ARGV[2 * n_bands + 2])
local members = {}
for m in string.gmatch(ARGV[2 * n_bands + 1], '[^\n]+') do members[#members + 1] = m end
local hits, n_hits = {}, 0
for b = 1, n_bands do
  local blob, owners = ARGV[b], ARGV[n_bands + b]
  local fields = {}
  for j = 1, #owners / 2 do fields[j] = sub(blob, (j - 1) * width + 1, j * width) end
  local old = redis.call('HMGET', KEYS[b], unpack(fields))
  local seen, args, n = {}, {}, 0
  for j = 1, #fields do
    local field = fields[j]
    local high, low = byte(owners, 2 * j - 1, 2 * j)
    local member = members[high * 256 + low + 1]
    local current = seen[field] or old[j]
    local value = member
    if current then
      hits[n_hits + 1], hits[n_hits + 2], hits[n_hits + 3] = b, j, current
      n_hits = n_hits + 3
      if find('\n' .. current .. '\n', '\n' .. member .. '\n', 1, true) then
        value = current
      else
        value = current .. '\n' .. member
      end
    end
    seen[field] = value
    args[n + 1], args[n + 2] = field, value
    n = n + 2
  end
  redis.call('HSET', KEYS[b], unpack(args))
end
return hits
"""

# Records per script call. Bounds Lua's unpack() (a few thousand values at most), the 2-byte
# member index, and how long Redis serves no one else (tens of milliseconds).
_BATCH = 1000
_BAND_PREFIX_BYTES = 2  # the band index; hash names are prefix + these bytes
_GLOB_SPECIAL = frozenset(b"*?[]\\")

_Groups = tuple[list[bytes], list[bytes], list[npt.NDArray[np.intp]], int]


class RedisBandStore:
    """A :class:`curation.lsh.BandStore` in Redis hashes named ``prefix + band index``."""

    def __init__(self, client: redis.Redis, prefix: str | bytes) -> None:
        if not prefix:
            raise ValueError("a RedisBandStore needs a non-empty key prefix, e.g. 'lsh:<datanet id>:'")
        self._redis = client
        self._prefix = prefix.encode() if isinstance(prefix, str) else prefix
        self._lookup_script = client.register_script(_LOOKUP_SCRIPT)
        self._add_script = client.register_script(_ADD_SCRIPT)

    def lookup(self, band_keys: Sequence[bytes]) -> set[str]:
        return self.lookup_many([band_keys])[0]

    def add(self, key: str, band_keys: Sequence[bytes]) -> None:
        self.add_many([(key, band_keys)])

    def lookup_many(self, band_keys_per_item: Sequence[Sequence[bytes]]) -> list[set[str]]:
        found: list[set[str]] = [set() for _ in band_keys_per_item]
        for lo in range(0, len(band_keys_per_item), _BATCH):
            groups = _group_by_band(band_keys_per_item[lo : lo + _BATCH])
            if groups is not None:
                names, blobs, owners, width = groups
                # Script.__call__ uses EVALSHA and reloads the script if Redis restarted since.
                hits = self._lookup_script(keys=[self._prefix + n for n in names], args=[*blobs, width])
                _collect(hits, owners, found, lo)
        return found

    def add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> None:
        self.lookup_and_add_many(items)

    def lookup_and_add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> list[set[str]]:
        """For each item in order, the keys sharing a band with it that were indexed before it
        (by earlier calls or earlier items here); the item is then added. Atomic per batch."""
        if any(not key or "\n" in key for key, _ in items):
            raise ValueError("record keys must be non-empty and contain no newline")
        found: list[set[str]] = [set() for _ in items]
        for lo in range(0, len(items), _BATCH):
            batch = items[lo : lo + _BATCH]
            members = [key for key, _ in batch]
            groups = _group_by_band([band_keys for _, band_keys in batch])
            if groups is not None:
                names, blobs, owners, width = groups
                owner_blobs = [o.astype(">u2").tobytes() for o in owners]
                args: list[bytes | str | int] = [*blobs, *owner_blobs, "\n".join(members), width]
                hits = self._add_script(keys=[self._prefix + n for n in names], args=args)
                _collect(hits, owners, found, lo)
        return found

    def clear(self) -> int:
        """Delete every key under this store's prefix; returns how many were deleted."""
        escaped = bytes(b for c in self._prefix for b in ((92, c) if c in _GLOB_SPECIAL else (c,)))
        names = list(self._redis.scan_iter(match=escaped + b"*", count=10_000))
        return int(self._redis.unlink(*names)) if names else 0


def _collect(
    hits: list[int | bytes], owners: list[npt.NDArray[np.intp]], found: list[set[str]], lo: int
) -> None:
    """Add each hit's members to the set of the item that asked (``lo`` = the batch's first)."""
    for i in range(0, len(hits), 3):
        band, position, value = hits[i], hits[i + 1], hits[i + 2]
        assert isinstance(band, int) and isinstance(position, int) and isinstance(value, bytes)
        found[lo + int(owners[band - 1][position - 1])].update(value.decode().split("\n"))


def _group_by_band(band_keys_per_item: Sequence[Sequence[bytes]]) -> _Groups | None:
    """Band keys regrouped per band, items in order: band prefixes, one blob of fields per band,
    the item of each field, and the field width. Vectorised: it runs for every ingested chunk."""
    n_items = len(band_keys_per_item)
    counts = np.fromiter((len(keys) for keys in band_keys_per_item), dtype=np.intp, count=n_items)
    total = int(counts.sum())
    if total == 0:
        return None
    flat = b"".join(key for keys in band_keys_per_item for key in keys)
    key_length = len(flat) // total
    if key_length <= _BAND_PREFIX_BYTES or key_length * total != len(flat):
        raise ValueError("band keys must all be 2 bytes of band index plus a hash of one fixed length")
    table = np.frombuffer(flat, dtype=np.uint8).reshape(-1, key_length)
    band_ids = table[:, 0].astype(np.intp) << 8 | table[:, 1]
    order = np.argsort(band_ids, kind="stable")
    owners = np.repeat(np.arange(len(counts)), counts)[order]
    bands, starts = np.unique(band_ids[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    fields = table[order, _BAND_PREFIX_BYTES:]
    return (
        [int(b).to_bytes(_BAND_PREFIX_BYTES, "big") for b in bands],
        [fields[s:e].tobytes() for s, e in zip(starts, ends)],
        [owners[s:e] for s, e in zip(starts, ends)],
        key_length - _BAND_PREFIX_BYTES,
    )
