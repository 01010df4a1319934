"""Helpers of the agent's workbench: the profile summary, masked contacts, retries, recent lookups.

Everything here reads a ``Profile`` or the audit trail and returns plain
values for templates. Nothing calls PrimeData.
"""

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from lookup import display, identities, labels, primedata
from lookup.identities import IdentityQuery, InvalidIdentity
from lookup.masking import mask_identity
from lookup.models import VIEW_FULL_CONTACT_DETAILS, AuditRecord
from lookup.primedata import Profile

# How many of the agent's own lookups the search page lists.
RECENT_LOOKUPS = 10
# How many audit records are read to find them; repeats of one profile are skipped.
RECENT_LOOKUPS_SCAN = 200


def can_view_contacts(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Tell whether ``user`` may read phone numbers and emails unmasked without revealing them."""
    return user.has_perm(VIEW_FULL_CONTACT_DETAILS)


def is_contact(name: str) -> bool:
    """Tell whether identity ``name`` is a contact detail (LOOKUP_CONTACT_IDENTITIES)."""
    return name in settings.LOOKUP_CONTACT_IDENTITIES


@dataclass(frozen=True, slots=True)
class ShownIdentity:
    """One identity value as the page shows it; ``index`` addresses it in a reveal request."""

    name: str
    index: int
    text: str
    masked: bool


def shown_value(name: str, value: str, *, full: bool) -> str:
    """Return ``value`` as the page shows it: masked for contact details unless ``full``."""
    return value if full or not is_contact(name) else mask_identity(name, value)


def shown_identities(profile: Profile, *, full: bool) -> list[tuple[str, list[ShownIdentity]]]:
    """Return the profile's identities in PrimeData's order, contact values masked unless ``full``."""
    return [
        (name, [
            ShownIdentity(name, index, shown_value(name, value, full=full), not full and is_contact(name))
            for index, value in enumerate(values)
        ])
        for name, values in profile.identities.items()
    ]


def identity_value(profile: Profile, name: str, index: int) -> str | None:
    """Return the identity value a reveal request names, or None when the profile has none there."""
    values = profile.identities.get(name, [])
    return values[index] if 0 <= index < len(values) else None


@dataclass(frozen=True, slots=True)
class SummaryFact:
    """One fact of the summary strip: the key it came from and its value."""

    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """The few facts an agent needs first, as configured by LOOKUP_SUMMARY_TRAITS."""

    name: str
    phone: str
    email: str
    ltv: SummaryFact | None
    last_purchase: SummaryFact | None
    last_activity: SummaryFact | None
    customer_since: SummaryFact | None
    last_updated: datetime | str | None
    is_stale: bool


def customer_summary(profile: Profile, *, full: bool, now: datetime | None = None) -> CustomerSummary:
    """Summarise ``profile``; phone and email are the first of each, masked unless ``full``."""
    name = _fact(profile, "name")
    phones = profile.identities.get(identities.PHONE_NUMBER, [])
    emails = profile.identities.get(identities.EMAIL, [])
    return CustomerSummary(
        name=str(name.value) if name else "",
        phone=shown_value(identities.PHONE_NUMBER, phones[0], full=full) if phones else "",
        email=shown_value(identities.EMAIL, emails[0], full=full) if emails else "",
        ltv=_fact(profile, "ltv"),
        last_purchase=_fact(profile, "last_purchase"),
        last_activity=_fact(profile, "last_activity"),
        customer_since=_fact(profile, "customer_since"),
        last_updated=profile.last_updated,
        is_stale=is_stale(profile.last_updated, now=now),
    )


def is_stale(last_updated: datetime | str | None, *, now: datetime | None = None) -> bool:
    """Tell whether PrimeData last updated the profile more than LOOKUP_STALE_AFTER_HOURS ago.

    A missing or unreadable time counts as stale, because nothing shows that the data is recent.
    """
    if not isinstance(last_updated, datetime):
        return True
    age = (now or timezone.now()) - last_updated
    return age > timedelta(hours=settings.LOOKUP_STALE_AFTER_HOURS)


def summary_text(profile: Profile, summary: CustomerSummary) -> str:
    """Return the summary as plain text for pasting into a ticket."""
    facts = [
        (_("Customer"), summary.name or _("(no name)")),
        (_("Profile ID"), profile.profile_id),
        (labels.key_label(identities.PHONE_NUMBER), summary.phone),
        (labels.key_label(identities.EMAIL), summary.email),
    ]
    for title, fact in (
        (_("Lifetime value"), summary.ltv),
        (_("Last purchase"), summary.last_purchase),
        (_("Last activity"), summary.last_activity),
        (_("Customer since"), summary.customer_since),
    ):
        facts.append((title, _plain(fact) if fact is not None else ""))
    facts.append((_("Last updated by PrimeData"), display.moment_text(summary.last_updated)))
    lines = [f"{title}: {value}" for title, value in facts if value]
    return "\n".join(lines)


def _fact(profile: Profile, slot: str) -> SummaryFact | None:
    for key in settings.LOOKUP_SUMMARY_TRAITS.get(slot, ()):
        for section in (profile.traits, profile.p_traits):
            if section.get(key) not in (None, ""):
                return SummaryFact(key, section[key])
    return None


def _plain(fact: SummaryFact) -> str:
    return html.unescape(strip_tags(display.value_html(fact.value, fact.key)))


@dataclass(frozen=True, slots=True)
class RecentLookup:
    """One customer the agent opened recently, as the audit trail recorded it."""

    profile_id: str
    looked_up_at: datetime
    identity_type: str
    masked_value: str
    ticket: str


def recent_lookups(user: AbstractBaseUser, *, limit: int = RECENT_LOOKUPS) -> list[RecentLookup]:
    """Return the distinct profiles ``user`` found most recently, newest first.

    Only the agent's own records with a resolved profile count. The trail
    contains values only masked, so nothing unmasked reaches the page.
    """
    records = (
        AuditRecord.objects.filter(agent=user, outcome=AuditRecord.Outcome.FOUND)
        .exclude(profile_id="")
        .exclude(kind__in=[AuditRecord.Kind.TIMELINE_PAGE, AuditRecord.Kind.REVEAL])
        .order_by("-created_at")
        .values("profile_id", "created_at", "identity_type", "masked_value", "ticket")[:RECENT_LOOKUPS_SCAN]
    )
    recent: dict[str, RecentLookup] = {}
    for record in records:
        profile_id = record["profile_id"]
        searched = record["identity_type"] != identities.PROFILE_ID
        if profile_id in recent:
            # A profile view that follows a search keeps the searched value on show.
            if searched and not recent[profile_id].masked_value:
                recent[profile_id] = _recent(record, recent[profile_id].looked_up_at)
            continue
        if len(recent) == limit:
            break
        recent[profile_id] = _recent(record, record["created_at"])
    return list(recent.values())


def _recent(record: dict[str, Any], looked_up_at: datetime) -> RecentLookup:
    searched = record["identity_type"] != identities.PROFILE_ID
    return RecentLookup(
        profile_id=record["profile_id"],
        looked_up_at=looked_up_at,
        identity_type=record["identity_type"] if searched else "",
        masked_value=record["masked_value"] if searched else "",
        ticket=record["ticket"],
    )


@dataclass(frozen=True, slots=True)
class Retry:
    """A one-click retry of a failed lookup: the same value as another identity type."""

    identity_name: str
    value: str
    is_same_query: bool = False


def failure_cause(error: primedata.PrimeDataError) -> str:
    """Name why a lookup failed: "not-found", "not-configured" or "unavailable"."""
    if isinstance(error, primedata.ProfileNotFound):
        return "not-found"
    if isinstance(error, primedata.InvalidRequest):
        # PrimeData rejects a search by an identity name its ID-Res
        # configuration does not know, and the form already checked the value.
        return "not-configured"
    return "unavailable"


def retries_for(query: IdentityQuery, error: primedata.PrimeDataError) -> list[Retry]:
    """Return the likely alternatives to a failed lookup, each a value the search form accepts.

    After an outage the same lookup is offered again. After "not found" or a
    rejected identity type: the other configured identity types the value is
    valid for. A phone search needs no legacy-form retry: ``identities.parse``
    already sends the pre-2018 spelling, and the page lists it as tried.
    """
    if failure_cause(error) == "unavailable":
        return [Retry(query.name, query.value, is_same_query=True)]
    retries = []
    for name in (identities.PROFILE_ID, *settings.PRIMEDATA_IDENTITY_NAMES):
        if name == query.name:
            continue
        try:
            identities.parse(name, query.value)
        except InvalidIdentity:
            continue
        retries.append(Retry(name, query.value))
    return retries
