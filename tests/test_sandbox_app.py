"""The sandbox WSGI application, called in-process through httpx.WSGITransport."""

import email.utils
import json
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sandbox import DEMO_API_KEY, create_app, fixtures
from sandbox.data import CATALOGUE, EVENT_NAMES
from sandbox.timestamps import LOCAL_TZ

BASE_URL = "http://sandbox.primedata.invalid"
PROFILES = "/pub/profiles/advanced-search"
EVENTS = "/pub/events/advanced-search"

VENDOR_PROFILE = {
    "profile_id": "2K7QRzns7Gpw4n4Q4RADtFpmhnm",
    "last_updated": "2020-01-01T00:00:00Z",
    "identity": {
        "phone_number": ["0123456788", "0123456789"],
        "email": ["mail@example.com"],
        "clevertap_device_id": ["device_id"],
        "crm_user_id": ["123"],
    },
    "trait": {"full_name": "Sơn", "address": "HN"},
    "p_trait": {"ltv": 12000, "last_time_purchased": "2023:01:01T20:00:00Z"},
}

VENDOR_EVENTS = [
    {
        "properties": {
            "at": "2023-05-21T11:48:23",
            "full_name": "ĐỨC",
            "phone_number": "0123456789",
            "booking_completed_time": "2023-05-21T04:48:23Z",
            "customer_id": "749547",
        },
        "id": "30ShineMSSQL.BookingCompleted.17484563",
        "profile_id": "2Q5OFD0h3NdANoqIJhHzTnto3ay",
        "event_name": "BookingCompleted",
        "time_stamp": "2023:01:01T20:00:00Z",
        "sent_at": "2023:01:01T20:01:00Z",
        "input_schema_version": "0.1",
    },
    {
        "properties": {
            "at": "2023-05-21T11:48:23",
            "full_name": "ĐỨC",
            "phone_number": "0123456789",
            "order_date": "2023-05-21T04:48:23Z",
            "order_revenue": 749547,
        },
        "id": "30ShineMSSQL.BookingCompleted.17484563",
        "profile_id": "2Q5OFD0h3NdANoqIJhHzTnto3ay",
        "event_name": "OrderCreated",
        "time_stamp": "2023:01:01T20:00:00Z",
        "sent_at": "2023:01:01T20:01:00Z",
        "input_schema_version": "0.1",
    },
]


def make_client(**app_options: Any) -> httpx.Client:
    transport = httpx.WSGITransport(app=create_app(**app_options))
    return httpx.Client(transport=transport, base_url=BASE_URL, headers={"x-api-key": DEMO_API_KEY})


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client() as client:
        yield client


def error_of(response: httpx.Response) -> dict[str, str]:
    return response.json()["error"]


def event_key(event: dict[str, Any]) -> tuple[str, str, str]:
    return (event["id"], event["event_name"], event["time_stamp"])


def moment_of(event: dict[str, Any]) -> datetime:
    """Parse an event's time_stamp; valid for every profile except ĐỨC and the awkward one."""
    return datetime.fromisoformat(event["time_stamp"])


