"""Every upstream fault against the profile page and a timeline page, over real HTTP.

The dashboard runs in the test process and calls the standalone sandbox on
127.0.0.1, which injects each fault on schedule. Each case checks the page
the agent gets (status, message, request id, Retry-After), how long the page
took, how many requests reached the sandbox, and that the next normal
lookup works. Deadlines are short so the whole file runs in well under a
minute and a half.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from lookup import circuit
from lookup.middleware import REQUEST_ID_HEADER
from lookup.upstream import reset_client
from sandbox import DEMO_API_KEY
from tests.sandbox_process import SandboxControl

pytestmark = pytest.mark.django_db

PROFILE_ID = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"
PROFILE_MARKER = f"id=\"profile-id\">{PROFILE_ID}<".encode()

DEADLINE = 2.0
READ_TIMEOUT = 1.0
# Seconds a page may take beyond the deadline: rendering, the test client and
# a loaded machine. The faults under test would take 30 s or more unchecked.
MARGIN = 1.5
# A rejected call returns in far less than a deadline, so this bound is loose.
FAST = 0.5

PAGES = ("profile", "timeline")

RATE_LIMITED = "PrimeData is overloaded. Please try again in"
UNAVAILABLE = "PrimeData is unavailable right now. Please try again in"
NO_CONNECTION = "Could not connect to PrimeData"
TOO_SLOW = "PrimeData did not answer in time"
UNREADABLE = "PrimeData sent a response that cannot be read"


@dataclass(frozen=True)
class Case:
    fault: str
    status: int
    message: str | None
    attempts: int
    # How often the fault fires; 0 keeps it until the test clears it.
    count: int = 0


CASES = [
    Case("latency-300", 200, None, 1),
    Case("429", 503, RATE_LIMITED, 3),
    Case("429", 200, None, 2, count=1),
    Case("429-retry-after-1", 503, RATE_LIMITED, 2),
    Case("429-retry-after-date-3", 503, RATE_LIMITED, 1),
    Case("500-json", 502, NO_CONNECTION, 1),
    Case("500-html", 502, NO_CONNECTION, 1),
    Case("502-json", 502, NO_CONNECTION, 3),
    Case("502-html", 502, NO_CONNECTION, 3),
    Case("503-empty", 502, NO_CONNECTION, 3),
    Case("503-json", 200, None, 2, count=1),
    Case("503-retry-after-1", 502, NO_CONNECTION, 2),
    Case("504-html", 502, NO_CONNECTION, 3),
    Case("504-empty", 502, NO_CONNECTION, 3),
    Case("malformed-json", 502, UNREADABLE, 1),
    Case("truncated-json", 502, UNREADABLE, 1),
    Case("wrong-shape", 502, UNREADABLE, 1),
    Case("reset", 502, NO_CONNECTION, 3),
    Case("reset", 200, None, 2, count=1),
    Case("hang", 504, TOO_SLOW, 1),
    Case("drip", 504, TOO_SLOW, 1),
]


@pytest.fixture(autouse=True)
def english_pages(client: Client) -> None:
    # Vietnamese is the default; these tests read the English messages.
    client.cookies["django_language"] = "en"


@pytest.fixture
def upstream(settings, sandbox_server: str, sandbox_control: SandboxControl) -> Iterator[SandboxControl]:
    """Point the dashboard at the standalone sandbox with short timeouts; yield its control."""
    settings.PRIMEDATA_SANDBOX = False
    settings.PRIMEDATA_BASE_URL = sandbox_server
    settings.PRIMEDATA_API_KEY = DEMO_API_KEY
    settings.PRIMEDATA_DEADLINE = DEADLINE
    settings.PRIMEDATA_CONNECT_TIMEOUT = 0.5
    settings.PRIMEDATA_READ_TIMEOUT = READ_TIMEOUT
    settings.PRIMEDATA_POOL_TIMEOUT = 0.5
    # The matrix checks single faults; the breaker has tests of its own below.
    settings.PRIMEDATA_BREAKER_FAILURES = 1000
    settings.PRIMEDATA_BREAKER_TIMEOUTS = 1000
    settings.PRIMEDATA_BREAKER_OPEN_SECONDS = 1.0
    settings.PRIMEDATA_RATE_LIMIT_PAUSE = 0.5
    # Each case counts the upstream calls of one page; the profile page's
    # background fetch of the first timeline page would add its own.
    settings.LOOKUP_PREFETCH_TIMELINE = False
    reset_client()
    yield sandbox_control
    # The next test builds its client again from its own settings.
    reset_client()


def open_page(client: Client, page: str):
    """Request the page as an agent's browser would, and return the response and seconds taken."""
    started = time.monotonic()
    if page == "profile":
        response = client.get(f"/profiles/{PROFILE_ID}/")
    else:
        response = client.get(f"/profiles/{PROFILE_ID}/timeline/", headers={"HX-Request": "true"})
    return response, time.monotonic() - started


