"""The timeline in Chromium: scrolling, failed pages, history and filters."""

import os

import httpx
import pytest

from lookup import upstream
from lookup.primedata import PrimeDataClient
from sandbox import DEMO_API_KEY, create_app, fixtures
from sandbox.faults import parse_fault

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENTS = "#timeline-events .event"
# Chromium reports every 4xx/5xx response, and htmx logs the error responses it swaps in.
ERROR_RESPONSES = pytest.mark.console_errors(
    r"^Failed to load resource: the server responded with a status of (409|500|502)",
    r"^Response Status Error Code (409|500|502) from /profiles/",
)
IN_FLIGHT = "#timeline-events .htmx-request"


@pytest.fixture
def sandbox_app():
    """An in-process sandbox whose fault schedule the test controls, used by the live server."""
    app = create_app()
    upstream.reset_client()
    upstream._client = PrimeDataClient(
        upstream.SANDBOX_BASE_URL, DEMO_API_KEY, transport=httpx.WSGITransport(app=app)
    )
    # The live server runs in a thread of this process, so it shares the client.
    upstream._client_pid = os.getpid()
    yield app
    upstream.reset_client()


def event_keys(page):
    return page.locator(EVENTS).evaluate_all("items => items.map(item => item.dataset.eventKey)")


def wait_for_more_events(page, count):
    page.wait_for_function(
        "count => document.querySelectorAll('#timeline-events .event').length > count", arg=count
    )


def wait_until_idle(page):
    page.wait_for_function("() => !document.querySelector('#timeline-events .htmx-request')")


def scroll_to_last_event(page):
    count = page.locator(EVENTS).count()
    page.locator(EVENTS).last.scroll_into_view_if_needed()
    wait_for_more_events(page, count)


def test_long_history_scrolls_ten_pages_without_repeats(signed_in_page):
    page = signed_in_page
    page.set_viewport_size({"width": 800, "height": 700})
    page.goto(f"/profiles/{fixtures.LONG_HISTORY_ID}/")
    page.locator(EVENTS).first.wait_for()

    for _page in range(10):
        scroll_to_last_event(page)
    wait_until_idle(page)

    keys = event_keys(page)
    assert len(keys) >= 250
    assert len(keys) == len(set(keys))
    assert page.locator("#timeline-events .timeline-loader").count() == 1
    assert page.locator("#timeline-events .timeline-error").count() == 0
    days = page.locator(".timeline-day").evaluate_all("items => items.map(item => item.dataset.day)")
    assert len(days) == len(set(days))


def test_inner_panel_scroll_loads_next_page(signed_in_page):
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"/profiles/{fixtures.LONG_HISTORY_ID}/")
    page.locator(EVENTS).first.wait_for()
    wait_until_idle(page)
    panel = page.locator("#timeline-panel")
    assert panel.evaluate("panel => panel.scrollHeight > panel.clientHeight")
    # The agent first brings the panel into view; its own scrolling is then what loads more.
    panel.evaluate("panel => panel.scrollIntoView({block: 'end'})")
    wait_until_idle(page)
    count = page.locator(EVENTS).count()
    page_scroll = page.evaluate("() => window.scrollY")

    panel.evaluate("panel => { panel.scrollTop = panel.scrollHeight; }")
    wait_for_more_events(page, count)

    assert page.evaluate("() => window.scrollY") == page_scroll


def test_short_first_page_keeps_loading_until_window_full(signed_in_page):
    page = signed_in_page
    page.set_viewport_size({"width": 800, "height": 5000})
    page.goto(f"/profiles/{fixtures.LONG_HISTORY_ID}/")

    wait_for_more_events(page, 25)
    page.wait_for_function(
        """() => {
            const loader = document.querySelector('#timeline-events .timeline-loader');
            return loader && !loader.classList.contains('htmx-request')
                && loader.getBoundingClientRect().top > window.innerHeight;
        }"""
    )

    assert page.evaluate("() => window.scrollY") == 0
    assert page.locator(EVENTS).count() % 25 == 0


def test_short_history_loads_until_end(signed_in_page):
    page = signed_in_page
    # Taller than the profile and all 26 events, so the window is never full.
    page.set_viewport_size({"width": 800, "height": 9000})
    page.goto(f"/profiles/{fixtures.AN_ID}/")

    page.locator(".timeline-end").wait_for()

    assert page.locator(EVENTS).count() == 26
    assert page.locator("#timeline-events .timeline-loader").count() == 0


@ERROR_RESPONSES
def test_failed_third_page_retries_in_place(signed_in_page, sandbox_app):
    page = signed_in_page
    page.set_viewport_size({"width": 800, "height": 700})
    sandbox_app.faults.add(parse_fault("500-json"), endpoint="events", skip=2, count=0)
    page.goto(f"/profiles/{fixtures.DUC_ID}/")
    page.locator(EVENTS).first.wait_for()
    scroll_to_last_event(page)
    page.locator(EVENTS).last.scroll_into_view_if_needed()

    error = page.locator("#timeline-events .timeline-error")
    error.wait_for()
    assert page.locator(EVENTS).count() == 50
    assert page.locator("#timeline-events .timeline-loader:not(.timeline-error)").count() == 0

    sandbox_app.faults.clear()
    error.get_by_role("button").click()
    wait_for_more_events(page, 50)

    assert page.locator("#timeline-events .timeline-error").count() == 0
    keys = event_keys(page)
    assert len(keys) == 75
    assert len(keys) == len(set(keys))


