"""Timeline filters, day headers and event display, through the views and the in-process sandbox."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox import fixtures

pytestmark = pytest.mark.django_db

DUC_PROFILE = fixtures.DUC_ID
AWKWARD_PROFILE = fixtures.AWKWARD_ID
NO_EVENTS_PROFILE = fixtures.NO_EVENTS_ID


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies["django_language"] = "en"


def htmx_get(client, url, params=None):
    return client.get(url, params or {}, headers={"HX-Request": "true"})


def loader_url(body):
    found = re.search(r'hx-get="([^"]+)"', body)
    return html.unescape(found.group(1)) if found else None


def event_names(body):
    return re.findall(r'<span class="event-name" title="([^"]+)"', body)


def test_profile_filters_reach_timeline_url(agent_client):
    response = agent_client.get(
        f"/profiles/{DUC_PROFILE}/",
        {"events": ["OrderCreated", "PaymentSucceeded"], "start": "2020-01-01", "end": "2030-01-01",
         "sort": "asc", "ticket": "T-1"},
    )

    url = loader_url(response.content.decode())
    assert response.status_code == 200
    assert url == (
        f"/profiles/{DUC_PROFILE}/timeline/?events=OrderCreated&events=PaymentSucceeded"
        "&start=2020-01-01&end=2030-01-01&sort=asc&ticket=T-1"
    )


def test_profile_preset_resolves_to_start_date(agent_client):
    response = agent_client.get(f"/profiles/{DUC_PROFILE}/", {"range": "30", "start": "2020-01-01"})

    expected = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert loader_url(response.content.decode()) == f"/profiles/{DUC_PROFILE}/timeline/?start={expected}"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"events": "Nonsense"}, "“Nonsense” is not an event type of this tenant."),
        ({"range": "12"}, "Select a valid choice. 12 is not one of the available choices."),
        ({"range": "custom"}, "Enter a start date, an end date or both for a custom period."),
        ({"start": "2024-02-30"}, "Enter a valid date."),
        ({"start": "2024-03-01", "end": "2024-03-01"}, "This date must be later than the “From” date."),
        ({"sort": "sideways"}, "Select a valid choice. sideways is not one of the available choices."),
    ],
)
def test_profile_invalid_filters_show_message(agent_client, params, message):
    response = agent_client.get(f"/profiles/{DUC_PROFILE}/", params)

    body = response.content.decode()
    assert response.status_code == 400
    assert html.escape(message) in body or message in body
    assert "/timeline/" not in body
    assert "Clear filters" in body


def test_invalid_date_described_by_message(agent_client):
    response = agent_client.get(f"/profiles/{DUC_PROFILE}/", {"start": "2024-02-30", "sort": "asc"})

    body = response.content.decode()
    date_input = re.search(r'<input type="date" name="start"[^>]*>', body)[0]
    assert response.status_code == 400
    assert 'value="2024-02-30"' in date_input
    assert 'aria-invalid="true"' in date_input
    assert 'aria-describedby="filter-error-start"' in date_input
    assert re.search(r'<p id="filter-error-start">From: Enter a valid date.</p>', body)
    assert 'aria-invalid' not in re.search(r'<input type="date" name="end"[^>]*>', body)[0]
    assert '<option value="asc" selected>' in body


def test_timeline_invalid_filter_is_400_fragment(agent_client):
    response = htmx_get(agent_client, f"/profiles/{DUC_PROFILE}/timeline/", {"sort": "up", "day": "x"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in body
    assert 'class="timeline-loader timeline-error"' in body
    assert f'href="/profiles/{DUC_PROFILE}/#timeline-filters"' in body


def test_timeline_include_narrows_events(agent_client):
    response = htmx_get(agent_client, f"/profiles/{DUC_PROFILE}/timeline/", {"events": "OrderCreated"})

    names = event_names(response.content.decode())
    assert len(names) == 25
    assert set(names) == {"OrderCreated"}


def test_timeline_oldest_first(agent_client):
    body = htmx_get(agent_client, f"/profiles/{DUC_PROFILE}/timeline/", {"sort": "asc"}).content.decode()

    stamps = re.findall(r'<time class="event-time" datetime="([^"]+)"', body)
    assert stamps == sorted(stamps)
    assert "sort=asc" in loader_url(body)


def test_timeline_empty_filter_offers_clear(agent_client):
    response = htmx_get(
        agent_client, f"/profiles/{DUC_PROFILE}/timeline/",
        {"start": "2001-01-01", "end": "2001-01-02", "ticket": "T-9"},
    )

    body = response.content.decode()
    assert "No events match these filters." in body
    assert f'href="/profiles/{DUC_PROFILE}/?ticket=T-9#timeline-filters"' in body


def test_timeline_without_events_says_so(agent_client):
    body = htmx_get(agent_client, f"/profiles/{NO_EVENTS_PROFILE}/timeline/").content.decode()

    assert "This customer has no events yet." in body
    assert "Clear filters" not in body


def test_day_headers_not_repeated_across_pages(agent_client):
    url = f"/profiles/{DUC_PROFILE}/timeline/"
    days = []
    for _page in range(20):
        body = htmx_get(agent_client, url).content.decode()
        days += re.findall(r'class="timeline-day" data-day="([^"]+)"', body)
        url = loader_url(body)
        if not url:
            break

    assert url is None
    assert len(days) == len(set(days))
    assert days == sorted(days, reverse=True)


def test_next_page_continuing_day_has_no_header(agent_client):
    first = htmx_get(agent_client, f"/profiles/{DUC_PROFILE}/timeline/").content.decode()
    last_day = re.search(r"[?&]day=([0-9-]+)", loader_url(first)).group(1)
    second_url = loader_url(first)

    second = htmx_get(agent_client, second_url).content.decode()
    first_event_day = re.search(r'<time class="event-time" datetime="(\d{4}-\d{2}-\d{2})', second).group(1)
    headers = re.findall(r'class="timeline-day" data-day="([^"]+)"', second)
    if first_event_day == last_day:
        assert last_day not in headers
    else:
        assert headers[0] == first_event_day


def test_event_shows_kind_source_and_summary(agent_client):
    body = htmx_get(
        agent_client, f"/profiles/{DUC_PROFILE}/timeline/", {"events": "OrderCreated"}
    ).content.decode()

    first = body[body.index('<li class="event'):body.index("</li>", body.index('<li class="event'))]
    assert 'class="event event-kind-order"' in first
    assert "Order created" in first
    assert re.search(r'class="event-source"[^>]*>(HaravanShop|KiotVietPOS)<', first)
    assert '<p class="event-summary">' in first
    assert "order_revenue" in first or "Order revenue" in first
    assert "<details class=\"event-details\">" in first


def test_awkward_events_escape_markup(agent_client):
    body = htmx_get(agent_client, f"/profiles/{AWKWARD_PROFILE}/timeline/").content.decode()

    assert "&lt;script" in body
    assert "<script" not in body
    assert body.count("data-copy-event") == body.count("data-event-key=")


@pytest.mark.parametrize("url", [f"/profiles/{DUC_PROFILE}/", f"/profiles/{DUC_PROFILE}/timeline/"])
def test_timeline_list_carries_copy_labels(agent_client, url):
    body = agent_client.get(url).content.decode()

    timeline_list = re.search(r'<ol class="timeline" id="timeline-events"[^>]*>', body).group()
    assert 'data-time-label="Time"' in timeline_list
    assert 'data-source-label="Source"' in timeline_list


def test_expired_cursor_restart_keeps_filters(agent_client):
    response = htmx_get(
        agent_client, f"/profiles/{DUC_PROFILE}/timeline/",
        {"events": "OrderCreated", "sort": "asc", "cursor": "not-a-cursor"},
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "Reload the timeline" in body
    assert f'hx-get="/profiles/{DUC_PROFILE}/timeline/?events=OrderCreated&amp;sort=asc"' in body
