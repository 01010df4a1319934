"""The agent's workbench in Chromium: summary, candidates, shortcuts, copying, reveal, layout, axe."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from lookup.models import AuditRecord
from sandbox import fixtures
from tests.conftest import AGENT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EVENTS = "#timeline-events .event"
NOT_FOUND = pytest.mark.console_errors(r"^Failed to load resource: the server responded with a status of 404")


@pytest.fixture(autouse=True)
def settled_page(request):
    """Wait after each test until no timeline request is in flight.

    A request still running when the test ends would reach the database
    while the next test flushes it, and fail there.
    """
    # Asking for the tab first makes this fixture end before the tab closes.
    tab = request.getfixturevalue("page") if "page" in request.fixturenames else None
    yield
    if tab is not None:
        wait_until_idle(tab)


def wait_until_idle(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def open_profile(page, profile_id=fixtures.DUC_ID, query=""):
    page.goto(f"/profiles/{profile_id}/{query}")
    page.locator(EVENTS).first.wait_for()


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")


def test_summary_strip_shows_key_facts_and_loaded_counts(signed_in_page):
    page = signed_in_page
    open_profile(page)
    strip = page.locator(".summary-strip")

    assert "09******67" in strip.inner_text()
    assert "d***@example.com" in strip.inner_text()
    assert "18.450.000 ₫" in strip.inner_text()
    page.locator("#summary-counts").wait_for(state="visible")
    loaded = {
        kind: page.locator(f"{EVENTS}.event-kind-{kind}").count() for kind in ("booking", "order", "payment")
    }
    shown = {
        kind: int(page.locator(f'[data-event-count="{kind}"]').inner_text()) for kind in loaded
    }
    assert shown == loaded
    assert sum(shown.values()) > 0
    # Without a last-activity trait, the newest loaded event is the last activity.
    activity = page.locator("#summary-last-activity").inner_text()
    newest = page.locator(f"{EVENTS} .event-time").first.get_attribute("title")
    assert re.fullmatch(rf"{re.escape(newest)} \((\d+ (phút|giờ|ngày) trước|hôm qua)\)", activity, re.IGNORECASE)


def test_counts_grow_as_pages_load(signed_in_page):
    page = signed_in_page
    page.set_viewport_size({"width": 800, "height": 700})
    open_profile(page)
    before = sum(int(text) for text in page.locator("[data-event-count]").all_inner_texts())
    count = page.locator(EVENTS).count()
    page.locator(EVENTS).last.scroll_into_view_if_needed()
    page.wait_for_function("n => document.querySelectorAll('#timeline-events .event').length > n", arg=count)
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-event-count]')].reduce((s, e) => s + Number(e.textContent), 0) > n",
        arg=before,
    )


def test_candidate_choice_opens_the_chosen_profile(signed_in_page):
    page = signed_in_page
    page.fill("#search-input", "0977000111")
    page.keyboard.press("Enter")
    page.locator(".candidate").first.wait_for()

    assert page.locator(".candidate").count() == 2
    assert "09******11" in page.locator(".candidates").inner_text()
    assert "0977000111" not in page.content()
    page.get_by_role("link", name="Ngô Thị Lan").click()
    page.wait_for_url(f"**/profiles/{fixtures.SHARED_PHONE_WIFE_ID}/")
    page.locator(EVENTS).first.wait_for()
    assert page.locator("h1.profile-name").inner_text() == "Ngô Thị Lan"


def test_slash_focuses_search_and_enter_searches(signed_in_page):
    page = signed_in_page
    open_profile(page, query="?ticket=ABC-123")
    page.evaluate("document.activeElement.blur()")

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.type("0912345678")
    page.keyboard.press("Enter")
    # The ticket travels with a lookup made from the profile page.
    page.wait_for_url(f"**/profiles/{fixtures.AN_ID}/?ticket=ABC-123")
    page.locator(EVENTS).first.wait_for()
    assert page.locator(".ticket-ref").inner_text() == "Ticket ABC-123"


def test_j_k_o_and_escape_move_through_events(signed_in_page):
    page = signed_in_page
    open_profile(page)
    page.evaluate("document.activeElement.blur()")
    keys = page.locator(EVENTS).evaluate_all("items => items.map(item => item.dataset.eventKey)")
    focused = "document.activeElement.dataset.eventKey"

    page.keyboard.press("j")
    assert page.evaluate(focused) == keys[0]
    page.keyboard.press("j")
    assert page.evaluate(focused) == keys[1]
    page.keyboard.press("k")
    assert page.evaluate(focused) == keys[0]
    page.keyboard.press("o")
    details = page.locator(EVENTS).first.locator(".event-details")
    assert details.evaluate("element => element.open") is True
    page.keyboard.press("Escape")
    assert details.evaluate("element => element.open") is False
    assert page.evaluate(focused) == keys[0]


def test_letters_typed_in_a_field_are_not_shortcuts(signed_in_page):
    page = signed_in_page
    open_profile(page)
    page.focus("#search-input")

    page.keyboard.type("jko/?")
    assert page.input_value("#search-input") == "jko/?"
    assert page.locator("#shortcuts-dialog").evaluate("dialog => dialog.open") is False
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") != "search-input"


def test_question_mark_lists_shortcuts_and_escape_closes(signed_in_page):
    page = signed_in_page
    page.evaluate("document.activeElement.blur()")

    page.keyboard.press("?")
    dialog = page.locator("#shortcuts-dialog")
    dialog.wait_for(state="visible")
    assert "Đi tới ô tìm kiếm" in dialog.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.get_by_role("button", name="Phím tắt").click()
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="Đóng").click()
    dialog.wait_for(state="hidden")


def test_copy_buttons_copy_and_say_so(signed_in_page, live_server):
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    open_profile(page)

    page.locator("button[data-copy-target=profile-id]").click()
    page.wait_for_function("() => document.getElementById('copy-status').textContent === 'Đã sao chép'")
    assert page.evaluate("navigator.clipboard.readText()") == fixtures.DUC_ID
    assert page.locator("button[data-copy-target=profile-id]").inner_text() == "Đã sao chép"

    page.locator("button[data-copy-target=identity-crm_user_id-0]").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(text => text === '749547')")

    page.locator("button[data-copy-target=customer-summary-text]").click()
    page.wait_for_function("id => navigator.clipboard.readText().then(text => text.includes(id))", arg=fixtures.DUC_ID)
    summary = page.evaluate("navigator.clipboard.readText()")
    assert "ĐỨC" in summary
    assert "09******67" in summary
    assert "0901234567" not in summary

    first = page.locator(EVENTS).first
    first.locator(".copy-event").click()
    page.wait_for_function(
        "() => navigator.clipboard.readText().then(text => text.includes('ID: '))"
    )


def copy_event(page, item):
    """Click the event's copy button and return what reached the clipboard."""
    page.evaluate("() => navigator.clipboard.writeText('')")
    item.locator(".copy-event").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(text => text !== '')")
    return page.evaluate("navigator.clipboard.readText()")


