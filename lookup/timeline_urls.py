"""URLs of a profile page and its timeline that carry the filters, order, paging state and ticket.

Every URL a timeline hands out repeats the query's filters, so a next page,
a retry and a restart after an expired cursor all stay inside the same view.
Dates go out resolved: a "7 days" preset reaches the timeline as the start
date it meant when the profile page opened, so paging past midnight keeps
the filters that PrimeData bound its cursor to.
"""

from urllib.parse import urlencode

from django.urls import reverse

from lookup.services import TimelineQuery, TimelinePage


def filter_params(query: TimelineQuery) -> list[tuple[str, str]]:
    """Return the query parameters of the query's filters; defaults are left out."""
    params = [("events", name) for name in query.include]
    if query.start:
        params.append(("start", query.start.isoformat()))
    if query.end:
        params.append(("end", query.end.isoformat()))
    if query.sort != "desc":
        params.append(("sort", query.sort))
    return params


def timeline_url(profile_id: str, query: TimelineQuery, *, ticket: str = "") -> str:
    """Return the URL of the timeline's first page."""
    params = filter_params(query)
    if ticket:
        params.append(("ticket", ticket))
    return _with_params(reverse("profile_timeline", args=[profile_id]), params)


def next_page_url(
    profile_id: str, query: TimelineQuery, page: TimelinePage, *, last_day: str, ticket: str = ""
) -> str:
    """Return the URL of the page after ``page``, or "" when paging ends."""
    if page.next_cursor is None:
        return ""
    params = filter_params(query) + [
        ("cursor", page.next_cursor),
        ("seen", ".".join(page.seen)),
        ("trail", ".".join(page.cursor_trail)),
        ("day", last_day),
    ]
    if ticket:
        params.append(("ticket", ticket))
    return _with_params(reverse("profile_timeline", args=[profile_id]), params)


# The id of the filter form on the profile page. Links that change the
# filters end with it, so the reloaded page opens at the filters rather
# than at the top, far above them.
FILTERS_ANCHOR = "timeline-filters"


def profile_url(profile_id: str, *, ticket: str = "") -> str:
    """Return the profile page without timeline filters, carrying the ticket reference."""
    return _with_params(reverse("profile_detail", args=[profile_id]), [("ticket", ticket)] if ticket else [])


def clear_filters_url(profile_id: str, *, ticket: str = "") -> str:
    """Return the "clear filters" link: the profile page without timeline filters, scrolled to them."""
    return f"{profile_url(profile_id, ticket=ticket)}#{FILTERS_ANCHOR}"


def _with_params(path: str, params: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(params)}" if params else path
