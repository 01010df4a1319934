"""Tolerant parsing of PrimeData timestamps and response bodies.

The vendor's documentation and data disagree with themselves in small ways:
dates with colons (`2023:01:01T20:00:00Z`), naive local times, a cursor
placed inside the `data` array, `data` as an object or a list. The functions
here accept those variants and raise `MalformedBody` for anything that does
not carry the documented data, so that a broken upstream never looks like an
empty result.
"""

from __future__ import annotations

import email.utils
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .results import Event, EventPage, Profile

__all__ = [
    "LOCAL_TZ",
    "MalformedBody",
    "VendorError",
    "decode_json",
    "parse_error_body",
    "parse_events_body",
    "parse_instant",
    "parse_profiles_body",
    "parse_retry_after",
    "parse_timestamp",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Maximum length kept of a vendor's error code or message. Gateways may send
# whole HTML pages, which do not belong in an exception or a log line.
_MAX_VENDOR_TEXT = 300

# A date, optionally followed by a time and a zone. The date separator is
# either "-" (ISO 8601) or ":" (the vendor's colon-dated form), used twice.
# The pattern is strict on purpose: datetime.fromisoformat alone would also
# read values such as "20230101" or "2023-W01", which are more likely order
# numbers or week labels in free-form properties than timestamps.
_TIMESTAMP_PATTERN = re.compile(
    r"""
    (?P<year>\d{4})(?P<separator>[-:])(?P<month>\d{2})(?P=separator)(?P<day>\d{2})
    (?:
        [Tt\ ]
        (?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)
        (?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    )?
    """,
    re.VERBOSE,
)


_SECONDS_PATTERN = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class MalformedBody(ValueError):
    """A response body that is not JSON or lacks the documented shape."""


def parse_timestamp(text: str | None) -> datetime | date | str | None:
    """Parse a PrimeData timestamp into an aware datetime or a date.

    Accepted forms: ISO 8601 date-times with `Z`, with an offset or naive,
    with or without fractional seconds, and the same with the date written
    `2023:01:01`. A naive date-time is read as Asia/Ho_Chi_Minh time. A bare
    date returns a `date`. Any other text returns unchanged, and None or ""
    returns None.
    """
    if not text:
        return None

    match = _TIMESTAMP_PATTERN.fullmatch(text.strip())
    if match is None:
        return text

    day = f"{match['year']}-{match['month']}-{match['day']}"
    try:
        if match["time"] is None:
            return date.fromisoformat(day)
        zone = (match["zone"] or "").upper()
        # fromisoformat reads at most six fractional digits, so the nanoseconds
        # of a Java timestamp are cut to microseconds first.
        clock = re.sub(r"([.,]\d{6})\d+", r"\1", match["time"])
        parsed = datetime.fromisoformat(f"{day}T{clock}{zone}")
    except ValueError:
        # The text has the right layout but an impossible value, such as
        # month 13.
        return text

    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=LOCAL_TZ)
    return parsed


def parse_instant(value: Any) -> datetime | str | None:
    """Parse a result field that should hold a date-time.

    Returns an aware datetime when the value parses as one. A bare date or
    unreadable text comes back as the original text, and a missing or empty
    value as None. A value that is not text (a number) comes back as text.
    """
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else str(value)
    parsed = parse_timestamp(text)
    if isinstance(parsed, datetime):
        return parsed
    return text


def decode_json(body: bytes) -> Any:
    """Decode a response body as JSON, raising MalformedBody when it is not.

    The body may be UTF-8 with or without a byte order mark. `\\u` escapes
    decode as usual.
    """
    if not body.strip():
        raise MalformedBody("the body is empty")
    try:
        return json.loads(body)
    except UnicodeDecodeError as error:
        raise MalformedBody(f"the body is not valid UTF-8 ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise MalformedBody(
            f"the body is not valid JSON ({error.msg} at character {error.pos})"
        ) from error
    except RecursionError as error:
        raise MalformedBody("the body nests JSON too deeply to decode") from error


def parse_profiles_body(payload: Any) -> list[Profile]:
    """Read the profiles of a decoded `/pub/profiles/advanced-search` body.

    `data` is documented as one object. A list (several profiles sharing an
    identity) is accepted too, and its items that are not objects are skipped.
    Raises MalformedBody when `data` is missing or a profile lacks its id.
    """
    data = _require_data(payload)
    if isinstance(data, dict):
        return [_parse_profile(data)]
    if isinstance(data, list):
        return [_parse_profile(item) for item in data if isinstance(item, dict)]
    raise MalformedBody(f"`data` is {_json_type(data)}, expected an object or a list")


def parse_events_body(payload: Any) -> EventPage:
    """Read one page of events from a decoded `/pub/events/advanced-search` body.

    The `cursor` object may sit beside `data` or inside the `data` list, where
    it appears as `{"cursor": {...}}` or as the bare `{"has_more": ...}`
    object. Items of `data` that are not objects are skipped. Raises
    MalformedBody when `data` is not a list or the cursor has the wrong types.
    """
    data = _require_data(payload)
    if not isinstance(data, list):
        raise MalformedBody(f"`data` is {_json_type(data)}, expected a list of events")

    cursor: Any = payload.get("cursor")
    events: list[Event] = []
    for item in data:
        if not isinstance(item, dict):
            continue
        if _is_cursor_item(item):
            if cursor is None:
                cursor = item.get("cursor", item)
            continue
        events.append(_parse_event(item))

    has_more, next_cursor = _parse_cursor(cursor)
    return EventPage(events=events, has_more=has_more, next_cursor=next_cursor)


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorError:
    """The vendor's error code and message from an error body, each or both None."""

    code: str | None
    message: str | None