def vendor_booking(page):
    """Open the vendor's example booking of Đức, whose properties contain his phone number."""
    page.goto(f"/profiles/{fixtures.DUC_ID}/?events=BookingCompleted&sort=asc")
    item = page.locator(f'{EVENTS}[data-event-id="30ShineMSSQL.BookingCompleted.17484563"]')
    item.wait_for()
    return item


def test_event_copy_text_is_complete(signed_in_page, live_server):
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    item = vendor_booking(page)

    copied = copy_event(page, item)

    assert copied == (
        "Hoàn tất đặt lịch (BookingCompleted)\n"
        "Thời gian: 02/01/2023 03:00\n"
        "Nguồn: 30ShineMSSQL\n"
        "ID: 30ShineMSSQL.BookingCompleted.17484563\n"
        "Thời gian: 21/05/2023 11:48\n"
        "Họ và tên: ĐỨC\n"
        "Số điện thoại: 01******89\n"
        "Hoàn tất đặt lịch lúc: 21/05/2023 11:48\n"
        "Mã khách hàng: 749547"
    )
    page.wait_for_function("() => document.getElementById('copy-status').textContent === 'Đã sao chép'")


def test_event_copy_text_indents_nested_properties(signed_in_page, live_server):
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    open_profile(page, fixtures.AWKWARD_ID)
    item = page.locator(EVENTS).filter(has=page.locator("dt[title=nested]")).first

    copied = copy_event(page, item)

    event_id = item.get_attribute("data-event-id")
    assert f"\nID: {event_id}\n" in copied
    assert copied.endswith(
        "\nnested:\n"
        "  levels:\n"
        "    - 1\n"
        "    -\n"
        "      deeper: (trống)\n"
        "      ok: Có\n"
        "  label: <b>đậm</b>"
    )


