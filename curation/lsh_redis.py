"""LSH band keys in Redis, for an index shared by every worker and kept across restarts.

Layout: one Redis hash per band, named ``prefix + band index`` (the first two bytes of a band
key); its fields are the rest of the band keys, and a field's value is the keys of the records
having that band key, newline-separated.

Why not one set per band key (SADD/SMEMBERS)? Measured on this project's 2-core box with 100k
records indexed: a set per band key costs ~210 bytes of Redis memory per (record, band), and
either 32 pipelined commands per record (redis-py spends ~15 us of Python on each: ~2,000
records/s) or a Lua loop of SADDs (~5,000 records/s lookup + insert). Hashes per band cost ~65
bytes, and one script call per batch does one HMGET and one HSET per band, so Redis does a few
native multi-field commands per 1,000 records and redis-py packs one command.

Both scripts run atomically, so concurrent workers never lose each other's records. Scripts
touch all bands' keys: on Redis Cluster put a ``{hash tag}`` in the prefix (one shard per index).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import redis

# KEYS[b]: hash of band b. ARGV[b]: band b's fields, concatenated (all ARGV[#KEYS + 1] bytes
# long: one blob per band instead of one argument per field keeps redis-py's packing cheap).
# Returns flat triples (band, position of the field in its blob, value) for the fields found.
_LOOKUP_SCRIPT = r"""
local width = tonumber(ARGV[#KEYS + 1])
local out = {}
for b = 1, #KEYS do
  local blob = ARGV[b]
  local fields = {}
  for j = 1, #blob / width do fields[j] = string.sub(blob, (j - 1) * width + 1, j * width) end
  local values = redis.call('HMGET', KEYS[b], unpack(fields))
  for j = 1, #fields do
    if values[j] then
      out[#out + 1] = b
      out[#out + 1] = j
      out[#out + 1] = values[j]
    end
  end
end
return out
"""

# KEYS[b]: hash of band b. ARGV[b]: its fields, concatenated as above; ARGV[#KEYS + b]: the
# member for each of those fields, newline-separated; ARGV[2 * #KEYS + 1]: the field width.
# Adds each member to its field's newline-separated list unless it is there already.
_ADD_SCRIPT = r"""
local width = tonumber(ARGV[2 * #KEYS + 1])
for b = 1, #KEYS do
  local blob = ARGV[b]
  local fields = {}
  for j = 1, #blob / width do fields[j] = string.sub(blob, (j - 1) * width + 1, j * width) end
  local old = redis.call('HMGET', KEYS[b], unpack(fields))
  local value, changed, j = {}, {}, 0
  for member in string.gmatch(ARGV[#KEYS + b], '[^\n]+') do
    j = j + 1
    local field = fields[j]
    local current = value[field] or old[j]
    if not current then
      value[field] = member
      changed[#changed + 1] = field
    elseif not string.find('\n' .. current .. '\n', '\n' .. member .. '\n', 1, true) then
      if not value[field] then changed[#changed + 1] = field end
      value[field] = current .. '\n' .. member
    end
  end
  if #changed > 0 then
    local args = {}
    for _, field in ipairs(changed) do
      args[#args + 1] = field
      args[#args + 1] = value[field]
    end
    redis.call('HSET', KEYS[b], unpack(args))
  end
end
return 0
"""

# Records per script call. Bounds Lua's unpack() (a few thousand values at most) and the time
# Redis serves no one else (~10 ms).
_BATCH = 1000
_BAND_PREFIX_BYTES = 2  # the band index; hash names are prefix + these bytes
_GLOB_SPECIAL = frozenset(b"*?[]\\")


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
            if groups is None:
                continue
            names, blobs, owners, width = groups
            # Script.__call__ uses EVALSHA and reloads the script if Redis restarted since.
            hits = self._lookup_script(keys=[self._prefix + n for n in names], args=[*blobs, width])
            for i in range(0, len(hits), 3):
                item = lo + int(owners[hits[i] - 1][hits[i + 1] - 1])
                found[item].update(hits[i + 2].decode().split("\n"))
        return found

    def add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> None:
        for lo in range(0, len(items), _BATCH):
            batch = items[lo : lo + _BATCH]
            members = [key for key, _ in batch]
            if any(not key or "\n" in key for key in members):
                raise ValueError("record keys must be non-empty and contain no newline")
            groups = _group_by_band([band_keys for _, band_keys in batch])
            if groups is None:
                continue
            names, blobs, owners, width = groups
            joined = ["\n".join([members[i] for i in owner.tolist()]) for owner in owners]
            self._add_script(keys=[self._prefix + n for n in names], args=[*blobs, *joined, width])

    def clear(self) -> int:
        """Delete every key under this store's prefix; returns how many were deleted."""
        escaped = bytes(b for c in self._prefix for b in ((92, c) if c in _GLOB_SPECIAL else (c,)))
        names = list(self._redis.scan_iter(match=escaped + b"*", count=1000))
        return int(self._redis.unlink(*names)) if names else 0


def _group_by_band(
    band_keys_per_item: Sequence[Sequence[bytes]],
) -> tuple[list[bytes], list[bytes], list[npt.NDArray[np.intp]], int] | None:
    """Band keys regrouped per band: band prefixes, one blob of fields per band, the item of
    each field, and the field width. Vectorised: this runs for every ingested chunk."""
    counts = np.fromiter((len(keys) for keys in band_keys_per_item), dtype=np.intp, count=len(band_keys_per_item))
    if counts.sum() == 0:
        return None
    flat = b"".join(key for keys in band_keys_per_item for key in keys)
    key_length = len(flat) // int(counts.sum())
    if key_length <= _BAND_PREFIX_BYTES or key_length * int(counts.sum()) != len(flat):
        raise ValueError("band keys must all be 2 bytes of band index plus a hash of one fixed length")
    table = np.frombuffer(flat, dtype=np.uint8).reshape(-1, key_length)
    band_ids = table[:, 0].astype(np.intp) << 8 | table[:, 1]
    order = np.argsort(band_ids, kind="stable")
    owners_flat = np.repeat(np.arange(len(counts)), counts)[order]
    bands, starts = np.unique(band_ids[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    fields = table[order, _BAND_PREFIX_BYTES:]
    return (
        [int(b).to_bytes(_BAND_PREFIX_BYTES, "big") for b in bands],
        [fields[s:e].tobytes() for s, e in zip(starts, ends)],
        [owners_flat[s:e] for s, e in zip(starts, ends)],
        key_length - _BAND_PREFIX_BYTES,
    )