def parse_error_body(body: bytes) -> VendorError:
    """Read `{"error": {"code": ..., "message": ...}}` from an error response.

    Never raises: a gateway's HTML page, an empty body or any other shape
    gives None for the missing parts. A top-level `message` (as some gateways
    send) or an `error` that is plain text is used as the message.
    """
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return VendorError(code=None, message=None)
    if not isinstance(payload, dict):
        return VendorError(code=None, message=None)

    error = payload.get("error")
    if isinstance(error, dict):
        return VendorError(
            code=_vendor_text(error.get("code")),
            message=_vendor_text(error.get("message")),
        )
    if isinstance(error, str):
        return VendorError(code=None, message=_vendor_text(error))
    return VendorError(code=None, message=_vendor_text(payload.get("message")))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Convert a Retry-After header to seconds from now.

    Both forms of RFC 9110 are read: a number of seconds and an HTTP-date. A
    date in the past gives 0.0. An unreadable value gives None, as if the
    header were absent.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None

    if _SECONDS_PATTERN.fullmatch(value):
        return float(value)

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT. parsedate_to_datetime returns a naive
        # value only for the obsolete "-0000" zone, which also means UTC.
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def _require_data(payload: Any) -> Any:
    if not isinstance(payload, dict):
        raise MalformedBody(f"the body is {_json_type(payload)}, expected an object")
    if "data" not in payload:
        raise MalformedBody("the body has no `data` field")
    return payload["data"]


def _parse_profile(item: dict[str, Any]) -> Profile:
    profile_id = item.get("profile_id")
    if not isinstance(profile_id, str) or not profile_id:
        raise MalformedBody("a profile has no `profile_id`")

    sections: set[str] = set()
    identities: dict[str, list[str]] = {}
    if "identity" in item:
        sections.add("identity")
        identities = _parse_identities(item["identity"])
    traits: dict[str, Any] = {}
    if "trait" in item:
        sections.add("trait")
        traits = _require_object(item["trait"], "trait")
    p_traits: dict[str, Any] = {}
    # The request names this section "ptrait", but the response key is "p_trait".
    if "p_trait" in item:
        sections.add("ptrait")
        p_traits = _require_object(item["p_trait"], "p_trait")

    return Profile(
        profile_id=profile_id,
        last_updated=parse_instant(item.get("last_updated")),
        identities=identities,
        traits=traits,
        p_traits=p_traits,
        sections=frozenset(sections),
    )


def _parse_identities(section: Any) -> dict[str, list[str]]:
    identities: dict[str, list[str]] = {}
    for name, values in _require_object(section, "identity").items():
        if not isinstance(values, list):
            # A single value where a list is documented is kept rather than lost.
            values = [] if values is None else [values]
        texts = (_as_text(value) for value in values)
        identities[name] = [text for text in texts if text]
    return identities


def _require_object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedBody(f"`{name}` is {_json_type(value)}, expected an object")
    return value


def _is_cursor_item(item: dict[str, Any]) -> bool:
    if "id" in item or "event_name" in item:
        return False
    return "cursor" in item or "has_more" in item


def _parse_event(item: dict[str, Any]) -> Event:
    raw_time_stamp = item.get("time_stamp")
    properties = item.get("properties")
    return Event(
        id=_as_text(item.get("id")),
        profile_id=_as_text(item.get("profile_id")),
        event_name=_as_text(item.get("event_name")),
        time_stamp=parse_instant(raw_time_stamp),
        sent_at=parse_instant(item.get("sent_at")),
        # Properties are free-form per event name. Anything but an object is
        # outside the contract and is dropped rather than failing the page.
        properties=properties if isinstance(properties, dict) else {},
        raw_time_stamp=_as_text(raw_time_stamp),
    )


def _parse_cursor(cursor: Any) -> tuple[bool, str | None]:
    if cursor is None:
        return False, None
    if not isinstance(cursor, dict):
        raise MalformedBody(f"`cursor` is {_json_type(cursor)}, expected an object")

    token = cursor.get("next")
    if token is not None and not isinstance(token, str):
        raise MalformedBody(f"`cursor.next` is {_json_type(token)}, expected a string")
    next_cursor = token or None

    has_more = cursor.get("has_more")
    if has_more is None:
        # Without the flag, a token is the only sign of another page.
        return next_cursor is not None, next_cursor
    if not isinstance(has_more, bool):
        raise MalformedBody(
            f"`cursor.has_more` is {_json_type(has_more)}, expected a boolean"
        )
    return has_more, next_cursor


def _as_text(value: Any) -> str:
    """Return a string field as is, a number as its text, anything else as ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _vendor_text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if len(value) > _MAX_VENDOR_TEXT:
        return value[:_MAX_VENDOR_TEXT] + "…"
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
