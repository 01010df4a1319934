"""Tests of lookup.primedata.payloads: the JSON bodies of the search requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from lookup.primedata.payloads import build_events_body, build_profiles_body, format_bound

PROFILE_ID = "2Q5OFD0h3NdANoqIJhHzTnto3ay"


def events_body(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "profile_id": PROFILE_ID,
        "identities": None,
        "start": None,
        "end": None,
        "include": None,
        "sort": "desc",
        "limit": 25,
        "cursor": None,
    }
    arguments.update(overrides)
    return build_events_body(**arguments)


def profiles_body(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "profile_id": PROFILE_ID,
        "identities": None,
        "types": None,
        "include": None,
    }
    arguments.update(overrides)
    return build_profiles_body(**arguments)


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        (date(2023, 5, 21), "2023-05-21T00:00:00+07:00"),
        (datetime(2023, 5, 21, 11, 48, 23), "2023-05-21T11:48:23+07:00"),
        (datetime(2023, 5, 21, 4, 48, 23, tzinfo=UTC), "2023-05-21T04:48:23+00:00"),
        (
            datetime(2023, 5, 21, 9, 0, tzinfo=timezone(timedelta(hours=-5))),
            "2023-05-21T09:00:00-05:00",
        ),
        (datetime(2023, 5, 21, 0, 0, 0, 250000), "2023-05-21T00:00:00.250000+07:00"),
    ],
)
def test_format_bound_sends_offset(bound: date, expected: str) -> None:
    assert format_bound(bound) == expected


def test_format_bound_rejects_text() -> None:
    with pytest.raises(TypeError):
        format_bound("2023-05-21")  # type: ignore[arg-type]


def test_profiles_body_by_profile_id() -> None:
    body = profiles_body()

    assert body == {"profile_id": PROFILE_ID}


def test_profiles_body_by_identities() -> None:
    identities = {"phone_number": ("0912345678", "84912345678"), "email": ["an@example.com"]}

    body = profiles_body(profile_id=None, identities=identities)

    assert body == {
        "identities": {
            "phone_number": ["0912345678", "84912345678"],
            "email": ["an@example.com"],
        }
    }


def test_profiles_body_drops_empty_identity_values() -> None:
    identities = {"phone_number": ["0912345678", ""], "email": []}

    body = profiles_body(profile_id=None, identities=identities)

    assert body == {"identities": {"phone_number": ["0912345678"]}}


def test_profiles_body_sends_types_and_include() -> None:
    body = profiles_body(types=("trait", "ptrait"), include=["full_name", "ltv"])

    assert body["type"] == ["trait", "ptrait"]
    assert body["include"] == ["full_name", "ltv"]


def test_events_body_always_sends_sort_and_limit() -> None:
    body = events_body()

    assert body == {"profile_id": PROFILE_ID, "sort": "desc", "limit": 25}


def test_events_body_sends_every_filter() -> None:
    body = events_body(
        start=date(2023, 5, 1),
        end=datetime(2023, 5, 21, 12, 0),
        include=["BookingCompleted"],
        sort="asc",
        limit=100,
        cursor="MTUxMzc1",
    )

    assert body == {
        "profile_id": PROFILE_ID,
        "start": "2023-05-01T00:00:00+07:00",
        "end": "2023-05-21T12:00:00+07:00",
        "include": ["BookingCompleted"],
        "sort": "asc",
        "limit": 100,
        "cursor": "MTUxMzc1",
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"profile_id": None},
        {"identities": {"phone_number": ["0912345678"]}},
        {"profile_id": ""},
        {"profile_id": "   "},
        {"profile_id": None, "identities": {}},
        {"profile_id": None, "identities": {"phone_number": [""]}},
        {"profile_id": None, "identities": {"": ["0912345678"]}},
        {"types": ["trait", "traits"]},
    ],
)
def test_profiles_body_rejects_bad_arguments(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        profiles_body(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"types": "trait"},
        {"include": "full_name"},
        {"include": ["full_name", 3]},
        {"profile_id": None, "identities": {"phone_number": "0912345678"}},
        {"profile_id": None, "identities": {"phone_number": [912345678]}},
    ],
)
def test_profiles_body_rejects_wrong_types(overrides: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        profiles_body(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"sort": "newest"},
        {"sort": None},
        {"limit": 0},
        {"limit": 101},
        {"limit": -1},
        {"cursor": ""},
        {"profile_id": None},
    ],
)
def test_events_body_rejects_bad_arguments(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        events_body(**overrides)


@pytest.mark.parametrize("limit", [True, 25.0, "25"])
def test_events_body_rejects_non_int_limit(limit: object) -> None:
    with pytest.raises(TypeError):
        events_body(limit=limit)


def test_events_body_error_hides_identity_values() -> None:
    identities = {"phone_number": [912345678]}

    with pytest.raises(TypeError) as raised:
        events_body(profile_id=None, identities=identities)

    assert "912345678" not in str(raised.value)
