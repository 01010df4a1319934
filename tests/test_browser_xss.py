"""Data from PrimeData renders as text in Chromium: nothing runs, nothing is requested.

The sandbox's awkward profile carries ``<script>``, ``<img onerror=…>``,
``hx-get``/``hx-trigger`` text and a stray ``</script>`` in its traits and
event properties (``sandbox.fixtures.MARKUP_SAMPLES``). The tests open its
profile page, let the timeline load to its end, open every event's details,
and then look at what the browser ran, fetched and shows.
"""

from urllib.parse import urlsplit

import pytest

from sandbox import fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AWKWARD_PROFILE = fixtures.AWKWARD_ID
AWKWARD_EMAIL = "awkward@example.com"


@pytest.fixture
def watched_page(signed_in_page):
    """The signed-in tab, recording every request it makes and every dialog a script opens."""
    page = signed_in_page
    page.requests = []
    page.dialogs = []
    page.on("request", lambda request: page.requests.append(request.url))

    def dismiss(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", dismiss)
    return page


def open_awkward_profile(page):
    """Look the awkward customer up by email, load the whole timeline and open every event's details."""
    page.fill("#search-input", AWKWARD_EMAIL)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/profiles/{AWKWARD_PROFILE}/")
    while page.locator("#timeline-events .timeline-end").count() == 0:
        count = page.locator("#timeline-events .event").count()
        # htmx replaces the loader when its page arrives, so find and scroll
        # it in one step in the page rather than through a locator.
        page.evaluate("() => document.querySelector('#timeline-events .timeline-loader')?.scrollIntoView()")
        page.wait_for_function(
            "count => document.querySelectorAll('#timeline-events .event').length > count"
            " || document.querySelector('#timeline-events .timeline-end')",
            arg=count,
        )
    page.wait_for_function("() => !document.querySelector('#timeline-events .htmx-request')")
    details = page.locator("details")
    assert details.count() > 0
    details.evaluate_all("items => items.forEach(item => { item.open = true; })")
    page.wait_for_function("() => [...document.querySelectorAll('details')].every(item => item.open)")
    # htmx processes content when it swaps it in, so any request that content
    # triggers starts before the network falls idle.
    page.wait_for_load_state("networkidle")


def is_expected(url, origin):
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    own_pages = {"/", "/favicon.ico", f"/profiles/{AWKWARD_PROFILE}/", f"/profiles/{AWKWARD_PROFILE}/timeline/"}
    return parts.path.startswith("/static/") or parts.path in own_pages


def test_markup_in_events_and_traits_runs_nothing(watched_page):
    page = watched_page

    open_awkward_profile(page)

    assert page.dialogs == []
    assert page.locator("#timeline-events script, #timeline-events img").count() == 0
    assert page.locator(".profile-grid script, .profile-grid img").count() == 0
    assert page.locator("[onerror], [hx-get='/x']").count() == 0


def test_markup_in_data_requests_nothing(watched_page, live_server):
    page = watched_page

    open_awkward_profile(page)

    origin = live_server.url
    unexpected = [url for url in page.requests if not is_expected(url, origin)]
    assert unexpected == []
    paths = [urlsplit(url).path for url in page.requests]
    # hx-get="/x" resolves against the page, so look for the path's last segment.
    assert not any(path.endswith("/x") for path in paths)
    # The timeline pages were really fetched, so the recorder saw htmx's requests.
    assert f"/profiles/{AWKWARD_PROFILE}/timeline/" in paths


def test_markup_shows_as_typed(watched_page):
    page = watched_page

    open_awkward_profile(page)

    events_text = page.locator("#timeline-events").inner_text()
    for sample in fixtures.MARKUP_SAMPLES:
        assert sample in events_text
    assert page.locator("h1.profile-name").inner_text() == "Bùi Thị Hồng <script>alert(1)</script>"
    traits_text = page.locator(".profile-grid").inner_text()
    assert "<img src=x onerror=alert(1)>" in traits_text
    assert 'hx-get="/x" hx-trigger="load"' in traits_text
    assert "Khách dặn </script> không gọi sau 21 giờ" in traits_text
    assert "<b>đậm</b>" in traits_text
