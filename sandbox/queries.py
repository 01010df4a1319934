"""Validation of request bodies for the two Profile API endpoints.

Each check raises InvalidRequest with the vendor's error code and a message
that names the offending value, as PrimeData does.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.data import EVENT_NAMES, IDENTITY_NAMES
from sandbox.timestamps import parse_instant

PROFILE_TYPES = ("trait", "ptrait", "identity")
SORT_ORDERS = ("asc", "desc")
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class InvalidRequest(Exception):
    """A request the API rejects with 400; ``code`` is the vendor's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ProfileQuery:
    profile_id: str | None
    identities: dict[str, list[str]] | None
    types: frozenset[str]
    include: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class EventQuery:
    profile_id: str | None
    identities: dict[str, list[str]] | None
    include: frozenset[str] | None
    start: datetime | None
    end: datetime | None
    sort: str | None
    limit: int
    cursor: str | None


def parse_body(raw: bytes) -> dict[str, Any]:
    """Decode a JSON object body; raises InvalidRequest for anything else."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidRequest("validation_error", "Malformed JSON body: it is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise InvalidRequest("validation_error", f"Malformed JSON body: {error}") from None
    if not isinstance(body, dict):
        raise InvalidRequest("validation_error", "Malformed JSON body: expected a JSON object")
    return body


def read_profile_query(body: dict[str, Any]) -> ProfileQuery:
    profile_id, identities = _read_target(body)
    types = body.get("type")
    if types is None or types == []:
        types = list(PROFILE_TYPES)
    if not isinstance(types, list) or not all(isinstance(item, str) for item in types):
        raise InvalidRequest("validation_error", f"Invalid type {_show(types)}: expected a list of strings")
    unknown = [item for item in types if item not in PROFILE_TYPES]
    if unknown:
        raise InvalidRequest(
            "validation_error",
            f"Invalid type {_show(unknown)}: each value must be one of trait, ptrait, identity",
        )
    return ProfileQuery(profile_id, identities, frozenset(types), _read_include(body))


def read_event_query(body: dict[str, Any]) -> EventQuery:
    profile_id, identities = _read_target(body)

    include = _read_include(body)
    if include is not None:
        unknown = sorted(include - set(EVENT_NAMES))
        if unknown:
            raise InvalidRequest(
                "validation_error",
                f"Invalid include {_show(unknown)}: unknown event names; known are {', '.join(EVENT_NAMES)}",
            )

    sort = body.get("sort")
    if sort is not None and sort not in SORT_ORDERS:
        raise InvalidRequest("validation_error", f"Invalid sort {_show(sort)}: must be asc or desc")

    limit = body.get("limit", DEFAULT_LIMIT)
    # bool is a subclass of int in Python, but true is not a page size.
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(
            "validation_error", f"Invalid limit {_show(limit)}: must be an integer from 1 to {MAX_LIMIT}"
        )

    cursor = body.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise InvalidRequest("invalid_request_error", f"Invalid cursor {_show(cursor)}: expected a string")

    return EventQuery(
        profile_id=profile_id,
        identities=identities,
        include=include,
        start=_read_instant(body, "start"),
        end=_read_instant(body, "end"),
        sort=sort,
        limit=limit,
        cursor=cursor or None,
    )


def _read_target(body: dict[str, Any]) -> tuple[str | None, dict[str, list[str]] | None]:
    """Return the profile_id, or else the identities, that a request addresses."""
    profile_id = body.get("profile_id")
    if profile_id is not None and profile_id != "":
        if not isinstance(profile_id, str):
            raise InvalidRequest("validation_error", f"Invalid profile_id {_show(profile_id)}: expected a string")
        # The vendor queries by profile_id when both are present. The
        # identities are then ignored, so they are not validated either.
        return profile_id, None

    identities = body.get("identities")
    if not identities:
        raise InvalidRequest("validation_error", "Missing identities or profile_id: the request needs one of them")
    if not isinstance(identities, dict):
        raise InvalidRequest(
            "validation_error", f"Invalid identities {_show(identities)}: expected an object of lists"
        )
    unknown = {name: values for name, values in identities.items() if name not in IDENTITY_NAMES}
    if unknown:
        # The vendor prints the map the way Java does: {name=[value, value]}.
        unknown_text = ", ".join(f"{name}={_java_list(values)}" for name, values in unknown.items())
        raise InvalidRequest("validation_error", f"Invalid Identities {{{unknown_text}}}")
    for name, values in identities.items():
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise InvalidRequest(
                "validation_error", f"Invalid identities: {name} must be a list of strings, got {_show(values)}"
            )
    return None, identities


def _read_include(body: dict[str, Any]) -> frozenset[str] | None:
    include = body.get("include")
    if include is None or include == []:
        return None
    if not isinstance(include, list) or not all(isinstance(item, str) for item in include):
        raise InvalidRequest("validation_error", f"Invalid include {_show(include)}: expected a list of strings")
    return frozenset(include)


def _read_instant(body: dict[str, Any], field: str) -> datetime | None:
    value = body.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            pass
    raise InvalidRequest(
        "validation_error",
        f"Invalid {field} {_show(value)}: expected an ISO 8601 date (2006-01-02) or date-time",
    )


def _java_list(values: Any) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(str(value) for value in values) + "]"
    return str(values)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
