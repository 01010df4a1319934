"""Matched identity spellings, remembered per agent session.

The profile page names the value that matched, but phone numbers and emails
must stay out of URLs, browser history and access logs. The match therefore
travels in the agent's session, keyed by profile_id.
"""

from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase

from lookup.services import ProfileSearch

SESSION_KEY = "lookup_matches"
# Enough for an agent's recent lookups, while keeping the session small.
MAX_REMEMBERED = 20


@dataclass(frozen=True, slots=True)
class Match:
    """The identity name, the value the agent searched (normalised) and the stored spelling that matched."""

    name: str
    typed: str
    matched: str


def match_remember(session: SessionBase, search: ProfileSearch) -> None:
    """Store the matched spelling for every profile of an identity search.

    A search by profile ID clears what an earlier search found, so the
    profile page never describes a lookup other than the latest.
    """
    remembered: dict[str, dict[str, str]] = dict(session.get(SESSION_KEY, {}))
    if search.query.is_profile_id:
        for profile in search.profiles:
            remembered.pop(profile.profile_id, None)
        session[SESSION_KEY] = remembered
        return
    for profile in search.profiles:
        matched = search.matched_value(profile)
        if matched is None:
            continue
        remembered.pop(profile.profile_id, None)
        remembered[profile.profile_id] = {
            "name": search.query.name, "typed": search.query.typed or search.query.value, "matched": matched,
        }
    # Dictionaries keep insertion order, so the oldest lookups go first.
    session[SESSION_KEY] = dict(list(remembered.items())[-MAX_REMEMBERED:])


def match_recall(session: SessionBase, profile_id: str) -> Match | None:
    """Return the remembered match of ``profile_id``, or None when it was opened another way."""
    entry = session.get(SESSION_KEY, {}).get(profile_id)
    if not isinstance(entry, dict):
        return None
    return Match(name=entry.get("name", ""), typed=entry.get("typed", ""), matched=entry.get("matched", ""))
