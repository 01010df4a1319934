"""Tests of PrimeDataClient against httpx.MockTransport: requests, statuses, retries."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from lookup.primedata import (
    Attempt,
    AuthenticationFailed,
    CursorRejected,
    InvalidRequest,
    PrimeDataClient,
    PrimeDataError,
    ProfileNotFound,
    RateLimited,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from lookup.primedata import client as client_module
from lookup.primedata import retrying

BASE_URL = "http://primedata.test"
API_KEY = "test-key-4f1c9e0b"
PROFILE_ID = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"

PROFILE_BODY = {
    "data": {
        "profile_id": PROFILE_ID,
        "last_updated": "2020-01-01T00:00:00Z",
        "identity": {"phone_number": ["0123456788", "0123456789"]},
        "trait": {"full_name": "Sơn", "address": "HN"},
        "p_trait": {"ltv": 12000},
    }
}

EVENTS_BODY = {
    "data": [
        {
            "id": "30ShineMSSQL.BookingCompleted.17484563",
            "profile_id": "2Q5OFD0h3NdANoqIJhHzTnto3ay",
            "event_name": "BookingCompleted",
            "time_stamp": "2023:01:01T20:00:00Z",
            "sent_at": "2023:01:01T20:01:00Z",
            "properties": {"full_name": "ĐỨC"},
        }
    ],
    "cursor": {"has_more": True, "next": "MTUxMzc1"},
}

VALIDATION_ERROR = {
    "error": {
        "code": "validation_error",
        "message": "Invalid Identities {phone_numdber=[0123456789]}",
    }
}

GATEWAY_HTML = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Upstream:
    """Scripted stand-in for PrimeData that records every request it receives.

    Each request takes the next reply, and the last reply repeats once the
    script runs out. A reply is a response or a function of the request that
    returns a response or raises an httpx error.
    """

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


def respond(status: int, body: object = None, **headers: str) -> httpx.Response:
    """Build a response whose body is JSON, or raw bytes when given bytes."""
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def fail_with(error_class: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def raise_error(request: httpx.Request) -> httpx.Response:
        raise error_class("simulated transport failure", request=request)

    return raise_error


def make_client(upstream: Upstream, **options: Any) -> PrimeDataClient:
    return PrimeDataClient(BASE_URL, API_KEY, transport=httpx.MockTransport(upstream), **options)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits between attempts instead of taking them."""
    recorded: list[float] = []
    monkeypatch.setattr(retrying, "_sleep", recorded.append)
    return recorded


def search(client: PrimeDataClient, endpoint: str, **arguments: Any) -> object:
    if endpoint == "profiles":
        return client.search_profiles(profile_id=PROFILE_ID, **arguments)
    return client.search_events(profile_id=PROFILE_ID, **arguments)


# Requests


def test_profiles_request_goes_to_documented_path() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))

    make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    request = upstream.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "http://primedata.test/pub/profiles/advanced-search"


def test_events_request_goes_to_documented_path() -> None:
    upstream = Upstream(respond(200, EVENTS_BODY))

    make_client(upstream).search_events(profile_id=PROFILE_ID)

    request = upstream.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "http://primedata.test/pub/events/advanced-search"


def test_base_url_path_prefix_is_kept() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))
    client = PrimeDataClient(
        "http://primedata.test/tenant-a/", API_KEY, transport=httpx.MockTransport(upstream)
    )

    client.search_profiles(profile_id=PROFILE_ID)

    assert upstream.requests[0].url.path == "/tenant-a/pub/profiles/advanced-search"


def test_request_carries_key_and_json_headers() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))

    make_client(upstream).search_profiles(profile_id=PROFILE_ID, request_id="req-42")

    headers = upstream.requests[0].headers
    assert headers["x-api-key"] == API_KEY
    assert headers["x-request-id"] == "req-42"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"].startswith("customer360-lookup/")


def test_request_without_request_id_omits_header() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))

    make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert "x-request-id" not in upstream.requests[0].headers


