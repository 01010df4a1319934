"""Tests of lookup.primedata.retrying: which failures repeat, and how long it waits."""

from __future__ import annotations

import time

import httpx
import pytest

from lookup.primedata import retrying
from lookup.primedata.errors import (
    InvalidRequest,
    PrimeDataError,
    RateLimited,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from lookup.primedata.retrying import Deadline, RetryPolicy, call_with_retries, is_retryable

REQUEST = httpx.Request("POST", "http://primedata.test/pub/events/advanced-search")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits between attempts instead of taking them."""
    recorded: list[float] = []
    monkeypatch.setattr(retrying, "_sleep", recorded.append)
    return recorded


def caused_by(error: PrimeDataError, cause: Exception) -> PrimeDataError:
    error.__cause__ = cause
    return error


def run(
    failures: list[PrimeDataError],
    *,
    budget: float = 10.0,
    max_attempts: int = 3,
    backoff_initial: float = 0.2,
    backoff_max: float = 2.0,
) -> tuple[str, list[int]]:
    """Run attempts that raise `failures` in turn and then succeed."""
    numbers: list[int] = []

    def attempt(number: int) -> str:
        numbers.append(number)
        if failures:
            raise failures.pop(0)
        return "ok"

    policy = RetryPolicy(
        max_attempts=max_attempts, backoff_initial=backoff_initial, backoff_max=backoff_max
    )
    result = call_with_retries(
        attempt,
        policy=policy,
        deadline=Deadline.start(budget),
        endpoint="events",
        request_id="req-1",
    )
    return result, numbers


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RateLimited("x", status=429), True),
        (UpstreamUnavailable("x", status=502), True),
        (UpstreamUnavailable("x", status=503), True),
        (UpstreamUnavailable("x", status=504), True),
        (UpstreamUnavailable("x", status=500), False),
        (InvalidRequest("x", status=400), False),
        (UpstreamProtocolError("x", status=200), False),
        (caused_by(UpstreamUnavailable("x"), httpx.ConnectError("x", request=REQUEST)), True),
        (caused_by(UpstreamUnavailable("x"), httpx.ReadError("x", request=REQUEST)), True),
        (caused_by(UpstreamUnavailable("x"), httpx.WriteError("x", request=REQUEST)), True),
        (
            caused_by(UpstreamUnavailable("x"), httpx.RemoteProtocolError("x", request=REQUEST)),
            True,
        ),
        (caused_by(UpstreamTimeout("x"), httpx.ConnectTimeout("x", request=REQUEST)), True),
        (caused_by(UpstreamTimeout("x"), httpx.ReadTimeout("x", request=REQUEST)), False),
        (caused_by(UpstreamTimeout("x"), httpx.WriteTimeout("x", request=REQUEST)), False),
        (caused_by(UpstreamTimeout("x"), httpx.PoolTimeout("x", request=REQUEST)), False),
        (caused_by(UpstreamUnavailable("x"), httpx.ProxyError("x", request=REQUEST)), False),
        (UpstreamTimeout("x"), False),
        (ValueError("x"), False),
    ],
)
def test_is_retryable_table(error: BaseException, expected: bool) -> None:
    assert is_retryable(error) is expected


def test_retries_until_success(sleeps: list[float]) -> None:
    failures: list[PrimeDataError] = [UpstreamUnavailable("x", status=503)] * 2

    result, numbers = run(failures)

    assert result == "ok"
    assert numbers == [1, 2, 3]
    assert len(sleeps) == 2


def test_gives_up_after_max_attempts(sleeps: list[float]) -> None:
    failures: list[PrimeDataError] = [UpstreamUnavailable("x", status=503)] * 5

    with pytest.raises(UpstreamUnavailable):
        run(failures, max_attempts=3)

    assert len(failures) == 2
    assert len(sleeps) == 2


def test_backoff_is_jittered_exponential(sleeps: list[float]) -> None:
    failures: list[PrimeDataError] = [RateLimited("x", status=429)] * 6

    with pytest.raises(RateLimited):
        run(failures, max_attempts=6, backoff_initial=0.1, backoff_max=0.3)

    assert len(sleeps) == 5
    for number, wait in enumerate(sleeps, start=1):
        assert 0 <= wait <= min(0.1 * 2 ** (number - 1), 0.3)


def test_backoff_is_random(sleeps: list[float]) -> None:
    for _ in range(20):
        run([RateLimited("x", status=429)], backoff_initial=1.0)

    assert len(set(sleeps)) > 1


def test_retry_after_is_waited_exactly(sleeps: list[float]) -> None:
    failures: list[PrimeDataError] = [RateLimited("x", status=429, retry_after=1.25)]

    result, _ = run(failures)

    assert result == "ok"
    assert sleeps == [1.25]


def test_retry_after_past_deadline_stops_at_once(sleeps: list[float]) -> None:
    failures: list[PrimeDataError] = [RateLimited("x", status=429, retry_after=30.0)]

    with pytest.raises(RateLimited) as raised:
        run(failures, budget=10.0)

    assert raised.value.retry_after == 30.0
    assert sleeps == []


def test_backoff_never_sleeps_past_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps_taken: list[float] = []

    def sleep_and_record(seconds: float) -> None:
        sleeps_taken.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(retrying, "_sleep", sleep_and_record)
    failures: list[PrimeDataError] = [UpstreamUnavailable("x", status=502)] * 3
    started = time.monotonic()

    with pytest.raises(UpstreamUnavailable):
        run(failures, budget=0.5, backoff_initial=100.0, backoff_max=100.0)

    assert sleeps_taken
    assert sum(sleeps_taken) <= 0.5 - retrying.MIN_ATTEMPT_SECONDS
    assert time.monotonic() - started < 0.5


def test_no_retry_without_time_left(sleeps: list[float]) -> None:
    failures: list[PrimeDataError] = [UpstreamUnavailable("x", status=502)]

    with pytest.raises(UpstreamUnavailable):
        run(failures, budget=retrying.MIN_ATTEMPT_SECONDS / 2)

    assert sleeps == []


def test_non_retryable_error_raised_at_once(sleeps: list[float]) -> None:
    failures: list[PrimeDataError] = [InvalidRequest("x", status=400)]

    with pytest.raises(InvalidRequest):
        run(failures)

    assert sleeps == []
