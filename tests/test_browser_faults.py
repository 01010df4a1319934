"""In Chromium: a failing part of a page leaves the rest of the page in place.

The dashboard calls the standalone sandbox, which fails on schedule. The
browser reports each 5xx response as "Failed to load resource" on its
console, and htmx reports an error response it swaps in as "Response Status
Error Code". These tests expect those lines and fail on any other console
error.
"""

from collections.abc import Iterator

import pytest

from lookup.upstream import reset_client
from sandbox import DEMO_API_KEY
from tests.conftest import AGENT_PASSWORD, wait_for_live_server_idle
from tests.sandbox_process import SandboxControl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROFILE_ID = "2YhQlO5kmTIRCu22QrO9BmgwbIy"
PROFILE_NAME = "Nguyễn Văn An"


@pytest.fixture
def upstream(settings, sandbox_server: str, sandbox_control: SandboxControl) -> Iterator[SandboxControl]:
    settings.PRIMEDATA_SANDBOX = False
    settings.PRIMEDATA_BASE_URL = sandbox_server
    settings.PRIMEDATA_API_KEY = DEMO_API_KEY
    settings.PRIMEDATA_DEADLINE = 2.0
    reset_client()
    yield sandbox_control
    reset_client()


@pytest.fixture
def agent_tab(chromium, live_server, agent) -> Iterator[tuple[object, list[str]]]:
    """A signed-in tab in English and the console errors it logged."""
    context = chromium.new_context(locale="en-US", base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    console_errors: list[str] = []
    tab.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    tab.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    tab.goto("/accounts/login/")
    tab.fill("#id_username", agent.username)
    tab.fill("#id_password", AGENT_PASSWORD)
    tab.click("button[type=submit].primary")
    tab.wait_for_url("**/")
    yield tab, console_errors
    context.close()
    wait_for_live_server_idle(timeout=10.0)


EXPECTED_CONSOLE_ERRORS = ("Failed to load resource", "Response Status Error Code")


def unexpected(console_errors: list[str]) -> list[str]:
    return [text for text in console_errors if not text.startswith(EXPECTED_CONSOLE_ERRORS)]


def test_failing_timeline_keeps_profile_visible(agent_tab, upstream: SandboxControl):
    tab, console_errors = agent_tab
    upstream.schedule("502-json", count=0, endpoint="events")

    tab.goto(f"/profiles/{PROFILE_ID}/")
    error = tab.locator("#timeline-events .timeline-error")
    error.wait_for()

    assert "Could not connect to PrimeData" in error.inner_text()
    assert error.locator("code").inner_text().strip() != ""
    assert tab.locator(".profile-name").inner_text() == PROFILE_NAME
    assert tab.locator("#profile-id").inner_text() == PROFILE_ID
    assert tab.locator(".profile-grid .card").count() == 3

    # PrimeData recovers, and Retry loads the events in place of the error.
    upstream.clear()
    error.locator("button").click()
    tab.locator("#timeline-events .event").first.wait_for()
    assert tab.locator("#timeline-events .timeline-error").count() == 0
    assert tab.locator(".profile-name").inner_text() == PROFILE_NAME
    assert unexpected(console_errors) == []


def test_failing_profile_keeps_page_layout(agent_tab, upstream: SandboxControl):
    tab, console_errors = agent_tab
    upstream.schedule("503-html", count=0, endpoint="profiles")

    response = tab.goto(f"/profiles/{PROFILE_ID}/")

    assert response.status == 502
    assert tab.locator(".site-header .site-nav").is_visible()
    assert "Could not connect to PrimeData" in tab.locator("main [role=alert]").inner_text()
    assert tab.locator("main .request-id code").inner_text() == response.headers["x-request-id"]
    # The agent can search again from the failure page.
    assert tab.locator("main #search-input").is_visible()
    # The gateway's HTML page never reaches the agent.
    assert "Gateway error" not in tab.content()
    assert unexpected(console_errors) == []