def walk_events(client: httpx.Client, body: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Follow the cursor from the first page to the last and return every page."""
    pages = []
    request = dict(body)
    for _ in range(1000):
        response = client.post(EVENTS, json=request)
        assert response.status_code == 200, response.text
        payload = response.json()
        pages.append(payload["data"])
        cursor = payload["cursor"]
        if not cursor["has_more"]:
            assert "next" not in cursor
            return pages
        request = {**body, "cursor": cursor["next"]}
    raise AssertionError("paging did not end after 1000 pages")


class TestAuthentication:
    @pytest.mark.parametrize("path", [PROFILES, EVENTS])
    def test_missing_key_is_401(self, client: httpx.Client, path: str) -> None:
        response = client.post(path, json={"profile_id": fixtures.AN_ID}, headers={"x-api-key": ""})

        assert response.status_code == 401
        assert error_of(response) == {
            "code": "authentication_error",
            "message": "Failure to properly authenticate yourself in the request.",
        }

    @pytest.mark.parametrize("path", [PROFILES, EVENTS])
    def test_wrong_key_is_401(self, client: httpx.Client, path: str) -> None:
        response = client.post(path, json={"profile_id": fixtures.AN_ID}, headers={"x-api-key": "wrong-key"})

        assert response.status_code == 401
        assert error_of(response)["code"] == "authentication_error"

    def test_custom_key_is_required(self) -> None:
        with make_client(api_key="another-key") as client:
            rejected = client.post(PROFILES, json={"profile_id": fixtures.AN_ID})
            accepted = client.post(
                PROFILES, json={"profile_id": fixtures.AN_ID}, headers={"x-api-key": "another-key"}
            )

        assert rejected.status_code == 401
        assert accepted.status_code == 200


VALIDATION_CASES = [
    pytest.param(
        PROFILES,
        {"identities": {"phone_numdber": ["0123456789"]}},
        "validation_error",
        "Invalid Identities {phone_numdber=[0123456789]}",
        id="profiles-unknown-identity",
    ),
    pytest.param(
        EVENTS,
        {"identities": {"phone_numdber": ["0123456789"]}},
        "validation_error",
        "Invalid Identities {phone_numdber=[0123456789]}",
        id="events-unknown-identity",
    ),
    pytest.param(
        PROFILES,
        {"identities": {"phone_number": "0912345678"}},
        "validation_error",
        'Invalid identities: phone_number must be a list of strings, got "0912345678"',
        id="identity-value-not-list",
    ),
    pytest.param(
        PROFILES,
        {"profile_id": fixtures.AN_ID, "type": ["trait", "traits"]},
        "validation_error",
        'Invalid type ["traits"]: each value must be one of trait, ptrait, identity',
        id="bad-type",
    ),
    pytest.param(
        PROFILES,
        {"profile_id": fixtures.AN_ID, "type": "trait"},
        "validation_error",
        'Invalid type "trait": expected a list of strings',
        id="type-not-list",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "limit": 0},
        "validation_error",
        "Invalid limit 0: must be an integer from 1 to 100",
        id="limit-zero",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "limit": 101},
        "validation_error",
        "Invalid limit 101: must be an integer from 1 to 100",
        id="limit-101",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "limit": "25"},
        "validation_error",
        'Invalid limit "25": must be an integer from 1 to 100',
        id="limit-string",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "limit": True},
        "validation_error",
        "Invalid limit true: must be an integer from 1 to 100",
        id="limit-boolean",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "sort": "newest"},
        "validation_error",
        'Invalid sort "newest": must be asc or desc',
        id="unknown-sort",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "include": ["OrderCreated", "OrderCompleted"]},
        "validation_error",
        'Invalid include ["OrderCompleted"]: unknown event names; known are ' + ", ".join(EVENT_NAMES),
        id="unknown-event-name",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "start": "last week"},
        "validation_error",
        'Invalid start "last week": expected an ISO 8601 date (2006-01-02) or date-time',
        id="bad-start",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "end": 20240101},
        "validation_error",
        "Invalid end 20240101: expected an ISO 8601 date (2006-01-02) or date-time",
        id="bad-end",
    ),
    pytest.param(
        PROFILES,
        {"type": ["trait"]},
        "validation_error",
        "Missing identities or profile_id: the request needs one of them",
        id="profiles-neither",
    ),
    pytest.param(
        EVENTS,
        {"identities": {}},
        "validation_error",
        "Missing identities or profile_id: the request needs one of them",
        id="events-empty-identities",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "cursor": 5},
        "invalid_request_error",
        "Invalid cursor 5: expected a string",
        id="cursor-not-string",
    ),
    pytest.param(
        EVENTS,
        {"profile_id": fixtures.AN_ID, "cursor": "bm90IGEgY3Vyc29y"},
        "invalid_request_error",
        "Invalid cursor: it is not a cursor this API issued",
        id="forged-cursor",
    ),
]


class TestValidation:
    @pytest.mark.parametrize(("path", "body", "code", "message"), VALIDATION_CASES)
    def test_rejected_with_400(
        self, client: httpx.Client, path: str, body: dict[str, Any], code: str, message: str
    ) -> None:
        response = client.post(path, json=body)

        assert response.status_code == 400
        assert error_of(response)["code"] == code
        assert error_of(response)["message"] == message

    @pytest.mark.parametrize("path", [PROFILES, EVENTS])
    def test_malformed_json_is_400(self, client: httpx.Client, path: str) -> None:
        response = client.post(path, content=b'{"profile_id": ', headers={"content-type": "application/json"})

        assert response.status_code == 400
        assert error_of(response)["code"] == "validation_error"
        assert error_of(response)["message"].startswith("Malformed JSON body: ")

    def test_non_object_body_is_400(self, client: httpx.Client) -> None:
        response = client.post(PROFILES, json=[fixtures.AN_ID])

        assert response.status_code == 400
        assert error_of(response) == {
            "code": "validation_error",
            "message": "Malformed JSON body: expected a JSON object",
        }

    def test_get_on_endpoint_is_405(self, client: httpx.Client) -> None:
        response = client.get(PROFILES)

        assert response.status_code == 405
        assert response.headers["allow"] == "POST"

    def test_unknown_path_is_404(self, client: httpx.Client) -> None:
        response = client.post("/pub/segments/advanced-search", json={})

        assert response.status_code == 404


class TestProfiles:
    @pytest.mark.parametrize(
        "body",
        [
            {"profile_id": "2AAAAAAAAAAAAAAAAAAAAAAAAAA"},
            {"identities": {"phone_number": ["0999999999"]}},
            {"identities": {"email": ["nobody@example.com"], "crm_user_id": ["0"]}},
        ],
    )
    @pytest.mark.parametrize("path", [PROFILES, EVENTS])
    def test_no_profile_is_404(self, client: httpx.Client, path: str, body: dict[str, Any]) -> None:
        response = client.post(path, json=body)

        assert response.status_code == 404
        assert error_of(response)["code"] == "resource_missing"

    def test_vendor_example_exact(self, client: httpx.Client) -> None:
        response = client.post(PROFILES, json={"identities": {"phone_number": ["0123456789"]}})

        assert response.status_code == 200
        assert response.json() == {"data": VENDOR_PROFILE}
        assert response.headers["content-type"] == "application/json; charset=utf-8"

    def test_profile_text_is_raw_utf8(self, client: httpx.Client) -> None:
        response = client.post(PROFILES, json={"profile_id": fixtures.VENDOR_EXAMPLE_ID})

        assert '"full_name": "Sơn"' in response.content.decode("utf-8")

    def test_profile_id_wins_over_identities(self, client: httpx.Client) -> None:
        body = {
            "profile_id": fixtures.AN_ID,
            "identities": {"phone_number": ["0901234567"], "phone_numdber": ["x"]},
        }

        response = client.post(PROFILES, json=body)

        assert response.status_code == 200
        assert response.json()["data"]["profile_id"] == fixtures.AN_ID

    def test_profile_id_wins_for_events(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.AN_ID, "identities": {"phone_number": ["0901234567"]}, "limit": 100}

        response = client.post(EVENTS, json=body)

        assert len(response.json()["data"]) == 26

    @pytest.mark.parametrize(
        ("types", "sections"),
        [
            (None, {"identity", "trait", "p_trait"}),
            ([], {"identity", "trait", "p_trait"}),
            (["trait"], {"trait"}),
            (["ptrait"], {"p_trait"}),
            (["identity"], {"identity"}),
            (["ptrait", "identity"], {"p_trait", "identity"}),
        ],
    )
    def test_type_selects_sections(
        self, client: httpx.Client, types: list[str] | None, sections: set[str]
    ) -> None:
        body: dict[str, Any] = {"profile_id": fixtures.DUC_ID}
        if types is not None:
            body["type"] = types

        profile = client.post(PROFILES, json=body).json()["data"]

        assert set(profile) == {"profile_id", "last_updated"} | sections

    def test_include_selects_properties(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.DUC_ID, "include": ["full_name", "phone_number", "ltv"]}

        profile = client.post(PROFILES, json=body).json()["data"]

        assert profile["trait"] == {"full_name": "ĐỨC"}
        assert profile["identity"] == {"phone_number": ["0901234567"]}
        assert profile["p_trait"] == {"ltv": 18_450_000}

    def test_shared_phone_returns_list(self, client: httpx.Client) -> None:
        response = client.post(PROFILES, json={"identities": {"phone_number": ["0977000111"]}})

        data = response.json()["data"]
        assert isinstance(data, list)
        assert [profile["profile_id"] for profile in data] == [
            fixtures.SHARED_PHONE_HUSBAND_ID,
            fixtures.SHARED_PHONE_WIFE_ID,
        ]
        assert [profile["trait"]["full_name"] for profile in data] == ["Ngô Văn Bình", "Ngô Thị Lan"]

    def test_shared_phone_events_need_profile_id(self, client: httpx.Client) -> None:
        response = client.post(EVENTS, json={"identities": {"phone_number": ["0977000111"]}})

        assert response.status_code == 400
        assert error_of(response)["code"] == "invalid_request_error"
        assert "query events by profile_id" in error_of(response)["message"]

    def test_any_value_of_identity_matches(self, client: httpx.Client) -> None:
        body = {"identities": {"phone_number": ["01691234567", "0391234567"]}}

        response = client.post(PROFILES, json=body)

        assert response.json()["data"]["profile_id"] == fixtures.LEGACY_PHONE_ID

    @pytest.mark.parametrize("typed", ["01691234567", "0935123456", "84935123456", "+84 935 123 456"])
    def test_phone_spellings_match_exactly(self, client: httpx.Client, typed: str) -> None:
        response = client.post(PROFILES, json={"identities": {"phone_number": [typed]}})

        assert response.status_code == 404

    def test_awkward_values_kept_verbatim(self, client: httpx.Client) -> None:
        profile = client.post(PROFILES, json={"identities": {"email": ["awkward@example.com"]}}).json()["data"]

        trait = profile["trait"]
        assert trait["full_name"] == "Bùi Thị Hồng <script>alert(1)</script>"
        assert trait["nickname"] == "<img src=x onerror=alert(1)>"
        assert trait["website"] == 'hx-get="/x" hx-trigger="load"'
        assert "</script>" in trait["note"]
        assert len(trait["long_note"]) == 5000
        assert trait["is_vip"] is True
        assert trait["middle_name"] is None
        assert trait["tags"] == ["vip", "<b>đậm</b>", None, 3, True]
        assert trait["address"]["geo"] == [21.0143, 105.8566]
        assert profile["last_updated"] == "2024-02-10T19:05:00"

    def test_empty_traits_profile(self, client: httpx.Client) -> None:
        profile = client.post(PROFILES, json={"identities": {"phone_number": ["0904000000"]}}).json()["data"]

        assert profile["trait"] == {}
        assert profile["p_trait"] == {}
        assert profile["identity"]["email"] == []
        assert profile["last_updated"] is None

    @pytest.mark.parametrize("entry", CATALOGUE, ids=lambda entry: f"{entry['identity']}={entry['value']}")
    def test_catalogue_entry_found(self, client: httpx.Client, entry: dict[str, str]) -> None:
        response = client.post(PROFILES, json={"identities": {entry["identity"]: [entry["value"]]}})

        assert response.status_code == 200
        data = response.json()["data"]
        found = [profile["profile_id"] for profile in (data if isinstance(data, list) else [data])]
        assert entry["profile_id"] in found


class TestEventFilters:
    def test_default_limit_is_25(self, client: httpx.Client) -> None:
        payload = client.post(EVENTS, json={"profile_id": fixtures.AN_ID, "sort": "desc"}).json()

        assert len(payload["data"]) == 25
        assert payload["cursor"]["has_more"] is True

    @pytest.mark.parametrize("limit", [1, 7, 100])
    def test_limit_sets_page_size(self, client: httpx.Client, limit: int) -> None:
        payload = client.post(EVENTS, json={"profile_id": fixtures.DUC_ID, "limit": limit}).json()

        assert len(payload["data"]) == limit

    def test_sort_orders_by_time(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.AN_ID, "limit": 100}

        ascending = client.post(EVENTS, json={**body, "sort": "asc"}).json()["data"]
        descending = client.post(EVENTS, json={**body, "sort": "desc"}).json()["data"]

        moments = [moment_of(event) for event in ascending]
        assert moments == sorted(moments)
        assert len(ascending) == 26
        assert descending == ascending[::-1]

    def test_no_sort_is_fixed_scramble(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.AN_ID, "limit": 100}

        first = client.post(EVENTS, json=body).json()["data"]
        second = client.post(EVENTS, json=body).json()["data"]
        ascending = client.post(EVENTS, json={**body, "sort": "asc"}).json()["data"]

        assert first == second
        assert first != ascending
        assert first != ascending[::-1]
        assert sorted(map(event_key, first)) == sorted(map(event_key, ascending))

    def test_start_and_end_are_exclusive(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.AN_ID, "limit": 100, "sort": "asc"}
        everything = client.post(EVENTS, json=body).json()["data"]
        start, end = everything[5]["time_stamp"], everything[15]["time_stamp"]

        window = client.post(EVENTS, json={**body, "start": start, "end": end}).json()["data"]

        assert window == everything[6:15]

    def test_bounds_accept_any_offset(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.AN_ID, "limit": 100, "sort": "asc"}
        everything = client.post(EVENTS, json=body).json()["data"]
        start = moment_of(everything[9]).astimezone(LOCAL_TZ).isoformat()

        after = client.post(EVENTS, json={**body, "start": start}).json()["data"]

        assert after == everything[10:]

    def test_bare_date_is_local_midnight(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.LONG_HISTORY_ID, "limit": 100, "sort": "asc"}
        everything = [event for page in walk_events(client, body) for event in page]
        day = (datetime.now(LOCAL_TZ) - timedelta(days=3)).date()
        midnight = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)

        after = client.post(EVENTS, json={**body, "start": day.isoformat()}).json()["data"]
        before = client.post(EVENTS, json={**body, "end": day.isoformat(), "sort": "desc"}).json()["data"]

        assert after, "the 5,000-event history has events in the last three days"
        assert after == [event for event in everything if moment_of(event) > midnight]
        assert before == [event for event in everything if moment_of(event) < midnight][::-1][:100]

    @pytest.mark.parametrize("days", [7, 30, 90])
    def test_recent_days_have_events(self, client: httpx.Client, days: int) -> None:
        start = (datetime.now(UTC) - timedelta(days=days)).isoformat()

        data = client.post(EVENTS, json={"profile_id": fixtures.DUC_ID, "start": start}).json()["data"]

        assert data

    def test_include_filters_event_names(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.DUC_ID, "limit": 100, "sort": "desc"}
        wanted = {"OrderCreated", "PaymentSucceeded"}

        pages = walk_events(client, {**body, "include": sorted(wanted)})
        everything = [event for page in walk_events(client, body) for event in page]

        selected = [event for page in pages for event in page]
        assert {event["event_name"] for event in selected} == wanted
        assert selected == [event for event in everything if event["event_name"] in wanted]

    def test_events_escape_non_ascii(self, client: httpx.Client) -> None:
        response = client.post(EVENTS, json={"profile_id": fixtures.DUC_ID, "sort": "asc", "limit": 2})

        assert r'"full_name": "\u0110\u1ee8C"' in response.text
        assert response.json()["data"][0]["properties"]["full_name"] == "ĐỨC"

    def test_vendor_events_exact(self, client: httpx.Client) -> None:
        response = client.post(EVENTS, json={"profile_id": fixtures.DUC_ID, "sort": "asc", "limit": 2})

        assert response.json()["data"] == VENDOR_EVENTS

    def test_every_event_name_appears(self, client: httpx.Client) -> None:
        for name in EVENT_NAMES:
            body = {"profile_id": fixtures.LONG_HISTORY_ID, "include": [name], "limit": 1}

            data = client.post(EVENTS, json=body).json()["data"]

            assert len(data) == 1, name
            assert data[0]["event_name"] == name
            assert data[0]["id"].split(".")[1] == name


class TestCursors:
    @pytest.mark.parametrize(
        ("profile_id", "count"),
        [
            (fixtures.NO_EVENTS_ID, 0),
            (fixtures.ONE_EVENT_ID, 1),
            (fixtures.FULL_PAGE_ID, 25),
            (fixtures.AN_ID, 26),
            (fixtures.DUC_ID, 320),
        ],
    )
    @pytest.mark.parametrize("sort", ["asc", "desc", None])
    def test_walk_whole_history(self, client: httpx.Client, profile_id: str, count: int, sort: str | None) -> None:
        body: dict[str, Any] = {"profile_id": profile_id}
        if sort:
            body["sort"] = sort

        pages = walk_events(client, body)

        keys = [event_key(event) for page in pages for event in page]
        assert len(keys) == count
        assert len(set(keys)) == count
        assert len(pages) == max(1, math.ceil(count / 25))
        assert all(len(page) == 25 for page in pages[:-1])

    def test_walk_long_history(self, client: httpx.Client) -> None:
        body = {"identities": {"phone_number": ["0988000000"]}, "sort": "desc", "limit": 100}

        pages = walk_events(client, body)

        keys = {event_key(event) for page in pages for event in page}
        assert len(pages) == 50
        assert len(keys) == 5000

    def test_walk_orders_match(self, client: httpx.Client) -> None:
        ascending = walk_events(client, {"profile_id": fixtures.DUC_ID, "sort": "asc", "limit": 30})
        descending = walk_events(client, {"profile_id": fixtures.DUC_ID, "sort": "desc", "limit": 30})

        flat_ascending = [event for page in ascending for event in page]
        flat_descending = [event for page in descending for event in page]
        assert flat_descending == flat_ascending[::-1]

    def test_identities_and_profile_id_share_cursor(self, client: httpx.Client) -> None:
        first = client.post(EVENTS, json={"identities": {"phone_number": ["0912345678"]}, "sort": "asc"}).json()

        second = client.post(
            EVENTS, json={"profile_id": fixtures.AN_ID, "sort": "asc", "cursor": first["cursor"]["next"]}
        )

        assert second.status_code == 200
        assert len(second.json()["data"]) == 1

    @pytest.mark.parametrize(
        "change",
        [
            {"limit": 10},
            {"sort": "asc"},
            {"include": ["OrderCreated"]},
            {"start": "2024-01-01"},
            {"end": "2030-01-01"},
            {"profile_id": fixtures.LONG_HISTORY_ID},
        ],
        ids=["limit", "sort", "include", "start", "end", "profile"],
    )
    def test_changed_filters_reject_cursor(self, client: httpx.Client, change: dict[str, Any]) -> None:
        body = {"profile_id": fixtures.DUC_ID, "sort": "desc", "limit": 25}
        token = client.post(EVENTS, json=body).json()["cursor"]["next"]

        response = client.post(EVENTS, json={**body, **change, "cursor": token})

        assert response.status_code == 400
        assert error_of(response)["code"] == "invalid_request_error"
        assert error_of(response)["message"].startswith("Cursor does not match this request")

    def test_expired_cursor_is_400(self) -> None:
        body = {"profile_id": fixtures.AN_ID, "sort": "desc"}
        with make_client(cursor_ttl=0.05) as client:
            token = client.post(EVENTS, json=body).json()["cursor"]["next"]
            time.sleep(0.1)

            response = client.post(EVENTS, json={**body, "cursor": token})

        assert response.status_code == 400
        assert error_of(response) == {
            "code": "invalid_request_error",
            "message": "Cursor expired: request the first page again",
        }

    def test_cursor_works_across_apps(self) -> None:
        body = {"profile_id": fixtures.AN_ID, "sort": "desc"}
        with make_client() as first, make_client() as second:
            token = first.post(EVENTS, json=body).json()["cursor"]["next"]

            response = second.post(EVENTS, json={**body, "cursor": token})

        assert response.status_code == 200
        assert len(response.json()["data"]) == 1


class TestPagingQuirks:
    def test_duplicate_boundary_profile(self, client: httpx.Client) -> None:
        pages = walk_events(client, {"profile_id": fixtures.DUPLICATE_BOUNDARY_ID, "sort": "desc"})

        keys = [event_key(event) for page in pages for event in page]
        assert len(pages) == 3
        assert event_key(pages[1][0]) == event_key(pages[0][-1])
        assert event_key(pages[2][0]) == event_key(pages[1][-1])
        assert len(set(keys)) == 60

    def test_repeated_cursor_profile(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.REPEATED_CURSOR_ID, "sort": "desc"}
        first = client.post(EVENTS, json=body).json()

        second = client.post(EVENTS, json={**body, "cursor": first["cursor"]["next"]}).json()

        assert second["cursor"] == {"has_more": True, "next": first["cursor"]["next"]}

    def test_missing_next_profile(self, client: httpx.Client) -> None:
        payload = client.post(EVENTS, json={"profile_id": fixtures.MISSING_NEXT_ID, "sort": "desc"}).json()

        assert payload["cursor"] == {"has_more": True}
        assert len(payload["data"]) == 25

    def test_cursor_in_data_profile(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.CURSOR_IN_DATA_ID, "sort": "desc"}
        events: list[dict[str, Any]] = []
        request = dict(body)
        for _ in range(10):
            payload = client.post(EVENTS, json=request).json()
            assert "cursor" not in payload
            *page, tail = payload["data"]
            events.extend(page)
            if not tail["cursor"]["has_more"]:
                break
            request = {**body, "cursor": tail["cursor"]["next"]}

        assert len({event_key(event) for event in events}) == 60
        assert len(events) == 60

    def test_awkward_events(self, client: httpx.Client) -> None:
        pages = walk_events(client, {"identities": {"email": ["awkward@example.com"]}, "limit": 100})

        events = pages[0]
        texts = json.dumps(events, ensure_ascii=False)
        assert "<script>alert(1)</script>" in texts
        assert 'hx-get=\\"/x\\" hx-trigger=\\"load\\"' in texts
        assert any("sent_at" not in event and "properties" not in event for event in events)
        assert any(len(event["time_stamp"]) == 10 for event in events)


class TestInProcessFaults:
    @pytest.mark.parametrize("name", ["reset", "hang", "drip"])
    def test_socket_faults_become_502(self, client: httpx.Client, name: str) -> None:
        response = client.post(PROFILES, json={"profile_id": fixtures.AN_ID}, headers={"x-sandbox-fault": name})

        assert response.status_code == 502
        assert error_of(response)["code"] == "api_error"

    @pytest.mark.parametrize("code", [500, 502, 503, 504])
    def test_server_error_forms(self, client: httpx.Client, code: int) -> None:
        body = {"profile_id": fixtures.AN_ID}

        as_json = client.post(PROFILES, json=body, headers={"x-sandbox-fault": f"{code}-json"})
        as_html = client.post(PROFILES, json=body, headers={"x-sandbox-fault": f"{code}-html"})
        as_empty = client.post(PROFILES, json=body, headers={"x-sandbox-fault": f"{code}-empty"})

        assert as_json.status_code == code
        assert error_of(as_json)["code"] == "api_error"
        assert as_html.status_code == code
        assert as_html.headers["content-type"].startswith("text/html")
        assert as_html.text.startswith("<!DOCTYPE html>")
        assert as_empty.status_code == code
        assert as_empty.content == b""

    @pytest.mark.parametrize(
        ("name", "status", "retry_after"),
        [("429", 429, None), ("429-retry-after-7", 429, "7"), ("503-retry-after-3", 503, "3")],
    )
    def test_retry_after_seconds(
        self, client: httpx.Client, name: str, status: int, retry_after: str | None
    ) -> None:
        response = client.post(EVENTS, json={"profile_id": fixtures.AN_ID}, headers={"x-sandbox-fault": name})

        assert response.status_code == status
        assert response.headers.get("retry-after") == retry_after

    def test_rate_limit_error_body(self, client: httpx.Client) -> None:
        response = client.post(EVENTS, json={"profile_id": fixtures.AN_ID}, headers={"x-sandbox-fault": "429"})

        assert error_of(response) == {
            "code": "rate_limit_error",
            "message": "Too many requests hit the API too quickly.",
        }

    @pytest.mark.parametrize("name", ["429-retry-after-date-20", "503-retry-after-date-20"])
    def test_retry_after_date(self, client: httpx.Client, name: str) -> None:
        before = datetime.now(UTC)

        response = client.post(EVENTS, json={"profile_id": fixtures.AN_ID}, headers={"x-sandbox-fault": name})

        when = email.utils.parsedate_to_datetime(response.headers["retry-after"])
        assert timedelta(seconds=19) <= when - before <= timedelta(seconds=22)

    @pytest.mark.parametrize("path", [PROFILES, EVENTS])
    def test_broken_bodies_are_200(self, client: httpx.Client, path: str) -> None:
        body = {"profile_id": fixtures.AN_ID}
        normal = client.post(path, json=body)

        malformed = client.post(path, json=body, headers={"x-sandbox-fault": "malformed-json"})
        truncated = client.post(path, json=body, headers={"x-sandbox-fault": "truncated-json"})
        wrong = client.post(path, json=body, headers={"x-sandbox-fault": "wrong-shape"})

        for response in (malformed, truncated, wrong):
            assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(malformed.content)
        with pytest.raises(json.JSONDecodeError):
            json.loads(truncated.content)
        assert normal.content.startswith(truncated.content)
        assert "data" not in wrong.json()

    def test_latency_fault_delays(self, client: httpx.Client) -> None:
        started = time.monotonic()

        response = client.post(
            PROFILES, json={"profile_id": fixtures.AN_ID}, headers={"x-sandbox-fault": "latency-200"}
        )

        assert response.status_code == 200
        assert time.monotonic() - started >= 0.2

    def test_app_latency_delays(self) -> None:
        with make_client(latency=0.15) as client:
            started = time.monotonic()

            response = client.post(PROFILES, json={"profile_id": fixtures.AN_ID})

        assert response.status_code == 200
        assert time.monotonic() - started >= 0.15

    def test_duplicate_boundary_fault(self, client: httpx.Client) -> None:
        body = {"profile_id": fixtures.DUC_ID, "sort": "desc", "limit": 10}
        first = client.post(EVENTS, json=body).json()

        second = client.post(
            EVENTS, json={**body, "cursor": first["cursor"]["next"]}, headers={"x-sandbox-fault": "duplicate-boundary"}
        ).json()

        assert event_key(second["data"][0]) == event_key(first["data"][-1])
        assert len(second["data"]) == 10

    def test_unknown_fault_header_is_400(self, client: httpx.Client) -> None:
        response = client.post(PROFILES, json={"profile_id": fixtures.AN_ID}, headers={"x-sandbox-fault": "slow"})

        assert response.status_code == 400
        assert error_of(response)["message"].startswith("Invalid x-sandbox-fault header: Unknown fault 'slow'")

    def test_scheduled_fault_in_process(self, client: httpx.Client) -> None:
        client.post("/_sandbox/faults", json={"fault": "504-json", "endpoint": "events"})

        profiles = client.post(PROFILES, json={"profile_id": fixtures.AN_ID})
        faulty = client.post(EVENTS, json={"profile_id": fixtures.AN_ID})
        healthy = client.post(EVENTS, json={"profile_id": fixtures.AN_ID})

        assert profiles.status_code == 200
        assert faulty.status_code == 504
        assert healthy.status_code == 200

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({}, "Invalid fault None: expected str"),
            ({"fault": "teapot"}, "Unknown fault 'teapot': expected one of "),
            ({"fault": "429", "count": -1}, "Invalid count or skip: must not be negative"),
            ({"fault": "429", "skip": "2"}, "Invalid skip '2': expected int"),
            ({"fault": "429", "endpoint": "segments"}, "Invalid endpoint 'segments': expected one of "),
        ],
    )
    def test_bad_schedule_is_400(self, client: httpx.Client, body: dict[str, Any], message: str) -> None:
        response = client.post("/_sandbox/faults", json=body)

        assert response.status_code == 400
        assert error_of(response)["message"].startswith(message)


class TestControl:
    def test_health(self, client: httpx.Client) -> None:
        response = client.get("/_sandbox/health", headers={"x-api-key": ""})

        assert response.json() == {"status": "ok"}

    def test_stats_count_requests(self, client: httpx.Client) -> None:
        client.post(PROFILES, json={"profile_id": fixtures.AN_ID})
        client.post(EVENTS, json={"profile_id": fixtures.AN_ID})
        client.post(EVENTS, json={"profile_id": fixtures.AN_ID}, headers={"x-api-key": "wrong"})

        stats = client.get("/_sandbox/stats").json()
        reset = client.post("/_sandbox/stats/reset").json()

        assert stats == {"requests": {"profiles": 1, "events": 2}, "connections": 1}
        assert reset == {"requests": {"profiles": 0, "events": 0}, "connections": 0}
