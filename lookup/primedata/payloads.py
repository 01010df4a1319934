"""JSON bodies of the two PrimeData search requests.

The builders check the arguments a caller controls and raise ValueError (or
TypeError for a wrong type) before anything is sent, because such a mistake
is a programming error that a retry or the vendor's 400 would only obscure.
Messages name the argument but never repeat identity values, which are
personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from .parsing import LOCAL_TZ

__all__ = [
    "MAX_LIMIT",
    "PROFILE_TYPES",
    "SORT_ORDERS",
    "build_events_body",
    "build_profiles_body",
    "format_bound",
]

PROFILE_TYPES = ("trait", "ptrait", "identity")
SORT_ORDERS = ("asc", "desc")
MAX_LIMIT = 100


def build_profiles_body(
    *,
    profile_id: str | None,
    identities: Mapping[str, Sequence[str]] | None,
    types: Sequence[str] | None,
    include: Sequence[str] | None,
) -> dict[str, Any]:
    """Build the body of `POST /pub/profiles/advanced-search`."""
    body = _profile_address(profile_id=profile_id, identities=identities)
    if types is not None:
        type_list = _string_list(types, "types")
        unknown = sorted(set(type_list) - set(PROFILE_TYPES))
        if unknown:
            raise ValueError(
                f"invalid types {unknown!r}: each type must be one of {PROFILE_TYPES!r}"
            )
        body["type"] = type_list
    if include is not None:
        body["include"] = _string_list(include, "include")
    return body


def build_events_body(
    *,
    profile_id: str | None,
    identities: Mapping[str, Sequence[str]] | None,
    start: datetime | date | None,
    end: datetime | date | None,
    include: Sequence[str] | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """Build the body of `POST /pub/events/advanced-search`.

    `sort` is always sent because PrimeData returns events in no defined
    order without it.
    """
    if sort not in SORT_ORDERS:
        raise ValueError(f"sort must be 'asc' or 'desc', got {sort!r}")
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, got {type(limit).__name__}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")

    body = _profile_address(profile_id=profile_id, identities=identities)
    if start is not None:
        body["start"] = format_bound(start)
    if end is not None:
        body["end"] = format_bound(end)
    if include is not None:
        body["include"] = _string_list(include, "include")
    body["sort"] = sort
    body["limit"] = limit
    if cursor is not None:
        if not isinstance(cursor, str) or not cursor:
            raise ValueError("cursor must be a non-empty string or None")
        body["cursor"] = cursor
    return body


def format_bound(value: datetime | date) -> str:
    """Format an event time bound as ISO 8601 with an offset.

    A bare date means midnight in Asia/Ho_Chi_Minh, and a naive datetime is
    read in that zone too, because the vendor leaves the zone of dates
    unstated and the agents work in Vietnamese time.
    """
    # datetime is a subclass of date, so it must be checked first.
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=LOCAL_TZ)
        return value.isoformat()
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=LOCAL_TZ).isoformat()
    raise TypeError(f"a time bound must be a date or a datetime, got {type(value).__name__}")


def _profile_address(
    *, profile_id: str | None, identities: Mapping[str, Sequence[str]] | None
) -> dict[str, Any]:
    if (profile_id is None) == (identities is None):
        raise ValueError("pass exactly one of profile_id and identities")
    if profile_id is not None:
        if not isinstance(profile_id, str) or not profile_id.strip():
            raise ValueError("profile_id must be a non-empty string")
        return {"profile_id": profile_id}
    assert identities is not None
    return {"identities": _identity_lists(identities)}


def _identity_lists(identities: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Copy identities as lists of non-empty strings, dropping names without values.

    Numbers are rejected because a phone number sent as a number loses its
    leading zero.
    """
    lists: dict[str, list[str]] = {}
    for name, values in identities.items():
        if not isinstance(name, str) or not name:
            raise ValueError("each identity name must be a non-empty string")
        texts = [value for value in _string_list(values, f"identity {name!r}") if value]
        if texts:
            lists[name] = texts
    if not lists:
        raise ValueError("identities must contain at least one non-empty value")
    return lists


def _string_list(values: Sequence[str], argument: str) -> list[str]:
    # A lone string is a Sequence[str] too, and list("trait") would send its
    # letters, so it is rejected instead.
    if isinstance(values, str):
        raise TypeError(f"{argument} must be a list of strings, not a single string")
    items = list(values)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{argument} must contain only strings, got a {type(item).__name__}")
    return items
