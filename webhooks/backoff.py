"""When to try a failed delivery again: exponential backoff inside a fixed window.

Attempt n+1 comes ``base × 2^(n-1)`` seconds after attempt n (1, 2, 4, … minutes with the
default base), never later than the end of the window; the last attempt is made at the end of
the window, and after it nothing more. With a 24-hour window that is about 12 attempts.
"""

from datetime import datetime, timedelta

BASE_SECONDS = 60


def next_attempt_at(*, first: datetime, now: datetime, attempts: int, window: timedelta,
                    base_seconds: int = BASE_SECONDS) -> datetime | None:
    """The time of the next attempt after `attempts` failed ones, or None when the window is over."""
    deadline = first + window
    if now >= deadline:
        return None
    delay = timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))
    return min(now + delay, deadline)


def schedule(*, window: timedelta, base_seconds: int = BASE_SECONDS) -> list[timedelta]:
    """Offsets from the first attempt of every attempt when all fail (for docs and tests)."""
    first = datetime(2000, 1, 1)
    now, offsets, attempts = first, [timedelta(0)], 1
    while (nxt := next_attempt_at(first=first, now=now, attempts=attempts, window=window,
                                  base_seconds=base_seconds)) is not None:
        now, attempts = nxt, attempts + 1
        offsets.append(now - first)
    return offsets
