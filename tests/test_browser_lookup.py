"""The main job end to end in Chromium: sign in, search, scroll the timeline."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"


def event_ids(page):
    return page.locator("#timeline-events .event").evaluate_all(
        "items => items.map(item => item.dataset.eventKey)"
    )


def test_search_and_scroll_through_pages(signed_in_page):
    page = signed_in_page
    page.fill("#search-input", "0901234567")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/profiles/{DUC_PROFILE}/")
    page.locator("#timeline-events .event").first.wait_for()

    for _scroll in range(3):
        count = page.locator("#timeline-events .event").count()
        page.locator("#timeline-events .event").last.scroll_into_view_if_needed()
        page.wait_for_function(
            "count => document.querySelectorAll('#timeline-events .event').length > count", arg=count
        )

    keys = event_ids(page)
    assert len(keys) >= 75
    assert len(keys) == len(set(keys))
    assert page.locator("#timeline-events [data-event-id]").count() == len(keys)


def test_short_history_reaches_end_marker(signed_in_page):
    page = signed_in_page
    page.goto("/lookup/?phone_number=0123456789")
    page.locator(".timeline-end").wait_for()

    assert page.locator("#timeline-events .event").count() == 3
    assert page.locator(".timeline-loader").count() == 0
