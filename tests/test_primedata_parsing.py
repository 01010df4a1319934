"""Tests of lookup.primedata.parsing: timestamps, bodies and headers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from lookup.primedata.parsing import (
    LOCAL_TZ,
    MalformedBody,
    decode_json,
    parse_error_body,
    parse_events_body,
    parse_instant,
    parse_profiles_body,
    parse_retry_after,
    parse_timestamp,
)
from lookup.primedata.results import Event

VENDOR_PROFILE = {
    "data": {
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
}

VENDOR_EVENT = {
    "id": "30ShineMSSQL.BookingCompleted.17484563",
    "profile_id": "2Q5OFD0h3NdANoqIJhHzTnto3ay",
    "event_name": "BookingCompleted",
    "time_stamp": "2023:01:01T20:00:00Z",
    "sent_at": "2023:01:01T20:01:00Z",
    "input_schema_version": "0.1",
    "properties": {
        "at": "2023-05-21T11:48:23",
        "full_name": "ĐỨC",
        "phone_number": "0123456789",
        "booking_completed_time": "2023-05-21T04:48:23Z",
        "customer_id": "749547",
    },
}


# parse_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-01T20:00:00Z", datetime(2023, 1, 1, 20, tzinfo=UTC)),
        ("2023-01-01T20:00:00z", datetime(2023, 1, 1, 20, tzinfo=UTC)),
        ("2023-01-01T20:00:00+07:00", datetime(2023, 1, 1, 13, tzinfo=UTC)),
        ("2023-01-01T20:00:00+0700", datetime(2023, 1, 1, 13, tzinfo=UTC)),
        ("2023-01-01T20:00:00-05:00", datetime(2023, 1, 2, 1, tzinfo=UTC)),
        ("2023-01-01T20:00Z", datetime(2023, 1, 1, 20, tzinfo=UTC)),
        ("2023-01-01 20:00:00Z", datetime(2023, 1, 1, 20, tzinfo=UTC)),
        ("2023-01-01T20:00:00.5Z", datetime(2023, 1, 1, 20, 0, 0, 500000, tzinfo=UTC)),
        ("2023-01-01T20:00:00.123456Z", datetime(2023, 1, 1, 20, 0, 0, 123456, tzinfo=UTC)),
        ("2023-01-01T20:00:00.123456789Z", datetime(2023, 1, 1, 20, 0, 0, 123456, tzinfo=UTC)),
        ("2023:01:01T20:00:00Z", datetime(2023, 1, 1, 20, tzinfo=UTC)),
        ("2023:01:01T20:00:00+07:00", datetime(2023, 1, 1, 13, tzinfo=UTC)),
        ("2023-05-21T11:48:23", datetime(2023, 5, 21, 4, 48, 23, tzinfo=UTC)),
        ("2023:05:21T11:48:23", datetime(2023, 5, 21, 4, 48, 23, tzinfo=UTC)),
        (" 2023-01-01T20:00:00Z ", datetime(2023, 1, 1, 20, tzinfo=UTC)),
    ],
)
def test_parse_timestamp_reads_datetime(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)

    assert isinstance(parsed, datetime)
    assert parsed.utcoffset() is not None
    assert parsed == expected


def test_parse_timestamp_naive_is_vietnam_time() -> None:
    parsed = parse_timestamp("2023-05-21T11:48:23")

    assert isinstance(parsed, datetime)
    assert parsed.tzinfo is LOCAL_TZ
    assert parsed.utcoffset() == timedelta(hours=7)


def test_parse_timestamp_keeps_received_offset() -> None:
    parsed = parse_timestamp("2023-01-01T20:00:00+07:00")

    assert isinstance(parsed, datetime)
    assert parsed.hour == 20
    assert parsed.tzinfo == timezone(timedelta(hours=7))


def test_parse_timestamp_vendor_naive_matches_utc_field() -> None:
    local = parse_timestamp("2023-05-21T11:48:23")
    utc = parse_timestamp("2023-05-21T04:48:23Z")

    assert local == utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-21", date(2023, 5, 21)),
        ("2023:05:21", date(2023, 5, 21)),
        ("2006-01-02", date(2006, 1, 2)),
    ],
)
def test_parse_timestamp_bare_date_returns_date(text: str, expected: date) -> None:
    parsed = parse_timestamp(text)

    assert type(parsed) is date
    assert parsed == expected


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "20230101",
        "2023-W01-1",
        "1672603200",
        "2023-13-01T00:00:00Z",
        "2023-02-30",
        "2023-01-01T25:00:00",
        "2023-01:01T20:00:00Z",
        "2023-01-01T20:00:00 GMT",
        "2023-01-01T20:00:00+7",
        "01/02/2023",
        "<script>alert(1)</script>",
    ],
)
def test_parse_timestamp_returns_other_text_unchanged(text: str) -> None:
    parsed = parse_timestamp(text)

    assert parsed == text


@pytest.mark.parametrize("text", [None, ""])
def test_parse_timestamp_empty_is_none(text: str | None) -> None:
    assert parse_timestamp(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-05-21", "2023-05-21"),
        ("soon", "soon"),
        (1672603200, "1672603200"),
        (None, None),
        ("", None),
    ],
)
def test_parse_instant_keeps_non_datetimes_as_text(value: object, expected: str | None) -> None:
    assert parse_instant(value) == expected


# decode_json


def test_decode_json_reads_unicode_escapes() -> None:
    payload = decode_json(b'{"full_name": "\\u0110\\u1ee8C"}')

    assert payload == {"full_name": "ĐỨC"}


def test_decode_json_accepts_byte_order_mark() -> None:
    payload = decode_json('\ufeff{"a": "Sơn"}'.encode())

    assert payload == {"a": "Sơn"}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        b"<html><body>Bad gateway</body></html>",
        b'{"data": [{"id": "a", "event_name": "Page',
        b'{"data": {}',
        b"\xff\xfe\xfa not utf-8",
        b"null-ish",
        b"[" * 100_000,
    ],
)
def test_decode_json_rejects_non_json(body: bytes) -> None:
    with pytest.raises(MalformedBody):
        decode_json(body)


# parse_profiles_body


def test_profiles_body_reads_vendor_example() -> None:
    (profile,) = parse_profiles_body(VENDOR_PROFILE)

    assert profile.profile_id == "2K7QRzns7Gpw4n4Q4RADtFpmhnm"
    assert profile.last_updated == datetime(2020, 1, 1, tzinfo=UTC)
    assert profile.identities["phone_number"] == ["0123456788", "0123456789"]
    assert profile.identities["crm_user_id"] == ["123"]
    assert profile.traits == {"full_name": "Sơn", "address": "HN"}
    assert profile.p_traits["ltv"] == 12000
    assert profile.sections == frozenset({"trait", "ptrait", "identity"})


def test_profiles_body_keeps_trait_values_raw() -> None:
    (profile,) = parse_profiles_body(VENDOR_PROFILE)

    assert profile.p_traits["last_time_purchased"] == "2023:01:01T20:00:00Z"


def test_profiles_body_absent_sections_are_empty() -> None:
    payload = {"data": {"profile_id": "p1", "trait": {"full_name": "An"}}}

    (profile,) = parse_profiles_body(payload)

    assert profile.sections == frozenset({"trait"})
    assert profile.identities == {}
    assert profile.p_traits == {}
    assert profile.last_updated is None


def test_profiles_body_null_section_counts_as_present() -> None:
    payload = {"data": {"profile_id": "p1", "trait": None, "p_trait": {}}}

    (profile,) = parse_profiles_body(payload)

    assert profile.sections == frozenset({"trait", "ptrait"})
    assert profile.traits == {}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        (None, []),
        ("0912345678", ["0912345678"]),
        (["0912345678", None, ""], ["0912345678"]),
        ([912345678], ["912345678"]),
        ([{"nested": 1}, "a@example.com"], ["a@example.com"]),
    ],
)
def test_profiles_body_normalises_identity_values(values: object, expected: list[str]) -> None:
    payload = {"data": {"profile_id": "p1", "identity": {"email": values}}}

    (profile,) = parse_profiles_body(payload)

    assert profile.identities == {"email": expected}


def test_profiles_body_reads_list_of_profiles() -> None:
    payload = {"data": [{"profile_id": "p1"}, "noise", 7, None, {"profile_id": "p2"}]}

    profiles = parse_profiles_body(payload)

    assert [profile.profile_id for profile in profiles] == ["p1", "p2"]


def test_profiles_body_empty_list_gives_no_profiles() -> None:
    assert parse_profiles_body({"data": []}) == []


def test_profiles_body_bare_date_last_updated_stays_text() -> None:
    payload = {"data": {"profile_id": "p1", "last_updated": "2020-01-01"}}

    (profile,) = parse_profiles_body(payload)

    assert profile.last_updated == "2020-01-01"


def test_profiles_body_unparsed_last_updated_stays_text() -> None:
    payload = {"data": {"profile_id": "p1", "last_updated": "not a time"}}

    (profile,) = parse_profiles_body(payload)

    assert profile.last_updated == "not a time"


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "data",
        None,
        {},
        {"profile": {"profile_id": "p1"}},
        {"data": None},
        {"data": "p1"},
        {"data": {}},
        {"data": {"profile_id": ""}},
        {"data": {"profile_id": 12}},
        {"data": [{"profile_id": "p1"}, {"trait": {}}]},
        {"data": {"profile_id": "p1", "trait": ["a"]}},
        {"data": {"profile_id": "p1", "p_trait": "high"}},
        {"data": {"profile_id": "p1", "identity": ["0912345678"]}},
    ],
)
def test_profiles_body_rejects_wrong_shape(payload: object) -> None:
    with pytest.raises(MalformedBody):
        parse_profiles_body(payload)


# parse_events_body


def test_events_body_reads_vendor_example() -> None:
    payload = {"data": [VENDOR_EVENT], "cursor": {"has_more": True, "next": "MTUxMzc1"}}

    page = parse_events_body(payload)

    assert page.has_more is True
    assert page.next_cursor == "MTUxMzc1"
    assert len(page.events) == 1
    event = page.events[0]
    assert event.id == "30ShineMSSQL.BookingCompleted.17484563"
    assert event.profile_id == "2Q5OFD0h3NdANoqIJhHzTnto3ay"
    assert event.event_name == "BookingCompleted"
    assert event.time_stamp == datetime(2023, 1, 1, 20, tzinfo=UTC)
    assert event.sent_at == datetime(2023, 1, 1, 20, 1, tzinfo=UTC)
    assert event.raw_time_stamp == "2023:01:01T20:00:00Z"
    assert event.properties["full_name"] == "ĐỨC"


def test_events_body_decodes_escaped_properties() -> None:
    body = b'{"data": [{"id": "a.b.1", "properties": {"full_name": "\\u0110\\u1ee8C"}}]}'

    page = parse_events_body(decode_json(body))

    assert page.events[0].properties["full_name"] == "ĐỨC"


@pytest.mark.parametrize(
    "cursor_item",
    [
        {"cursor": {"has_more": True, "next": "tok"}},
        {"has_more": True, "next": "tok"},
    ],
)
def test_events_body_finds_cursor_inside_data(cursor_item: dict[str, object]) -> None:
    payload = {"data": [VENDOR_EVENT, cursor_item]}

    page = parse_events_body(payload)

    assert len(page.events) == 1
    assert page.has_more is True
    assert page.next_cursor == "tok"


def test_events_body_prefers_cursor_beside_data() -> None:
    payload = {
        "data": [VENDOR_EVENT, {"cursor": {"has_more": True, "next": "inside"}}],
        "cursor": {"has_more": True, "next": "beside"},
    }

    page = parse_events_body(payload)

    assert page.next_cursor == "beside"


@pytest.mark.parametrize(
    ("cursor", "has_more", "next_cursor"),
    [
        (None, False, None),
        ({"has_more": False}, False, None),
        ({"has_more": False, "next": ""}, False, None),
        ({"has_more": True}, True, None),
        ({"has_more": True, "next": None}, True, None),
        ({"has_more": True, "next": ""}, True, None),
        ({"next": "tok"}, True, "tok"),
        ({}, False, None),
    ],
)
def test_events_body_reads_cursor_variants(
    cursor: dict[str, object] | None, has_more: bool, next_cursor: str | None
) -> None:
    payload: dict[str, object] = {"data": []}
    if cursor is not None:
        payload["cursor"] = cursor

    page = parse_events_body(payload)

    assert page.has_more is has_more
    assert page.next_cursor == next_cursor


def test_events_body_event_missing_fields_still_parses() -> None:
    page = parse_events_body({"data": [{"event_name": "PageViewed"}]})

    event = page.events[0]
    assert event.event_name == "PageViewed"
    assert event.id == ""
    assert event.profile_id == ""
    assert event.time_stamp is None
    assert event.sent_at is None
    assert event.raw_time_stamp == ""
    assert event.properties == {}


def test_events_body_skips_items_that_are_not_objects() -> None:
    payload = {"data": ["x", 3, None, [VENDOR_EVENT], VENDOR_EVENT]}

    page = parse_events_body(payload)

    assert len(page.events) == 1


def test_events_body_properties_not_object_become_empty() -> None:
    page = parse_events_body({"data": [{"id": "a.b.1", "properties": ["x"]}]})

    assert page.events[0].properties == {}


def test_events_body_unparsed_time_stamp_stays_text() -> None:
    page = parse_events_body({"data": [{"id": "a.b.1", "time_stamp": "last Tuesday"}]})

    event = page.events[0]
    assert event.time_stamp == "last Tuesday"
    assert event.raw_time_stamp == "last Tuesday"


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {},
        {"data": None},
        {"data": VENDOR_EVENT},
        {"data": "events"},
        {"data": [], "cursor": "tok"},
        {"data": [], "cursor": {"has_more": "yes"}},
        {"data": [], "cursor": {"has_more": 1}},
        {"data": [], "cursor": {"has_more": True, "next": 42}},
        {"data": [{"cursor": "tok"}]},
    ],
)
def test_events_body_rejects_wrong_shape(payload: object) -> None:
    with pytest.raises(MalformedBody):
        parse_events_body(payload)


# Event


def test_event_source_is_first_id_part() -> None:
    page = parse_events_body({"data": [VENDOR_EVENT]})

    assert page.events[0].source == "30ShineMSSQL"


def test_event_source_of_missing_id_is_empty() -> None:
    page = parse_events_body({"data": [{"event_name": "AppOpened"}]})

    assert page.events[0].source == ""


def test_event_identity_key_tells_shared_ids_apart() -> None:
    order = dict(VENDOR_EVENT, event_name="OrderCreated")

    booking_event, order_event = parse_events_body({"data": [VENDOR_EVENT, order]}).events

    assert booking_event.id == order_event.id
    assert booking_event.identity_key != order_event.identity_key


def test_event_identity_key_uses_raw_time_stamp() -> None:
    event = Event(
        id="a.b.1",
        profile_id="p1",
        event_name="AppOpened",
        time_stamp=None,
        sent_at=None,
        properties={},
        raw_time_stamp="2023:01:01T20:00:00Z",
    )

    assert event.identity_key == ("a.b.1", "AppOpened", "2023:01:01T20:00:00Z")


# parse_error_body


def test_error_body_reads_vendor_error() -> None:
    body = (
        b'{"error": {"code": "validation_error", '
        b'"message": "Invalid Identities {phone_numdber=[0123456789]}"}}'
    )

    vendor = parse_error_body(body)

    assert vendor.code == "validation_error"
    assert vendor.message == "Invalid Identities {phone_numdber=[0123456789]}"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><head><title>502 Bad Gateway</title></head></html>",
        b"[1, 2]",
        b'{"error": 5}',
        b'{"error": {"code": 7, "message": ["x"]}}',
        b'{"error": {"code": "", "message": "  "}}',
        b'{"error": {"code": "x"',
        b"[" * 100_000,
    ],
)
def test_error_body_tolerates_other_bodies(body: bytes) -> None:
    vendor = parse_error_body(body)

    assert vendor.code is None
    assert vendor.message is None


def test_error_body_reads_plain_text_error() -> None:
    vendor = parse_error_body(b'{"error": "Too many requests"}')

    assert vendor.code is None
    assert vendor.message == "Too many requests"


def test_error_body_reads_gateway_message() -> None:
    vendor = parse_error_body(b'{"message": "Forbidden"}')

    assert vendor.message == "Forbidden"


def test_error_body_shortens_long_message() -> None:
    body = b'{"error": {"code": "validation_error", "message": "' + b"x" * 5000 + b'"}}'

    vendor = parse_error_body(body)

    assert vendor.message is not None
    assert len(vendor.message) == 301
    assert vendor.message.endswith("…")


# parse_retry_after


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (None, None),
        ("", None),
        ("-5", None),
        ("soon", None),
        ("²", None),
    ],
)
def test_retry_after_reads_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_reads_http_date() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)

    seconds = parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", now=now)

    assert seconds == 30.0


def test_retry_after_past_http_date_is_zero() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)

    seconds = parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", now=now)

    assert seconds == 0.0