def test_profiles_body_sends_identities_as_string_lists() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))

    make_client(upstream).search_profiles(
        identities={"phone_number": ("0912345678", "84912345678"), "email": ["an@example.com"]},
        types=["trait", "identity"],
        include=["full_name"],
    )

    assert upstream.bodies[0] == {
        "identities": {
            "phone_number": ["0912345678", "84912345678"],
            "email": ["an@example.com"],
        },
        "type": ["trait", "identity"],
        "include": ["full_name"],
    }


def test_events_body_sends_sort_by_default() -> None:
    upstream = Upstream(respond(200, EVENTS_BODY))

    make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert upstream.bodies[0] == {"profile_id": PROFILE_ID, "sort": "desc", "limit": 25}


def test_events_body_sends_dates_as_vietnam_midnight() -> None:
    upstream = Upstream(respond(200, EVENTS_BODY))

    make_client(upstream).search_events(
        identities={"phone_number": ["0912345678"]},
        start=date(2023, 5, 1),
        end=date(2023, 5, 31),
        include=["BookingCompleted", "OrderCreated"],
        sort="asc",
        limit=100,
        cursor="MTUxMzc1",
    )

    assert upstream.bodies[0] == {
        "identities": {"phone_number": ["0912345678"]},
        "start": "2023-05-01T00:00:00+07:00",
        "end": "2023-05-31T00:00:00+07:00",
        "include": ["BookingCompleted", "OrderCreated"],
        "sort": "asc",
        "limit": 100,
        "cursor": "MTUxMzc1",
    }


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (datetime(2023, 5, 1, 8, 30), "2023-05-01T08:30:00+07:00"),
        (datetime(2023, 5, 1, 1, 30, tzinfo=UTC), "2023-05-01T01:30:00+00:00"),
    ],
)
def test_events_body_sends_datetimes_with_offset(start: datetime, expected: str) -> None:
    upstream = Upstream(respond(200, EVENTS_BODY))

    make_client(upstream).search_events(profile_id=PROFILE_ID, start=start)

    assert upstream.bodies[0]["start"] == expected


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"profile_id": PROFILE_ID, "identities": {"phone_number": ["0912345678"]}},
        {"profile_id": PROFILE_ID, "sort": "newest"},
        {"profile_id": PROFILE_ID, "limit": 0},
        {"profile_id": PROFILE_ID, "limit": 101},
        {"profile_id": PROFILE_ID, "deadline": 0},
        {"profile_id": PROFILE_ID, "request_id": "req\r\nx-evil: 1"},
    ],
)
def test_events_bad_arguments_raise_before_sending(arguments: dict[str, Any]) -> None:
    upstream = Upstream(respond(200, EVENTS_BODY))

    with pytest.raises(ValueError):
        make_client(upstream).search_events(**arguments)

    assert upstream.requests == []


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"profile_id": PROFILE_ID, "identities": {"email": ["an@example.com"]}},
        {"profile_id": PROFILE_ID, "types": ["trait", "segments"]},
    ],
)
def test_profiles_bad_arguments_raise_before_sending(arguments: dict[str, Any]) -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))

    with pytest.raises(ValueError):
        make_client(upstream).search_profiles(**arguments)

    assert upstream.requests == []


def test_attempt_timeouts_fit_in_deadline() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))
    client = make_client(upstream, connect_timeout=2.0, read_timeout=5.0, pool_timeout=1.0)

    client.search_profiles(profile_id=PROFILE_ID, deadline=0.5)

    timeout = upstream.requests[0].extensions["timeout"]
    assert 0 < timeout["connect"] <= 0.5
    assert 0 < timeout["read"] <= 0.5
    assert 0 < timeout["write"] <= 0.5
    assert 0 < timeout["pool"] <= 0.5


def test_attempt_timeouts_default_to_client_settings() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))
    client = make_client(upstream, connect_timeout=2.0, read_timeout=5.0, pool_timeout=1.0)

    client.search_profiles(profile_id=PROFILE_ID, deadline=60.0)

    timeout = upstream.requests[0].extensions["timeout"]
    assert timeout == {"connect": 2.0, "read": 5.0, "write": 5.0, "pool": 1.0}


