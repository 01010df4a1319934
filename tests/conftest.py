import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.core.handlers.base import BaseHandler
from playwright.sync_api import Error as PlaywrightError

from tests.sandbox_process import SandboxControl, SandboxProcess

# Playwright's sync API runs an event loop in the test thread, so Django
# refuses ORM calls there unless this is set. The tests use the ORM only for set-up.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.leak_scan"]

CHROMIUM = "/usr/bin/chromium"
AGENT_PASSWORD = "correct horse 42"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Start and end each test with an empty cache, so breaker and pause state do not leak."""
    from django.conf import settings

    if not settings.configured:
        # The sandbox's own tests may run without Django (-p no:django).
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agent(django_user_model):
    """A customer-care agent: a member of the group that may look up customers."""
    from lookup.access import agents_group

    user = django_user_model.objects.create_user(username="agent-an", password=AGENT_PASSWORD)
    user.groups.add(agents_group())
    return user


@pytest.fixture
def contact_agent_client(client, agent):
    """An agent who also has "Can view full contact details", so phones and emails show unmasked."""
    from django.contrib.auth.models import Permission

    agent.user_permissions.add(
        Permission.objects.get_by_natural_key("view_full_contact_details", "lookup", "auditrecord")
    )
    client.force_login(agent)
    return client


@pytest.fixture
def plain_user(django_user_model):
    """A signed-up user who was never granted the lookup permission."""
    return django_user_model.objects.create_user(username="user-binh", password=AGENT_PASSWORD)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; no browser is downloaded."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, transactional_db, request):
    """A fresh browser tab, Vietnamese by default, failing on any console error.

    A test that provokes error responses on purpose lists the messages it
    expects with ``@pytest.mark.console_errors(pattern, ...)``. The tab is
    set up after the database and closed before it, and its last requests
    finish first, so the live server never serves a request without one.
    """
    context = chromium.new_context(locale="vi-VN", base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    console_errors: list[str] = []
    tab.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    yield tab
    # htmx marks the element whose request is in flight with .htmx-request.
    with contextlib.suppress(PlaywrightError):
        tab.wait_for_function("!document.querySelector('.htmx-request')", timeout=5_000)
    context.close()
    wait_for_live_server_idle(timeout=10.0)
    # A CSP violation or a script error shows up here.
    marker = request.node.get_closest_marker("console_errors")
    expected = [re.compile(pattern) for pattern in (marker.args if marker else ())]
    assert [text for text in console_errors if not any(p.search(text) for p in expected)] == []


class _InFlightRequests:
    """Counts the requests Django is handling, the live server's threads included."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def install(self) -> None:
        original = BaseHandler.get_response

        def get_response(handler, request):  # type: ignore[no-untyped-def]
            with self.lock:
                self.count += 1
            try:
                return original(handler, request)
            finally:
                with self.lock:
                    self.count -= 1

        BaseHandler.get_response = get_response


_in_flight = _InFlightRequests()
_in_flight.install()


def wait_for_live_server_idle(timeout: float) -> None:
    """Wait until no request is being handled, so none outlives the test's database."""
    deadline = time.monotonic() + timeout
    while _in_flight.count and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture
def signed_in_page(page, agent):
    page.goto("/accounts/login/")
    page.fill("#id_username", agent.username)
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")
    return page


@pytest.fixture
def closed_port_url() -> str:
    """Return a URL on 127.0.0.1 whose port nothing listens on."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start one standalone sandbox for the session and yield its base URL."""
    server = SandboxProcess(tmp_path_factory.mktemp("sandbox") / "server.log")
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture
def sandbox_control(sandbox_server: str) -> Iterator[SandboxControl]:
    """Yield a control client, with no faults pending and zeroed statistics, and clear faults afterwards."""
    control = SandboxControl(sandbox_server)
    control.clear()
    control.reset_stats()
    try:
        yield control
    finally:
        control.clear()
        control.close()


@pytest.fixture(autouse=True)
def fresh_shared_cache() -> Iterator[None]:
    """Start every test with an empty cache, and let no prefetch outlive its test."""
    from django.conf import settings

    if not settings.configured:  # The sandbox's own tests run without Django.
        yield
        return
    from django.core.cache import cache

    from lookup import prefetch

    cache.clear()
    yield
    prefetch.wait_idle()
    cache.clear()
