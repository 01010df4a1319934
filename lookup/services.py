"""Customer lookups: what the views ask of PrimeData, without HTTP or templates.

Views call these functions; these call the PrimeData client. Every
``PrimeDataError`` the client raises reaches the caller unchanged, so a view
can pick the page and status for it.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone

from lookup import prefetch
from lookup.identities import IdentityQuery
from lookup.primedata import Event, EventPage, PrimeDataError, Profile
from lookup.shared_cache import answer_key, fetch_shared, store_shared
from lookup.upstream import get_client

logger = logging.getLogger(__name__)

Sort = Literal["asc", "desc"]

# How many recent cursors a timeline remembers to spot an upstream that hands
# back a token it already gave, which would otherwise page forever.
CURSOR_TRAIL_LENGTH = 10


@dataclass(frozen=True, slots=True)
class ProfileSearch:
    """The profiles PrimeData returned for one identity query."""

    query: IdentityQuery
    profiles: list[Profile]

    def matched_value(self, profile: Profile) -> str | None:
        """Return the spelling of the searched value that this profile holds."""
        if self.query.is_profile_id:
            return profile.profile_id
        stored = set(profile.identities.get(self.query.name, []))
        return next((spelling for spelling in self.query.spellings if spelling in stored), None)


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    """The filters and order of a timeline; changing any of them restarts paging."""

    sort: Sort = "desc"
    include: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None

    @property
    def is_filtered(self) -> bool:
        """Whether the query narrows the events; the order alone does not."""
        return bool(self.include or self.start or self.end)


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """One page of a timeline, cleaned of repeats, with what the next page needs."""

    events: list[Event]
    next_cursor: str | None
    seen: tuple[str, ...]
    cursor_trail: tuple[str, ...]
    # Why paging stopped although PrimeData reported more events:
    # "missing-cursor" (no token) or "repeated-cursor" (a token already used).
    stopped: str | None = None
    dropped_repeats: int = field(default=0)

    @property
    def is_last(self) -> bool:
        return self.next_cursor is None


def profile_search(query: IdentityQuery, *, request_id: str) -> ProfileSearch:
    """Find the profiles holding ``query``: one normally, several for a shared identity.

    When exactly one profile matches, it is also cached as that profile's
    own response and its first timeline page is requested at once, so the
    profile page the agent is sent to next needs no upstream call of its own.
    """
    if query.is_profile_id:
        return ProfileSearch(query=query, profiles=_profiles_by_id(query.value, request_id=request_id))

    identities = {query.name: list(query.spellings)}
    key = answer_key("profiles", {"identities": identities})
    profiles = fetch_shared(
        key, lambda: get_client().search_profiles(identities=identities, request_id=request_id)
    )
    if len(profiles) == 1:
        profile_id = profiles[0].profile_id
        store_shared(_profile_key(profile_id), profiles)
        timeline_prefetch(profile_id, request_id=request_id)
    return ProfileSearch(query=query, profiles=profiles)


def profile_get(profile_id: str, *, request_id: str) -> Profile:
    """Return the profile with ``profile_id``, asking for its first timeline page alongside."""
    return _profiles_by_id(profile_id, request_id=request_id)[0]


def _profiles_by_id(profile_id: str, *, request_id: str) -> list[Profile]:
    timeline_prefetch(profile_id, request_id=request_id)
    return fetch_shared(
        _profile_key(profile_id),
        lambda: get_client().search_profiles(profile_id=profile_id, request_id=request_id),
    )


def timeline_prefetch(profile_id: str, *, request_id: str) -> None:
    """Start fetching the first timeline page (default filters) in the background.

    The page's htmx request then finds the response cached, or waits for this
    fetch through the single-flight lock, so the timeline appears about when
    the slower of the profile and the events responses arrives, not after both in turn.
    """
    if settings.LOOKUP_PREFETCH_TIMELINE:
        prefetch.submit(_first_page_prefetch, profile_id, request_id)


def _first_page_prefetch(profile_id: str, request_id: str) -> None:
    try:
        _event_page(profile_id, TimelineQuery(), cursor=None, request_id=request_id)
    except PrimeDataError as error:
        # The htmx request then calls PrimeData itself and shows the failure to the agent.
        logger.info("Timeline prefetch failed: %s", type(error).__name__)


def _profile_key(profile_id: str) -> str:
    return answer_key("profiles", {"profile_id": profile_id})


def _event_page(profile_id: str, query: "TimelineQuery", *, cursor: str | None, request_id: str) -> EventPage:
    """Return one raw page of events, from the shared cache when another agent fetched it."""
    limit = settings.PRIMEDATA_TIMELINE_PAGE_SIZE
    parameters = {
        "profile_id": profile_id,
        "sort": query.sort,
        "include": sorted(query.include),
        "start": query.start.isoformat() if query.start else None,
        "end": query.end.isoformat() if query.end else None,
        "limit": limit,
        "cursor": cursor,
    }
    return fetch_shared(
        answer_key("events", parameters),
        lambda: get_client().search_events(
            profile_id=profile_id,
            sort=query.sort,
            include=list(query.include) or None,
            start=query.start,
            end=query.end,
            limit=limit,
            cursor=cursor,
            request_id=request_id,
        ),
    )


def timeline_page(
    profile_id: str,
    query: TimelineQuery,
    *,
    cursor: str | None,
    seen: frozenset[str] = frozenset(),
    cursor_trail: tuple[str, ...] = (),
    request_id: str,
) -> TimelinePage:
    """Fetch one page of a profile's events, dropping repeats of the previous page.

    ``seen`` contains the ``event_digest`` values of the previous page; PrimeData may
    repeat its last events when new ones arrive while the agent pages.
    """
    page = _event_page(profile_id, query, cursor=cursor, request_id=request_id)

    events: list[Event] = []
    digests: list[str] = []
    for event in page.events:
        digest = event_digest(event)
        if digest in seen or digest in digests:
            continue
        events.append(event)
        digests.append(digest)

    trail = (*cursor_trail, cursor_digest(cursor))[-CURSOR_TRAIL_LENGTH:] if cursor else cursor_trail
    next_cursor = page.next_cursor if page.has_more else None
    stopped = None
    if page.has_more and not next_cursor:
        stopped = "missing-cursor"
    elif next_cursor and (next_cursor == cursor or cursor_digest(next_cursor) in trail):
        stopped = "repeated-cursor"
        next_cursor = None

    return TimelinePage(
        events=events,
        next_cursor=next_cursor,
        seen=tuple(digests),
        cursor_trail=trail,
        stopped=stopped,
        dropped_repeats=len(page.events) - len(events),
    )


def event_digest(event: Event) -> str:
    """Return a short digest of what makes two records the same event.

    PrimeData's own example gives one id to two different events, so the id
    alone is not unique: the id, the event name and the raw time stamp are.
    """
    return _digest("\x1f".join(event.identity_key))


def cursor_digest(cursor: str) -> str:
    return _digest(cursor)


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=5).hexdigest()


# The day key of an event whose time stamp did not parse: such events gather
# under one "unknown date" header instead of breaking the grouping.
UNKNOWN_DAY = "unknown"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event as the timeline shows it: its day, kind and one-line summary."""

    event: Event
    day: str
    starts_day: bool
    kind: str
    summary: list[tuple[str, Any]]


def timeline_entries(events: list[Event], *, previous_day: str = "") -> list[TimelineEntry]:
    """Group a page's events by local day, given the day the previous page ended on.

    ``previous_day`` comes from the next-page URL, so a page that continues
    the previous page's day adds no second header for it.
    """
    entries = []
    current = previous_day
    for event in events:
        day = event_day(event)
        display = settings.LOOKUP_EVENT_DISPLAY.get(event.event_name, {})
        entries.append(
            TimelineEntry(
                event=event,
                day=day,
                starts_day=day != current,
                kind=display.get("kind", "other"),
                summary=event_summary(event, display.get("summary", ())),
            )
        )
        current = day
    return entries


def event_day(event: Event) -> str:
    """Return the event's calendar day in Asia/Ho_Chi_Minh as ISO text, or UNKNOWN_DAY."""
    if isinstance(event.time_stamp, datetime):
        return timezone.localdate(event.time_stamp).isoformat()
    return UNKNOWN_DAY


def event_summary(event: Event, keys: tuple[str, ...] | list[str]) -> list[tuple[str, Any]]:
    """Return the configured summary properties that the event carries, in configured order."""
    return [(key, event.properties[key]) for key in keys if key in event.properties]