# Successful responses


def test_search_profiles_returns_profile() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))

    profiles = make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert len(profiles) == 1
    assert profiles[0].profile_id == PROFILE_ID
    assert profiles[0].traits["full_name"] == "Sơn"
    assert profiles[0].last_updated == datetime(2020, 1, 1, tzinfo=UTC)


def test_search_profiles_returns_shared_identity_list() -> None:
    body = {"data": [{"profile_id": "p-mother"}, {"profile_id": "p-son"}]}
    upstream = Upstream(respond(200, body))

    profiles = make_client(upstream).search_profiles(identities={"phone_number": ["0977000111"]})

    assert [profile.profile_id for profile in profiles] == ["p-mother", "p-son"]


def test_search_events_returns_page() -> None:
    upstream = Upstream(respond(200, EVENTS_BODY))

    page = make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert page.has_more is True
    assert page.next_cursor == "MTUxMzc1"
    assert page.events[0].event_name == "BookingCompleted"
    assert page.events[0].time_stamp == datetime(2023, 1, 1, 20, tzinfo=UTC)


def test_search_events_decodes_escaped_names() -> None:
    body = b'{"data": [{"id": "a.b.1", "properties": {"full_name": "\\u0110\\u1ee8C"}}]}'
    upstream = Upstream(respond(200, body))

    page = make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert page.events[0].properties["full_name"] == "ĐỨC"


def test_search_events_reads_gzip_body() -> None:
    compressed = gzip.compress(json.dumps(EVENTS_BODY).encode())
    upstream = Upstream(respond(200, compressed, **{"content-encoding": "gzip"}))

    page = make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert len(page.events) == 1


# Error statuses: the status decides the class, and only some are retried.

STATUS_CASES = [
    # (status, body, error class, attempts)
    (400, VALIDATION_ERROR, InvalidRequest, 1),
    (400, b"", InvalidRequest, 1),
    (401, {"error": {"code": "authentication_error"}}, AuthenticationFailed, 1),
    (403, b"<html>Forbidden</html>", AuthenticationFailed, 1),
    (404, {"error": {"code": "resource_missing"}}, ProfileNotFound, 1),
    (404, b"", ProfileNotFound, 1),
    (429, {"error": {"code": "rate_limit_error", "message": "Too many"}}, RateLimited, 3),
    (500, {"error": {"code": "internal", "message": "boom"}}, UpstreamUnavailable, 1),
    (500, GATEWAY_HTML, UpstreamUnavailable, 1),
    (500, b"", UpstreamUnavailable, 1),
    (502, {"error": {"code": "bad_gateway", "message": "boom"}}, UpstreamUnavailable, 3),
    (502, GATEWAY_HTML, UpstreamUnavailable, 3),
    (502, b"", UpstreamUnavailable, 3),
    (503, {"error": {"code": "unavailable", "message": "boom"}}, UpstreamUnavailable, 3),
    (503, GATEWAY_HTML, UpstreamUnavailable, 3),
    (503, b"", UpstreamUnavailable, 3),
    (504, {"error": {"code": "timeout", "message": "boom"}}, UpstreamUnavailable, 3),
    (504, GATEWAY_HTML, UpstreamUnavailable, 3),
    (504, b"", UpstreamUnavailable, 3),
    (501, b"", UpstreamUnavailable, 1),
    (201, PROFILE_BODY, UpstreamProtocolError, 1),
    (204, b"", UpstreamProtocolError, 1),
    (302, b"", UpstreamProtocolError, 1),
    (405, b"", UpstreamProtocolError, 1),
    (422, VALIDATION_ERROR, UpstreamProtocolError, 1),
]