@ERROR_RESPONSES
def test_expired_cursor_reloads_from_first_page(signed_in_page):
    page = signed_in_page
    page.set_viewport_size({"width": 800, "height": 700})

    def spoil_cursor(route):
        # PrimeData rejects a cursor that expired; a changed one is rejected the same way.
        route.continue_(url=route.request.url.replace("cursor=", "cursor=x"))

    page.route("**/timeline/?*cursor=*", spoil_cursor)
    page.goto(f"/profiles/{fixtures.DUC_ID}/?events=OrderCreated")
    page.locator(EVENTS).first.wait_for()
    page.locator(EVENTS).last.scroll_into_view_if_needed()
    error = page.locator("#timeline-events .timeline-error")
    error.wait_for()
    page.unroute("**/timeline/?*cursor=*")

    error.get_by_role("button").click()
    page.wait_for_function("() => !document.querySelector('#timeline-events .timeline-error')")
    page.locator(EVENTS).first.wait_for()

    assert page.locator(EVENTS).count() == 25
    assert filtered_names(page) == {"OrderCreated"}


def test_indicator_shows_only_in_flight(signed_in_page, sandbox_app):
    page = signed_in_page
    page.set_viewport_size({"width": 800, "height": 700})
    page.goto(f"/profiles/{fixtures.DUC_ID}/")
    page.locator(EVENTS).first.wait_for()
    wait_until_idle(page)
    spinner = page.locator("#timeline-events .timeline-loader .spinner")
    assert spinner.is_hidden()
    sandbox_app.faults.add(parse_fault("latency-1500"), endpoint="events")

    page.locator(EVENTS).last.scroll_into_view_if_needed()
    spinner.wait_for(state="visible")
    wait_for_more_events(page, 25)
    wait_until_idle(page)

    assert page.locator("#timeline-events .spinner:visible").count() == 0


def test_filters_survive_reload_back_and_forward(signed_in_page):
    page = signed_in_page
    page.goto(f"/profiles/{fixtures.DUC_ID}/")
    page.locator(EVENTS).first.wait_for()

    page.locator(".event-chips label.chip", has=page.locator("input[value=OrderCreated]")).click()
    page.wait_for_url("**events=OrderCreated**")
    page.locator(EVENTS).first.wait_for()
    assert filtered_names(page) == {"OrderCreated"}
    # The reloaded page opens at the filters, not at the top far above them.
    assert page.url.endswith("#timeline-filters")
    assert page.evaluate("window.scrollY") > 0
    filters_top = page.evaluate("document.getElementById('timeline-filters').getBoundingClientRect().top")
    assert 0 <= filters_top < page.evaluate("window.innerHeight")

    page.reload()
    page.locator(EVENTS).first.wait_for()
    assert_whole_page(page)
    assert page.locator("input[value=OrderCreated]").is_checked()
    assert filtered_names(page) == {"OrderCreated"}

    page.go_back()
    page.locator(EVENTS).first.wait_for()
    assert_whole_page(page)
    assert "events=" not in page.url
    assert len(filtered_names(page)) > 1

    page.go_forward()
    page.locator(EVENTS).first.wait_for()
    assert_whole_page(page)
    assert filtered_names(page) == {"OrderCreated"}


def test_order_switch_shows_oldest_first(signed_in_page):
    page = signed_in_page
    page.goto(f"/profiles/{fixtures.DUC_ID}/")
    page.locator(EVENTS).first.wait_for()

    page.select_option("#id_sort", "asc")
    page.wait_for_url("**sort=asc**")
    page.locator(EVENTS).first.wait_for()

    stamps = page.locator(f"{EVENTS} time.event-time").evaluate_all("items => items.map(item => item.dateTime)")
    assert stamps == sorted(stamps)


def test_empty_filter_result_offers_clear(signed_in_page):
    page = signed_in_page
    page.goto(f"/profiles/{fixtures.DUC_ID}/?start=2001-01-01&end=2001-02-01&ticket=T-5")

    page.locator(".timeline-empty").wait_for()
    page.locator(".timeline-empty a.clear-filters").click()
    page.wait_for_url(f"**/profiles/{fixtures.DUC_ID}/?ticket=T-5#timeline-filters")
    page.locator(EVENTS).first.wait_for()

    assert page.locator(".ticket-ref").count() == 1


def test_event_properties_expand_and_copy(signed_in_page):
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/profiles/{fixtures.DUC_ID}/?events=OrderCreated")
    event = page.locator(EVENTS).first
    event.wait_for()
    assert event.locator(".event-details > dl").is_hidden()

    event.locator(".event-details summary").click()
    event.locator(".copy-event").click()
    page.wait_for_function("() => document.querySelector('.copy-event[data-copied]')")

    assert event.locator(".event-details > dl").first.is_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("Đơn hàng") or "(OrderCreated)" in copied.splitlines()[0]
    assert "\nID: " in copied


def filtered_names(page):
    return set(page.locator(".event-name").evaluate_all("items => items.map(item => item.title)"))


def assert_whole_page(page):
    assert page.locator("header.site-header").count() == 1
    assert page.locator("#timeline-filters").count() == 1