def test_event_copy_matches_masked_page(signed_in_page, live_server):
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    item = vendor_booking(page)
    shown_phone = item.locator("dt[title=phone_number] + dd").text_content()

    copied = copy_event(page, item)

    assert shown_phone == "01******89"
    assert f"Số điện thoại: {shown_phone}" in copied.splitlines()
    assert "0123456789" not in copied


def test_event_copy_keeps_contacts_for_full_access(page, live_server, agent):
    agent.user_permissions.add(
        Permission.objects.get_by_natural_key("view_full_contact_details", "lookup", "auditrecord")
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, agent.username)
    item = vendor_booking(page)

    copied = copy_event(page, item)

    assert "Số điện thoại: 0123456789" in copied.splitlines()


def test_recent_lookups_reopen_with_one_click(signed_in_page):
    page = signed_in_page
    for phone in ("0912345678", "0901234567", "0912345678"):
        page.goto("/")
        page.fill("#search-input", phone)
        page.keyboard.press("Enter")
        page.wait_for_url("**/profiles/**")
        page.locator(EVENTS).first.wait_for()
        wait_until_idle(page)
    page.goto("/")

    links = page.locator(".recent-list a")
    assert links.evaluate_all("items => items.map(item => item.getAttribute('href'))") == [
        f"/profiles/{fixtures.AN_ID}/", f"/profiles/{fixtures.DUC_ID}/",
    ]
    assert "09******78" in page.locator(".recent-list").inner_text()
    links.nth(1).click()
    page.wait_for_url(f"**/profiles/{fixtures.DUC_ID}/")
    page.locator(EVENTS).first.wait_for()


@pytest.mark.parametrize("path", ["/", f"/profiles/{fixtures.DUC_ID}/?ticket=ABC-123", "/lookup/?phone_number=0977000111"])
def test_narrow_window_has_no_horizontal_scroll(signed_in_page, path):
    page = signed_in_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    if "profiles" in path:
        page.locator(EVENTS).first.wait_for()
        page.locator(EVENTS).first.locator(".event-details summary").click()

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    name = "narrow-search"
    if "profiles" in path:
        name = "narrow-profile"
    elif "lookup" in path:
        name = "narrow-candidates"
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_masked_contact_reveal_is_audited(signed_in_page, agent):
    page = signed_in_page
    open_profile(page, query="?ticket=T-77")
    phone = page.locator("#identity-phone_number-0")
    assert phone.inner_text() == "09******67"
    assert "0901234567" not in page.content()

    page.locator(".reveal summary").first.click()
    page.get_by_label("Lý do xem đầy đủ").first.fill("Khách xác nhận số để gọi lại")
    page.get_by_role("button", name="Hiện và ghi lại").first.click()

    page.locator(".identity-item.revealed").wait_for()
    assert page.locator("#identity-phone_number-0").inner_text() == "0901234567"
    record = AuditRecord.objects.get(kind=AuditRecord.Kind.REVEAL)
    assert (record.agent, record.profile_id, record.identity_type) == (agent, fixtures.DUC_ID, "phone_number")
    assert record.reason == "Khách xác nhận số để gọi lại"
    assert record.ticket == "T-77"
    assert record.masked_value == "09******67"


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in result["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@NOT_FOUND
def test_axe_finds_no_serious_violations(chromium, live_server, agent):
    assert AXE.exists(), "node_modules/axe-core is missing: run `make test`, which runs npm ci"
    # Injecting axe needs an inline script, which the CSP forbids; only this context bypasses it.
    context = chromium.new_context(locale="vi-VN", base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, agent.username)
        found = {}
        page.goto("/")
        found["search"] = axe_violations(page)
        open_profile(page, query="?ticket=ABC-123")
        wait_until_idle(page)
        found["profile"] = axe_violations(page)
        page.goto("/lookup/?phone_number=0900000099")
        page.locator(".failure").wait_for()
        found["not found"] = axe_violations(page)
        page.goto("/lookup/?phone_number=0977000111")
        found["candidates"] = axe_violations(page)
    finally:
        context.close()

    assert found == {"search": [], "profile": [], "not found": [], "candidates": []}


def test_print_hides_controls_and_keeps_the_profile(signed_in_page):
    page = signed_in_page
    open_profile(page)
    page.emulate_media(media="print")

    assert page.locator(".search-form").is_hidden()
    assert page.locator(".summary-actions").is_hidden()
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".summary-strip").is_visible()
    assert page.locator(EVENTS).first.is_visible()