@pytest.mark.parametrize("endpoint", ["profiles", "events"])
@pytest.mark.parametrize(("status", "body", "error_class", "attempts"), STATUS_CASES)
def test_status_maps_to_error_class(
    endpoint: str,
    status: int,
    body: object,
    error_class: type[PrimeDataError],
    attempts: int,
) -> None:
    upstream = Upstream(respond(status, body))

    with pytest.raises(PrimeDataError) as raised:
        search(make_client(upstream), endpoint, request_id="req-7")

    error = raised.value
    assert type(error) is error_class
    assert error.status == status
    assert error.attempts == attempts
    assert len(upstream.requests) == attempts
    assert error.endpoint == endpoint
    assert error.request_id == "req-7"


def test_validation_error_keeps_vendor_message() -> None:
    upstream = Upstream(respond(400, VALIDATION_ERROR))

    with pytest.raises(InvalidRequest) as raised:
        make_client(upstream).search_profiles(identities={"phone_numdber": ["0123456789"]})

    assert raised.value.code == "validation_error"
    assert raised.value.vendor_message == "Invalid Identities {phone_numdber=[0123456789]}"
    assert "Invalid Identities {phone_numdber=[0123456789]}" in str(raised.value)


def test_cursor_request_400_raises_cursor_rejected() -> None:
    body = {"error": {"code": "invalid_request_error", "message": "cursor expired"}}
    upstream = Upstream(respond(400, body))

    with pytest.raises(CursorRejected) as raised:
        make_client(upstream).search_events(profile_id=PROFILE_ID, cursor="MTUxMzc1")

    assert raised.value.code == "invalid_request_error"
    assert raised.value.vendor_message == "cursor expired"
    assert raised.value.attempts == 1


def test_first_page_400_is_not_cursor_rejected() -> None:
    upstream = Upstream(respond(400, VALIDATION_ERROR))

    with pytest.raises(InvalidRequest) as raised:
        make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert not isinstance(raised.value, CursorRejected)


def test_unknown_vendor_code_is_kept_not_trusted() -> None:
    body = {"error": {"code": "validation_error", "message": "no profile"}}
    upstream = Upstream(respond(404, body))

    with pytest.raises(ProfileNotFound) as raised:
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.code == "validation_error"


def test_html_error_body_gives_no_vendor_text() -> None:
    upstream = Upstream(respond(502, GATEWAY_HTML))

    with pytest.raises(UpstreamUnavailable) as raised:
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.code is None
    assert raised.value.vendor_message is None
    assert "nginx" not in str(raised.value)


def test_error_str_names_the_context() -> None:
    upstream = Upstream(respond(401, {"error": {"code": "authentication_error"}}))

    with pytest.raises(AuthenticationFailed) as raised:
        make_client(upstream).search_events(profile_id=PROFILE_ID, request_id="req-9")

    text = str(raised.value)
    assert "endpoint=events" in text
    assert "status=401" in text
    assert "code=authentication_error" in text
    assert "request_id=req-9" in text
    assert "attempts=1" in text


# Bad 200 bodies are upstream failures, not empty results, and are not retried.

BAD_BODIES = [
    b"",
    b"not json",
    GATEWAY_HTML,
    b'{"data": [{"id": "a.b.1", "event_name": "Page',
    b'{"data": {"profile_id": "p1"',
    b"[]",
    b'{"result": []}',
    b'{"data": null}',
    b'{"data": "none"}',
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_profiles_body_raises_protocol_error(body: bytes) -> None:
    upstream = Upstream(respond(200, body))

    with pytest.raises(UpstreamProtocolError) as raised:
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.status == 200
    assert raised.value.attempts == 1


@pytest.mark.parametrize(
    "body",
    [*BAD_BODIES, b'{"data": {"id": "a.b.1"}}', b'{"data": [], "cursor": "tok"}'],
)
def test_bad_events_body_raises_protocol_error(body: bytes) -> None:
    upstream = Upstream(respond(200, body))

    with pytest.raises(UpstreamProtocolError) as raised:
        make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert raised.value.status == 200
    assert raised.value.attempts == 1


def test_oversized_body_raises_protocol_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 1024)
    body = {"data": {"profile_id": PROFILE_ID, "trait": {"note": "x" * 5000}}}
    upstream = Upstream(respond(200, body))

    with pytest.raises(UpstreamProtocolError):
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)


