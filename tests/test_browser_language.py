"""The language switch in Chromium: English sticks across pages after a reload."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"


def test_english_switch_sticks_across_pages(signed_in_page):
    page = signed_in_page
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Tra cứu khách hàng"

    page.click("button[name=language][value=en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.goto(f"/profiles/{DUC_PROFILE}/")
    page.reload()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#timeline-heading").inner_text() == "Activity timeline"
    assert page.locator(".sandbox-banner").inner_text() == "Sample data (sandbox) — not real customers"
