"""LSH band keys in Redis: one set per band key, holding the keys of the records that have it.

Round trips, not Redis, are the cost: redis-py spends ~15 us of Python per pipelined command,
so a SMEMBERS and a SADD per band (32 commands per record at 16 bands) tops out near 2,000
records/s. Hence one SUNION per record for a lookup (the union is all a lookup needs) and one
server-side script per batch of records for the SADDs.

Multi-key commands need all keys on one node: use a single Redis (or put a ``{hash tag}`` in
the prefix on a cluster, which then keeps an index on one shard).
"""

from __future__ import annotations

from collections.abc import Sequence

import redis

# KEYS: every band key of the batch, item after item; ARGV: member, band count, member, ...
_ADD_SCRIPT = """
local k = 1
for i = 1, #ARGV, 2 do
  local member = ARGV[i]
  for _ = 1, tonumber(ARGV[i + 1]) do
    redis.call('SADD', KEYS[k], member)
    k = k + 1
  end
end
return k - 1
"""

# Records per script call: ~8,000 SADDs, a few milliseconds during which Redis serves no one else.
_ADD_BATCH = 512
_LOOKUP_BATCH = 2048
_GLOB_SPECIAL = frozenset(b"*?[]\\")


class RedisBandStore:
    """A :class:`curation.lsh.BandStore` in Redis sets named ``prefix + band key``."""

    def __init__(self, client: redis.Redis, prefix: str | bytes) -> None:
        if not prefix:
            raise ValueError("a RedisBandStore needs a non-empty key prefix, e.g. 'lsh:<datanet id>:'")
        self._redis = client
        self._prefix = prefix.encode() if isinstance(prefix, str) else prefix
        self._add_script = client.register_script(_ADD_SCRIPT)

    def lookup(self, band_keys: Sequence[bytes]) -> set[str]:
        return self.lookup_many([band_keys])[0]

    def add(self, key: str, band_keys: Sequence[bytes]) -> None:
        self.add_many([(key, band_keys)])

    def lookup_many(self, band_keys_per_item: Sequence[Sequence[bytes]]) -> list[set[str]]:
        found: list[set[str]] = [set() for _ in band_keys_per_item]
        prefix = self._prefix
        asked = [i for i, keys in enumerate(band_keys_per_item) if keys]  # SUNION needs a key
        for lo in range(0, len(asked), _LOOKUP_BATCH):
            pipe = self._redis.pipeline(transaction=False)
            for i in asked[lo : lo + _LOOKUP_BATCH]:
                pipe.execute_command("SUNION", *[prefix + k for k in band_keys_per_item[i]])
            for i, members in zip(asked[lo : lo + _LOOKUP_BATCH], pipe.execute()):
                found[i] = {m.decode() for m in members}
        return found

    def add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> None:
        prefix = self._prefix
        for lo in range(0, len(items), _ADD_BATCH):
            keys: list[bytes] = []
            args: list[str | int] = []
            for key, band_keys in items[lo : lo + _ADD_BATCH]:
                keys.extend(prefix + k for k in band_keys)
                args.extend((key, len(band_keys)))
            # Script.__call__ uses EVALSHA and reloads the script if Redis restarted since.
            self._add_script(keys=keys, args=args)

    def clear(self) -> int:
        """Delete every key under this store's prefix; returns how many were deleted."""
        pattern = bytes(b for c in self._prefix for b in ((92, c) if c in _GLOB_SPECIAL else (c,))) + b"*"
        deleted = 0
        batch: list[bytes] = []
        for name in self._redis.scan_iter(match=pattern, count=10_000):
            batch.append(name)
            if len(batch) >= 10_000:
                deleted += self._redis.unlink(*batch)
                batch.clear()
        if batch:
            deleted += self._redis.unlink(*batch)
        return deleted