def test_bad_content_encoding_raises_protocol_error() -> None:
    # A stream keeps MockTransport from decoding the body before the client does.
    reply = httpx.Response(
        200, stream=httpx.ByteStream(b"not gzip at all"), headers={"content-encoding": "gzip"}
    )
    upstream = Upstream(reply)

    with pytest.raises(UpstreamProtocolError):
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)


# Transport failures

TRANSPORT_CASES = [
    # (httpx error, PrimeData error, attempts)
    (httpx.ConnectError, UpstreamUnavailable, 3),
    (httpx.ReadError, UpstreamUnavailable, 3),
    (httpx.WriteError, UpstreamUnavailable, 3),
    (httpx.RemoteProtocolError, UpstreamUnavailable, 3),
    (httpx.ConnectTimeout, UpstreamTimeout, 3),
    (httpx.ReadTimeout, UpstreamTimeout, 1),
    (httpx.WriteTimeout, UpstreamTimeout, 1),
    (httpx.PoolTimeout, UpstreamTimeout, 1),
    (httpx.ProxyError, UpstreamUnavailable, 1),
]


@pytest.mark.parametrize(("httpx_error", "error_class", "attempts"), TRANSPORT_CASES)
def test_transport_failure_maps_to_error_class(
    httpx_error: type[httpx.TransportError],
    error_class: type[PrimeDataError],
    attempts: int,
) -> None:
    upstream = Upstream(fail_with(httpx_error))

    with pytest.raises(PrimeDataError) as raised:
        make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert type(raised.value) is error_class
    assert raised.value.status is None
    assert raised.value.attempts == attempts
    assert len(upstream.requests) == attempts
    assert isinstance(raised.value.__cause__, httpx_error)


def test_connection_error_then_success_returns_page() -> None:
    upstream = Upstream(fail_with(httpx.ConnectError), respond(200, EVENTS_BODY))

    page = make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert len(page.events) == 1
    assert len(upstream.requests) == 2


# Retries


def test_retry_then_success_returns_result(sleeps: list[float]) -> None:
    upstream = Upstream(respond(503, b""), respond(502, GATEWAY_HTML), respond(200, PROFILE_BODY))

    profiles = make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert profiles[0].profile_id == PROFILE_ID
    assert len(upstream.requests) == 3
    assert len(sleeps) == 2


def test_max_attempts_one_disables_retries() -> None:
    upstream = Upstream(respond(503, b""))

    with pytest.raises(UpstreamUnavailable) as raised:
        make_client(upstream, max_attempts=1).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.attempts == 1


def test_backoff_waits_stay_within_bounds(sleeps: list[float]) -> None:
    upstream = Upstream(respond(429, b""))
    client = make_client(upstream, max_attempts=3, backoff_initial=0.2, backoff_max=0.3)

    with pytest.raises(RateLimited) as raised:
        client.search_profiles(profile_id=PROFILE_ID)

    assert raised.value.retry_after is None
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.2
    assert 0 <= sleeps[1] <= 0.3


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_waited_exactly(status: int, sleeps: list[float]) -> None:
    upstream = Upstream(respond(status, b"", **{"retry-after": "2"}), respond(200, PROFILE_BODY))

    make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert sleeps == [2.0]


def test_retry_after_http_date_is_waited(sleeps: list[float]) -> None:
    when = datetime.now(UTC) + timedelta(seconds=3)
    retry_after = format_datetime(when, usegmt=True)
    upstream = Upstream(
        respond(429, b"", **{"retry-after": retry_after}), respond(200, PROFILE_BODY)
    )

    make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert len(sleeps) == 1
    assert 1.0 < sleeps[0] <= 3.0


