"""Typed results of the PrimeData Profile API client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["Attempt", "Event", "EventPage", "Profile"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """One customer profile as PrimeData returns it.

    `last_updated` is an aware datetime when the text parses as a date-time,
    otherwise the raw text (a bare date stays text because it is no instant).
    `sections` names which of "trait", "ptrait" and "identity" the response
    contained, so a caller can tell an empty section from one not requested.
    """

    profile_id: str
    last_updated: datetime | str | None
    identities: dict[str, list[str]]
    traits: dict[str, Any]
    p_traits: dict[str, Any]
    sections: frozenset[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One event of a profile's timeline.

    `time_stamp` and `sent_at` are aware datetimes when they parse, otherwise
    the raw text. `raw_time_stamp` keeps the text exactly as received ("" when
    missing) because deduplication compares the vendor's text, not a parse.
    """

    id: str
    profile_id: str
    event_name: str
    time_stamp: datetime | str | None
    sent_at: datetime | str | None
    properties: dict[str, Any]
    raw_time_stamp: str

    @property
    def source(self) -> str:
        """Source system that sent the event: the first dot-separated part of `id`."""
        return self.id.split(".", 1)[0]

    @property
    def identity_key(self) -> tuple[str, str, str]:
        """Key under which two records are the same event.

        The vendor gives one `id` to different events, so `id` alone is not
        unique. `event_name` and the raw `time_stamp` complete the key.
        """
        return (self.id, self.event_name, self.raw_time_stamp)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventPage:
    """One page of events and the cursor to the next page.

    `has_more` may be True while `next_cursor` is None when PrimeData reports
    more events but sends no token. The caller must stop paging then.
    """

    events: list[Event]
    has_more: bool
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """Report of one HTTP attempt, passed to the client's `on_attempt` callback.

    `status` is None when no response arrived (connection error or timeout).
    `elapsed` is in seconds and covers this attempt only.
    """

    endpoint: str
    attempt: int
    status: int | None
    elapsed: float
    request_id: str | None