def upstream_requests(control: SandboxControl, page: str) -> int:
    endpoint = "profiles" if page == "profile" else "events"
    return control.stats()["requests"][endpoint]


def assert_page_works(client: Client, page: str) -> None:
    response, _ = open_page(client, page)
    assert response.status_code == 200
    if page == "profile":
        assert PROFILE_MARKER in response.content
    else:
        assert b'data-event-id="' in response.content


def assert_failure_page(response, message: str) -> None:
    text = response.content.decode()
    assert message in text
    # The agent can quote the id that the logs carry.
    assert response[REQUEST_ID_HEADER] in text


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.fault}-x{case.count or 'all'}")
def test_fault(agent_client: Client, upstream: SandboxControl, case: Case, page: str) -> None:
    upstream.schedule(case.fault, count=case.count)

    response, seconds = open_page(agent_client, page)

    assert response.status_code == case.status
    assert seconds < DEADLINE + MARGIN
    assert upstream_requests(upstream, page) == case.attempts
    if case.message is not None:
        assert_failure_page(response, case.message)
    if case.status == 503:
        # A 429 pauses the whole dashboard, and the page gives the wait.
        wait = int(response["Retry-After"])
        assert f"try again in {wait} seconds" in response.content.decode()
        upstream.clear()
        time.sleep(wait)
    upstream.clear()
    assert_page_works(agent_client, page)


@pytest.mark.parametrize("page", PAGES)
def test_refused_connection(
    agent_client: Client, upstream: SandboxControl, settings, closed_port_url: str, page: str
) -> None:
    live_url = settings.PRIMEDATA_BASE_URL
    settings.PRIMEDATA_BASE_URL = closed_port_url
    reset_client()

    response, seconds = open_page(agent_client, page)

    assert response.status_code == 502
    assert seconds < DEADLINE + MARGIN
    assert_failure_page(response, NO_CONNECTION)

    # PrimeData comes back at its address.
    settings.PRIMEDATA_BASE_URL = live_url
    reset_client()
    assert_page_works(agent_client, page)


def test_rate_limit_burst_pauses_every_page_and_recovers(
    agent_client: Client, upstream: SandboxControl, agent, django_user_model
) -> None:
    colleague = django_user_model.objects.create_user(username="agent-binh")
    colleague.groups.set(agent.groups.all())
    other_agent = Client()
    other_agent.cookies["django_language"] = "en"
    other_agent.force_login(colleague)
    upstream.schedule("429-retry-after-2", count=0)

    first, _ = open_page(agent_client, "profile")
    assert first.status_code == 503
    assert first["Retry-After"] == "2"
    assert upstream.stats()["requests"]["profiles"] == 1

    # Every other page, for every agent, waits out the pause without a call.
    for client, page in [(agent_client, "timeline"), (other_agent, "profile"), (other_agent, "timeline")]:
        response, seconds = open_page(client, page)
        assert response.status_code == 503
        assert seconds < FAST
        assert 1 <= int(response["Retry-After"]) <= 2
        assert_failure_page(response, RATE_LIMITED)
    assert upstream.stats()["requests"] == {"profiles": 1, "events": 0}

    # PrimeData stops limiting; once the pause is over both agents carry on.
    upstream.clear()
    time.sleep(2)
    assert_page_works(agent_client, "timeline")
    assert_page_works(other_agent, "profile")


