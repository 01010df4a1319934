"""Retry policy of the PrimeData client, built on tenacity.

Only failures that a second attempt can fix are retried: connection errors
(refused, reset, closed before the response), a connect timeout, and the
statuses 429, 502, 503 and 504. A read timeout is not retried because
PrimeData may have received the request and the agent is already waiting.

Waits between attempts use exponential backoff with full jitter, except that
a Retry-After header is obeyed exactly. No wait may run past the call's
deadline: a backoff is shortened to fit, and a Retry-After that does not fit
stops the retries at once so the caller can tell the agent how long to wait.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
import tenacity

from .errors import PrimeDataError

__all__ = ["RETRYABLE_STATUSES", "Deadline", "RetryPolicy", "call_with_retries", "is_retryable"]

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

# Minimum time in seconds that an attempt needs to have a chance to succeed.
# A backoff that would leave less before the deadline is shortened, and a
# Retry-After that would is not waited for at all.
MIN_ATTEMPT_SECONDS = 0.1

# Transport failures after which the request can be sent again. A connect
# timeout is listed because no request reached PrimeData.
_RETRYABLE_TRANSPORT_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Deadline:
    """Total time budget of one call, measured on the monotonic clock."""

    started: float
    budget: float

    @classmethod
    def start(cls, budget: float) -> Deadline:
        return cls(started=time.monotonic(), budget=budget)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.budget - self.elapsed()

    def expired(self) -> bool:
        return self.remaining() <= 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Retry limits of one client. Times are in seconds."""

    max_attempts: int
    backoff_initial: float
    backoff_max: float


def is_retryable(error: BaseException) -> bool:
    """Return whether a failed attempt may be sent again."""
    if not isinstance(error, PrimeDataError):
        return False
    if error.status is not None:
        return error.status in RETRYABLE_STATUSES
    return isinstance(error.__cause__, _RETRYABLE_TRANSPORT_ERRORS)


def call_with_retries(
    attempt: Callable[[int], T],
    *,
    policy: RetryPolicy,
    deadline: Deadline,
    endpoint: str,
    request_id: str | None,
) -> T:
    """Run `attempt` until it returns, retrying retryable failures within the deadline.

    `attempt` receives the 1-based attempt number and raises a PrimeDataError
    on failure. The last error is raised unchanged when the retries stop.
    """

    def log_retry(retry_state: tenacity.RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        logger.info(
            "PrimeData %s attempt %d of %d failed (%s, status %s), retrying in %.2f s "
            "(request id %s)",
            endpoint,
            retry_state.attempt_number,
            policy.max_attempts,
            type(error).__name__,
            getattr(error, "status", None),
            retry_state.upcoming_sleep,
            request_id,
        )

    guard = _DeadlineGuard(policy, deadline)
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_retryable),
        wait=guard.wait,
        stop=tenacity.stop_any(tenacity.stop_after_attempt(policy.max_attempts), guard.stop),
        sleep=_sleep,
        before_sleep=log_retry,
        reraise=True,
    )
    attempt_numbers = itertools.count(1)
    return retrying(lambda: attempt(next(attempt_numbers)))


def _sleep(seconds: float) -> None:
    # Tests replace this function to check the waits without taking them.
    time.sleep(seconds)


class _DeadlineGuard:
    """Wait and stop rules of one call, which share the verdict on the deadline.

    Tenacity computes the wait and then calls the stop rule, so the wait
    records whether it fits. A separate stop rule that read the clock again
    would see a little less time left than the wait did, and a wait
    shortened to fit exactly would then never be taken.
    """

    def __init__(self, policy: RetryPolicy, deadline: Deadline) -> None:
        self._deadline = deadline
        self._backoff = tenacity.wait_random_exponential(
            multiplier=policy.backoff_initial, max=policy.backoff_max
        )
        self._wait_fits = True

    def wait(self, retry_state: tenacity.RetryCallState) -> float:
        """Return what Retry-After requests, or a jittered backoff shortened to fit."""
        remaining = self._deadline.remaining()
        error = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            # PrimeData requested this wait, so it is never shortened. When it
            # does not fit, the retries stop and the caller reads retry_after.
            self._wait_fits = retry_after + MIN_ATTEMPT_SECONDS <= remaining
            return float(retry_after)

        room = remaining - MIN_ATTEMPT_SECONDS
        self._wait_fits = room >= 0
        return max(0.0, min(self._backoff(retry_state), room))

    def stop(self, retry_state: tenacity.RetryCallState) -> bool:
        """Stop when the wait just computed leaves no time for another attempt."""
        return not self._wait_fits
