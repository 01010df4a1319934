"""The circuit breaker and the rate-limit pause, on Django's local-memory cache."""

import logging
import time

import pytest

from lookup import circuit, primedata
from sandbox import DEMO_API_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def breaker_settings(settings):
    settings.PRIMEDATA_BREAKER_FAILURES = 2
    settings.PRIMEDATA_BREAKER_TIMEOUTS = 1
    settings.PRIMEDATA_BREAKER_OPEN_SECONDS = 0.3
    settings.PRIMEDATA_RATE_LIMIT_PAUSE = 0.3


class Upstream:
    """A stand-in for one PrimeData call that counts how often it runs."""

    def __init__(self, error: primedata.PrimeDataError | None = None) -> None:
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return "answer"


def call(upstream: Upstream, request_id: str = "req-1") -> str:
    return circuit.guarded_call(upstream, endpoint="profiles", request_id=request_id)


def outage() -> primedata.UpstreamUnavailable:
    return primedata.UpstreamUnavailable("PrimeData failed with HTTP 503", status=503)


def test_breaker_opens_after_failures():
    failing = Upstream(outage())
    for _ in range(2):
        with pytest.raises(primedata.UpstreamUnavailable):
            call(failing)

    with pytest.raises(circuit.CircuitOpen) as refused:
        call(failing)

    assert failing.calls == 2
    assert refused.value.attempts == 0
    assert 0 < refused.value.retry_after <= 0.3


def test_success_starts_the_count_again():
    failing, working = Upstream(outage()), Upstream()
    for upstream in (failing, working, failing):
        try:
            call(upstream)
        except primedata.UpstreamUnavailable:
            pass

    assert call(working) == "answer"


def test_answers_that_are_not_outages_do_not_count():
    missing = Upstream(primedata.ProfileNotFound("PrimeData found no matching profile", status=404))
    for _ in range(3):
        with pytest.raises(primedata.ProfileNotFound):
            call(missing)

    assert missing.calls == 3


def test_probe_after_open_window_closes_breaker():
    failing = Upstream(outage())
    for _ in range(2):
        with pytest.raises(primedata.UpstreamUnavailable):
            call(failing)
    time.sleep(0.3)

    assert call(Upstream()) == "answer"
    assert call(Upstream()) == "answer"


def test_only_one_probe_goes_through_at_a_time():
    failing = Upstream(outage())
    for _ in range(2):
        with pytest.raises(primedata.UpstreamUnavailable):
            call(failing)
    time.sleep(0.3)
    others = Upstream()

    def probe() -> str:
        # Another request arrives while the probe is still waiting for PrimeData.
        with pytest.raises(circuit.CircuitOpen):
            call(others, request_id="req-2")
        return "probe answer"

    assert circuit.guarded_call(probe, endpoint="profiles", request_id="req-1") == "probe answer"
    assert others.calls == 0


def test_pause_without_retry_after():
    limited = Upstream(primedata.RateLimited("PrimeData is rate limiting requests", status=429))
    with pytest.raises(primedata.RateLimited):
        call(limited)

    working = Upstream()
    with pytest.raises(primedata.RateLimited) as refused:
        call(working)
    assert working.calls == 0
    assert 0 < refused.value.retry_after <= 0.3

    time.sleep(0.3)
    assert call(working) == "answer"


def test_rate_limit_pause_follows_retry_after():
    limited = Upstream(
        primedata.RateLimited("PrimeData is rate limiting requests", status=429, retry_after=30)
    )
    with pytest.raises(primedata.RateLimited):
        call(limited)

    with pytest.raises(primedata.RateLimited) as refused:
        call(Upstream())
    assert 29 < refused.value.retry_after <= 30


def test_rejected_page_logs_once(agent_client, caplog):
    failing = Upstream(outage())
    for _ in range(2):
        with pytest.raises(primedata.UpstreamUnavailable):
            call(failing)
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="lookup"):
        response = agent_client.get("/lookup/", {"phone_number": "0912345678"})

    assert response.status_code == 503
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert response["X-Request-ID"] in text
    assert "912345678" not in text
    assert DEMO_API_KEY not in text


def test_one_timed_out_call_opens_breaker():
    timed_out = Upstream(primedata.UpstreamTimeout("PrimeData did not answer within the deadline"))

    with pytest.raises(primedata.UpstreamTimeout):
        call(timed_out)
    with pytest.raises(circuit.CircuitOpen):
        call(timed_out)

    assert timed_out.calls == 1


def test_one_outage_does_not_open_breaker():
    failing = Upstream(outage())

    with pytest.raises(primedata.UpstreamUnavailable):
        call(failing)
    with pytest.raises(primedata.UpstreamUnavailable):
        call(failing)

    assert failing.calls == 2
