"""Protection against ourselves: one run per document, a rate limit, a circuit breaker.

All three take a clock (seconds, monotonic) so tests can move time by hand.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


class RunRegistry:
    """Remembers which documents have a run in flight."""

    def __init__(self) -> None:
        self._active: set[str] = set()

    def try_start(self, document: str) -> bool:
        if document in self._active:
            return False
        self._active.add(document)
        return True

    def finish(self, document: str) -> None:
        self._active.discard(document)

    def is_running(self, document: str) -> bool:
        return document in self._active

    def active(self) -> frozenset[str]:
        return frozenset(self._active)


class RateLimiter:
    """At most `limit` starts in any 60 seconds (sliding window); 0 means no limit."""

    WINDOW = 60.0

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._starts: deque[float] = deque()

    def try_acquire(self, limit: int) -> float | None:
        """Record a start and return None, or return how many seconds to wait."""
        now = self._clock()
        while self._starts and now - self._starts[0] >= self.WINDOW:
            self._starts.popleft()
        if limit > 0 and len(self._starts) >= limit:
            return self.WINDOW - (now - self._starts[0])
        self._starts.append(now)
        return None


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Fails fast after `threshold` consecutive failures, for `cooldown` seconds.

    After the cooldown one trial run goes through (half-open); its success closes the
    breaker, its failure opens it for another cooldown. While the trial runs, other
    asks still fail fast, so a recovering API gets one request, not a burst.
    """

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def state(self, cooldown: float) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._trial_running or self._clock() - self._opened_at >= cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def retry_in(self, cooldown: float) -> float | None:
        """Seconds until a trial run is allowed, or None when calls go through; no side effect."""
        if self._opened_at is None:
            return None
        return max(0.0, cooldown - (self._clock() - self._opened_at))

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def before_call(self, cooldown: float) -> float | None:
        """Admit a call (None) or return the seconds left until a trial is allowed."""
        if self._opened_at is None:
            return None
        remaining = cooldown - (self._clock() - self._opened_at)
        if self._trial_running:
            # The trial has its own timeout; a second is a fair "soon".
            return max(remaining, 1.0)
        if remaining > 0:
            return remaining
        self._trial_running = True
        return None

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self, threshold: int) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= threshold:
            self._opened_at = self._clock()
        self._trial_running = False

    def release(self) -> None:
        """The admitted call ended with no verdict on the service (e.g. it was cancelled)."""
        self._trial_running = False