def test_retry_after_past_deadline_raises_at_once(sleeps: list[float]) -> None:
    upstream = Upstream(respond(429, b"", **{"retry-after": "30"}))

    with pytest.raises(RateLimited) as raised:
        make_client(upstream, deadline=10.0).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.retry_after == 30.0
    assert raised.value.attempts == 1
    assert sleeps == []


def test_retry_after_http_date_past_deadline_raises() -> None:
    when = datetime.now(UTC) + timedelta(hours=1)
    upstream = Upstream(respond(429, b"", **{"retry-after": format_datetime(when, usegmt=True)}))

    with pytest.raises(RateLimited) as raised:
        make_client(upstream).search_events(profile_id=PROFILE_ID)

    assert raised.value.retry_after is not None
    assert 3500 < raised.value.retry_after <= 3600
    assert raised.value.attempts == 1


def test_503_retry_after_past_deadline_raises_unavailable() -> None:
    upstream = Upstream(respond(503, GATEWAY_HTML, **{"retry-after": "120"}))

    with pytest.raises(UpstreamUnavailable) as raised:
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.retry_after == 120.0
    assert raised.value.attempts == 1


def test_429_after_retries_keeps_last_retry_after(sleeps: list[float]) -> None:
    upstream = Upstream(respond(429, b"", **{"retry-after": "1"}))

    with pytest.raises(RateLimited) as raised:
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.retry_after == 1.0
    assert raised.value.attempts == 3
    assert sleeps == [1.0, 1.0]


def test_retry_after_ignored_on_502(sleeps: list[float]) -> None:
    upstream = Upstream(respond(502, b"", **{"retry-after": "60"}), respond(200, PROFILE_BODY))

    make_client(upstream, backoff_max=0.5).search_profiles(profile_id=PROFILE_ID)

    assert len(sleeps) == 1
    assert sleeps[0] <= 0.5


# on_attempt reports


def test_on_attempt_reports_every_attempt() -> None:
    reports: list[Attempt] = []
    upstream = Upstream(fail_with(httpx.ConnectError), respond(503, b""), respond(200, EVENTS_BODY))

    make_client(upstream, on_attempt=reports.append).search_events(
        profile_id=PROFILE_ID, request_id="req-3"
    )

    assert [report.attempt for report in reports] == [1, 2, 3]
    assert [report.status for report in reports] == [None, 503, 200]
    assert {report.endpoint for report in reports} == {"events"}
    assert {report.request_id for report in reports} == {"req-3"}
    assert all(report.elapsed >= 0 for report in reports)


def test_on_attempt_reports_bad_body_status() -> None:
    reports: list[Attempt] = []
    upstream = Upstream(respond(200, b"not json"))

    with pytest.raises(UpstreamProtocolError):
        make_client(upstream, on_attempt=reports.append).search_profiles(profile_id=PROFILE_ID)

    assert [report.status for report in reports] == [200]


def test_on_attempt_failure_does_not_fail_call(caplog: pytest.LogCaptureFixture) -> None:
    def broken_callback(report: Attempt) -> None:
        raise RuntimeError("metrics backend down")

    upstream = Upstream(respond(200, PROFILE_BODY))

    profiles = make_client(upstream, on_attempt=broken_callback).search_profiles(
        profile_id=PROFILE_ID
    )

    assert len(profiles) == 1
    assert "on_attempt callback failed" in caplog.text


# Logging


def test_failed_call_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="lookup.primedata")
    upstream = Upstream(respond(503, {"error": {"code": "unavailable", "message": "x"}}))

    with pytest.raises(UpstreamUnavailable):
        make_client(upstream).search_events(profile_id=PROFILE_ID, request_id="req-5")

    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    retries = [record for record in caplog.records if record.levelno == logging.INFO]
    assert len(warnings) == 1
    assert len(retries) == 2
    message = warnings[0].getMessage()
    assert "events" in message
    assert "status 503" in message
    assert "vendor code unavailable" in message
    assert "3 attempts" in message
    assert "req-5" in message