def test_hanging_upstream_costs_one_deadline_then_fails_fast(
    agent_client: Client, upstream: SandboxControl, settings
) -> None:
    # The production defaults: other failures need three in a row, but one
    # timed-out call opens the breaker.
    settings.PRIMEDATA_BREAKER_FAILURES = 3
    settings.PRIMEDATA_BREAKER_TIMEOUTS = 1
    settings.PRIMEDATA_READ_TIMEOUT = 30.0
    reset_client()
    upstream.schedule("hang", count=0)

    response, seconds = open_page(agent_client, "profile")
    assert response.status_code == 504
    assert DEADLINE <= seconds < DEADLINE + MARGIN

    for page in PAGES:
        response, seconds = open_page(agent_client, page)
        assert response.status_code == 503
        assert seconds < FAST
        assert_failure_page(response, UNAVAILABLE)
        assert response["Retry-After"] == "1"
    assert upstream.stats()["requests"] == {"profiles": 1, "events": 0}

    # PrimeData responds again, so after the open window one probe closes the breaker.
    upstream.clear()
    time.sleep(settings.PRIMEDATA_BREAKER_OPEN_SECONDS)
    assert_page_works(agent_client, "profile")
    assert_page_works(agent_client, "timeline")
    assert upstream.stats()["requests"] == {"profiles": 2, "events": 1}


def test_dead_upstream_opens_breaker(
    agent_client: Client, upstream: SandboxControl, settings, closed_port_url: str
) -> None:
    settings.PRIMEDATA_BREAKER_FAILURES = 2
    live_url = settings.PRIMEDATA_BASE_URL
    settings.PRIMEDATA_BASE_URL = closed_port_url
    reset_client()

    for page in PAGES:
        response, seconds = open_page(agent_client, page)
        assert response.status_code == 502
        assert seconds < DEADLINE + MARGIN
    for page in PAGES:
        response, seconds = open_page(agent_client, page)
        assert response.status_code == 503
        assert seconds < FAST
        assert_failure_page(response, UNAVAILABLE)

    settings.PRIMEDATA_BASE_URL = live_url
    reset_client()
    # Still open: the page does not call PrimeData even though it is back.
    response, _ = open_page(agent_client, "profile")
    assert response.status_code == 503
    assert upstream.stats()["requests"]["profiles"] == 0

    time.sleep(settings.PRIMEDATA_BREAKER_OPEN_SECONDS)
    assert_page_works(agent_client, "profile")
    assert_page_works(agent_client, "timeline")


def test_failed_probe_opens_breaker_again(
    agent_client: Client, upstream: SandboxControl, settings
) -> None:
    settings.PRIMEDATA_BREAKER_FAILURES = 1
    upstream.schedule("502-json", count=0)

    assert open_page(agent_client, "profile")[0].status_code == 502
    assert upstream.stats()["requests"]["profiles"] == 3
    time.sleep(settings.PRIMEDATA_BREAKER_OPEN_SECONDS)

    # The probe fails, so the breaker opens again without waiting for more failures.
    assert open_page(agent_client, "profile")[0].status_code == 502
    assert upstream.stats()["requests"]["profiles"] == 6
    response, seconds = open_page(agent_client, "timeline")
    assert response.status_code == 503
    assert seconds < FAST
    assert upstream.stats()["requests"]["events"] == 0

    upstream.clear()
    circuit.reset()
    assert_page_works(agent_client, "timeline")
