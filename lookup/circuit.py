"""Circuit breaker and rate-limit pause for PrimeData, shared through Django's cache.

Every worker process and thread reads and writes the same cache keys, so
what one request learns about PrimeData protects all the others:

- After PRIMEDATA_BREAKER_FAILURES calls in a row failed because PrimeData
  was unreachable, broken (5xx) or too slow, or as soon as the count reaches
  PRIMEDATA_BREAKER_TIMEOUTS on a call that timed out, the breaker opens for
  PRIMEDATA_BREAKER_OPEN_SECONDS. Calls are then rejected at once with
  `CircuitOpen`, without a request. When that time has passed, one call
  is let through as a probe: its success closes the breaker, its failure
  opens it again.
- A 429 pauses every call until its Retry-After has passed, or for
  PRIMEDATA_RATE_LIMIT_PAUSE seconds without one. Calls in the pause are
  rejected with `RateLimited`, carrying the seconds still to wait.

Times stored in the cache are wall-clock seconds since the epoch, because
the processes sharing them have unrelated monotonic clocks. If the cache
fails, calls go through unguarded rather than fail.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from lookup import primedata

__all__ = ["CircuitOpen", "guarded_call", "reset"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_FAILURES_KEY = "primedata:circuit:failures"
_OPEN_UNTIL_KEY = "primedata:circuit:open-until"
_PROBE_KEY = "primedata:circuit:probe"
_PAUSE_UNTIL_KEY = "primedata:rate-limit:pause-until"

# Seconds the failure count and an open breaker's record stay in the cache
# when nothing touches them. An outage older than this is forgotten, so a
# quiet night does not leave one stale failure counted forever.
_MEMORY_SECONDS = 600

# Failures that show PrimeData cannot serve anyone right now. A 4xx or a
# malformed body concerns one request, and a 429 has its own pause.
_OUTAGE_ERRORS = (primedata.UpstreamUnavailable, primedata.UpstreamTimeout)


class CircuitOpen(primedata.UpstreamUnavailable):
    """The breaker rejected the call without sending it; `retry_after` is the wait in seconds."""


def guarded_call(call: Callable[[], T], *, endpoint: str, request_id: str | None) -> T:
    """Run `call` unless the breaker or a rate-limit pause rejects it, and record its result.

    Raises CircuitOpen or RateLimited without calling when rejected; errors
    of `call` itself are recorded and raised unchanged.
    """
    had_failures = _reject_if_blocked(endpoint, request_id)
    try:
        result = call()
    except primedata.RateLimited as error:
        _start_pause(error.retry_after)
        _release_probe()
        raise
    except _OUTAGE_ERRORS as error:
        _record_failure(endpoint, error)
        raise
    except primedata.PrimeDataError:
        # PrimeData responded, so it is up, but only a success closes an open
        # breaker. The probe is released for the next caller.
        _release_probe()
        raise
    if had_failures:
        _record_success()
    return result


def reset() -> None:
    """Close the breaker and end any pause (tests and operators)."""
    cache.delete_many([_FAILURES_KEY, _OPEN_UNTIL_KEY, _PROBE_KEY, _PAUSE_UNTIL_KEY])


def _reject_if_blocked(endpoint: str, request_id: str | None) -> bool:
    """Raise the rejection when the call must not go out, and return whether the cache had failure state.

    Without failure or breaker state, a success has nothing to clear, which
    saves a cache round trip on nearly every call.
    """
    try:
        stored = cache.get_many([_PAUSE_UNTIL_KEY, _OPEN_UNTIL_KEY, _FAILURES_KEY])
        rejection = _rejection(stored)
    except Exception:
        logger.exception("PrimeData breaker could not read the cache; the call goes through")
        return True
    if rejection is not None:
        error_class, message, retry_after = rejection
        _reject(error_class, message, endpoint, request_id, retry_after)
    return stored.get(_OPEN_UNTIL_KEY) is not None or bool(stored.get(_FAILURES_KEY))


def _rejection(stored: dict[str, float]) -> tuple[type[primedata.PrimeDataError], str, float] | None:
    """Return the error class, message and wait that reject a call now, or None to let it through."""
    now = time.time()
    pause_until = stored.get(_PAUSE_UNTIL_KEY)
    open_until = stored.get(_OPEN_UNTIL_KEY)

    if pause_until is not None and pause_until > now:
        return primedata.RateLimited, "PrimeData calls are paused after a 429", pause_until - now
    if open_until is None:
        return None
    if open_until > now:
        return CircuitOpen, "PrimeData circuit breaker is open", open_until - now
    # Half-open: the first caller to claim the probe goes through. The claim
    # expires after one deadline, so a probe lost with its worker does not
    # keep the breaker shut.
    if cache.add(_PROBE_KEY, now, timeout=settings.PRIMEDATA_DEADLINE + 1):
        return None
    return (
        CircuitOpen,
        "PrimeData circuit breaker is waiting for its probe",
        settings.PRIMEDATA_BREAKER_OPEN_SECONDS,
    )


def _reject(
    error_class: type[primedata.PrimeDataError],
    message: str,
    endpoint: str,
    request_id: str | None,
    retry_after: float,
) -> None:
    error = error_class(
        message, endpoint=endpoint, request_id=request_id, retry_after=retry_after
    )
    logger.warning(
        "PrimeData %s request rejected without a call: %s, status -, vendor code -, "
        "%d attempts in 0.00 s, retry in %.1f s (request id %s)",
        endpoint,
        message,
        error.attempts,
        retry_after,
        request_id,
    )
    raise error


def _start_pause(retry_after: float | None) -> None:
    seconds = retry_after if retry_after is not None else settings.PRIMEDATA_RATE_LIMIT_PAUSE
    if seconds <= 0:
        return
    try:
        cache.set(_PAUSE_UNTIL_KEY, time.time() + seconds, timeout=math.ceil(seconds) + 1)
    except Exception:
        logger.exception("PrimeData rate-limit pause could not be stored in the cache")


def _record_failure(endpoint: str, error: primedata.PrimeDataError) -> None:
    try:
        cache.add(_FAILURES_KEY, 0, timeout=_MEMORY_SECONDS)
        try:
            failures = cache.incr(_FAILURES_KEY)
        except ValueError:
            # The count expired between add and incr.
            cache.set(_FAILURES_KEY, 1, timeout=_MEMORY_SECONDS)
            failures = 1
        probing = cache.get(_PROBE_KEY) is not None
        # A call that ran out of time has already cost an agent the whole
        # deadline, so fewer of them in a row open the breaker.
        threshold = (
            settings.PRIMEDATA_BREAKER_TIMEOUTS
            if isinstance(error, primedata.UpstreamTimeout)
            else settings.PRIMEDATA_BREAKER_FAILURES
        )
        if probing or failures >= threshold:
            seconds = settings.PRIMEDATA_BREAKER_OPEN_SECONDS
            cache.set(_OPEN_UNTIL_KEY, time.time() + seconds, timeout=_MEMORY_SECONDS)
            cache.delete(_PROBE_KEY)
            logger.warning(
                "PrimeData circuit breaker opened for %g s after %d failed %s calls "
                "(last: %s, request id %s)",
                seconds,
                failures,
                endpoint,
                type(error).__name__,
                error.request_id,
            )
    except Exception:
        logger.exception("PrimeData breaker could not record a failure in the cache")


def _record_success() -> None:
    try:
        if cache.get(_OPEN_UNTIL_KEY) is not None:
            logger.info("PrimeData probe succeeded, so the circuit breaker closed")
        cache.delete_many([_FAILURES_KEY, _OPEN_UNTIL_KEY, _PROBE_KEY])
    except Exception:
        logger.exception("PrimeData breaker could not record a success in the cache")


def _release_probe() -> None:
    try:
        cache.delete(_PROBE_KEY)
    except Exception:
        logger.exception("PrimeData breaker could not release its probe in the cache")