def test_successful_call_logs_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="lookup.primedata")
    upstream = Upstream(respond(200, PROFILE_BODY))

    make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


def test_logs_omit_identities_and_body(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    upstream = Upstream(respond(502, b""))

    with pytest.raises(UpstreamUnavailable):
        make_client(upstream).search_profiles(identities={"phone_number": ["0912345678"]})

    assert "0912345678" not in caplog.text


# The API key stays secret.

SECRET_LEAK_REPLIES: list[Reply] = [
    respond(401, {"error": {"code": "authentication_error", "message": f"bad key {API_KEY}"}}),
    respond(400, {"error": {"code": API_KEY, "message": f"x-api-key={API_KEY} rejected"}}),
    respond(429, {"error": API_KEY}, **{"retry-after": "600"}),
    respond(500, f"<html>{API_KEY}</html>".encode()),
    respond(503, {"message": API_KEY}),
    respond(200, f"not json {API_KEY}".encode()),
    respond(200, {"data": API_KEY}),
    fail_with(httpx.ConnectError),
    fail_with(httpx.ReadTimeout),
]


@pytest.mark.parametrize("reply", SECRET_LEAK_REPLIES)
def test_api_key_absent_from_errors_and_logs(
    reply: Reply, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    upstream = Upstream(reply)
    client = make_client(upstream)

    with pytest.raises(PrimeDataError) as raised:
        client.search_events(profile_id=PROFILE_ID, request_id="req-1")

    error = raised.value
    assert API_KEY not in str(error)
    assert API_KEY not in repr(error)
    assert API_KEY not in str(error.code)
    assert API_KEY not in str(error.vendor_message)
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
    assert API_KEY not in caplog.text


def test_echoed_key_is_replaced_in_vendor_message() -> None:
    body = {"error": {"code": "authentication_error", "message": f"bad key {API_KEY}"}}
    upstream = Upstream(respond(401, body))

    with pytest.raises(AuthenticationFailed) as raised:
        make_client(upstream).search_profiles(profile_id=PROFILE_ID)

    assert raised.value.vendor_message == "bad key ***"


def test_client_repr_hides_api_key() -> None:
    client = make_client(Upstream(respond(200, PROFILE_BODY)))

    text = repr(client)

    assert API_KEY not in text
    assert "primedata.test" in text


# Construction and lifetime


@pytest.mark.parametrize(
    ("base_url", "api_key", "options"),
    [
        ("primedata.test", API_KEY, {}),
        ("ftp://primedata.test", API_KEY, {}),
        ("http://", API_KEY, {}),
        (BASE_URL, "", {}),
        (BASE_URL, "   ", {}),
        (BASE_URL, API_KEY, {"deadline": 0}),
        (BASE_URL, API_KEY, {"read_timeout": -1}),
        (BASE_URL, API_KEY, {"max_attempts": 0}),
        (BASE_URL, API_KEY, {"backoff_initial": -0.1}),
        (BASE_URL, API_KEY, {"max_connections": 0}),
        (BASE_URL, API_KEY, {"keepalive_seconds": 0}),
    ],
)
def test_client_rejects_bad_configuration(
    base_url: str, api_key: str, options: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        PrimeDataClient(base_url, api_key, **options)


def test_configuration_error_hides_api_key() -> None:
    with pytest.raises(ValueError) as raised:
        PrimeDataClient("not a url", API_KEY)

    assert API_KEY not in str(raised.value)


def test_context_manager_closes_client() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))

    with make_client(upstream) as client:
        client.search_profiles(profile_id=PROFILE_ID)

    with pytest.raises(RuntimeError):
        client.search_profiles(profile_id=PROFILE_ID)


def test_client_is_shared_between_threads() -> None:
    upstream = Upstream(respond(200, PROFILE_BODY))
    client = make_client(upstream)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: client.search_profiles(profile_id=PROFILE_ID), range(40))
        )

    assert len(results) == 40
    assert len(upstream.requests) == 40
