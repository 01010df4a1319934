"""Results of validated profile and event searches, paging included."""

from datetime import UTC, datetime
from typing import Any

from sandbox.cursors import CursorCodec, CursorPosition, CursorRejected, filters_fingerprint
from sandbox.data import EventHistory, StoredEvent, StoredProfile, Tenant
from sandbox.fixtures import CURSOR_IN_DATA, DUPLICATE_BOUNDARY, MISSING_NEXT, REPEATED_CURSOR
from sandbox.queries import EventQuery, InvalidRequest, ProfileQuery

# Request type names mapped to the response keys of their sections, in
# the order the vendor's example prints them.
_SECTIONS = (("identity", "identity"), ("trait", "trait"), ("ptrait", "p_trait"))


class ProfileNotFound(LookupError):
    """No profile has the profile_id or any of the identities sent."""


def search_profiles(tenant: Tenant, query: ProfileQuery) -> dict[str, Any]:
    """Return the response payload of a profile search.

    ``data`` is one profile, or a list when several profiles share an identity.
    """
    profiles = _resolve(tenant, query.profile_id, query.identities)
    rendered = [_render_profile(profile, query) for profile in profiles]
    return {"data": rendered[0] if len(rendered) == 1 else rendered}


def search_events(
    tenant: Tenant, cursors: CursorCodec, query: EventQuery, *, repeat_boundary: bool = False
) -> dict[str, Any]:
    """Return the response payload of one page of a profile's events.

    With ``repeat_boundary`` a page requested with a cursor starts with the
    previous page's last event, as the ``duplicate-boundary`` quirk does.
    """
    profiles = _resolve(tenant, query.profile_id, query.identities)
    if len(profiles) > 1:
        ids = ", ".join(profile.profile_id for profile in profiles)
        raise InvalidRequest(
            "invalid_request_error",
            f"Identities match {len(profiles)} profiles ({ids}): query events by profile_id",
        )
    profile = profiles[0]
    fingerprint = filters_fingerprint(
        query.include, _canonical(query.start), _canonical(query.end), query.sort, query.limit
    )

    offset = 0
    if query.cursor is not None:
        try:
            position = cursors.read(query.cursor)
        except CursorRejected as error:
            raise InvalidRequest("invalid_request_error", str(error)) from None
        if position.profile_id != profile.profile_id or position.fingerprint != fingerprint:
            raise InvalidRequest(
                "invalid_request_error",
                "Cursor does not match this request: send the profile, filters, sort and limit "
                "that produced it, or drop the cursor to start again",
            )
        offset = position.offset

    events = _select(tenant.history(profile), query)
    quirk = profile.paging_quirk
    # A limit of 1 would make no progress if the boundary event repeated.
    if offset > 0 and query.limit > 1 and (repeat_boundary or quirk == DUPLICATE_BOUNDARY):
        offset -= 1
    page = events[offset : offset + query.limit]
    next_offset = offset + len(page)

    cursor: dict[str, Any] = {"has_more": next_offset < len(events)}
    if cursor["has_more"]:
        if quirk == REPEATED_CURSOR and query.cursor is not None:
            cursor["next"] = query.cursor
        elif quirk != MISSING_NEXT:
            cursor["next"] = cursors.issue(CursorPosition(profile.profile_id, fingerprint, next_offset))

    data: list[dict[str, Any]] = [event.body for event in page]
    if quirk == CURSOR_IN_DATA:
        return {"data": [*data, {"cursor": cursor}]}
    return {"data": data, "cursor": cursor}


def _resolve(
    tenant: Tenant, profile_id: str | None, identities: dict[str, list[str]] | None
) -> list[StoredProfile]:
    if profile_id is not None:
        profile = tenant.profile(profile_id)
        if profile is None:
            raise ProfileNotFound(f"No profile with profile_id {profile_id}")
        return [profile]
    profiles = tenant.find(identities or {})
    if not profiles:
        raise ProfileNotFound("No profile matches the identities sent")
    return profiles


def _render_profile(profile: StoredProfile, query: ProfileQuery) -> dict[str, Any]:
    rendered: dict[str, Any] = {"profile_id": profile.profile_id, "last_updated": profile.last_updated}
    for request_name, response_key in _SECTIONS:
        if request_name not in query.types:
            continue
        section = getattr(profile, response_key)
        if query.include is not None:
            section = {name: value for name, value in section.items() if name in query.include}
        rendered[response_key] = section
    return rendered


def _select(history: EventHistory, query: EventQuery) -> list[StoredEvent]:
    """Filter a history by name and time (both bounds exclusive) and put it in the requested order."""
    if query.sort is None:
        source: tuple[StoredEvent, ...] = history.scrambled
    else:
        source = history.ordered
    selected = [
        event
        for event in source
        if (query.include is None or event.body["event_name"] in query.include)
        and (query.start is None or event.moment > query.start)
        and (query.end is None or event.moment < query.end)
    ]
    if query.sort == "desc":
        selected.reverse()
    return selected


def _canonical(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
