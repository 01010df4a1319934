"""The sandbox's demo tenant: its profiles, their events and the fixture catalogue.

Profiles and histories are built on first use and cached, so importing this
module costs almost nothing. Event times run backwards from an anchor, the
sandbox's start time truncated to the hour, while ids and counts stay fixed.
"""

import hashlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sandbox import fixtures
from sandbox.fixtures import StoredProfile
from sandbox.history import EVENT_NAMES, StoredEvent, generate_history

__all__ = [
    "CATALOGUE",
    "EVENT_NAMES",
    "IDENTITY_NAMES",
    "EventHistory",
    "StoredEvent",
    "StoredProfile",
    "Tenant",
    "catalogue_markdown",
    "tenant_for",
]

# The identity names of the demo tenant's ID-Res configuration.
IDENTITY_NAMES = ("phone_number", "email", "clevertap_device_id", "crm_user_id")

CATALOGUE: list[dict[str, str]] = [
    {
        "identity": "phone_number",
        "value": "0123456789",
        "profile_id": fixtures.VENDOR_EXAMPLE_ID,
        "shows": "The vendor's example profile as published: two phone numbers, "
        "colon-dated last_time_purchased, 3 events",
    },
    {
        "identity": "phone_number",
        "value": "0901234567",
        "profile_id": fixtures.DUC_ID,
        "shows": "ĐỨC: 320 events, among them the vendor's two example events "
        "(one id, two event names). 30ShineMSSQL events have colon-dated times",
    },
    {
        "identity": "phone_number",
        "value": "0912345678",
        "profile_id": fixtures.AN_ID,
        "shows": "Nguyễn Văn An: 26 events, one more than the default page of 25",
    },
    {
        "identity": "phone_number",
        "value": "0903000001",
        "profile_id": fixtures.NO_EVENTS_ID,
        "shows": "A profile with no events",
    },
    {
        "identity": "phone_number",
        "value": "0903000002",
        "profile_id": fixtures.ONE_EVENT_ID,
        "shows": "A profile with exactly one event",
    },
    {
        "identity": "phone_number",
        "value": "0903000003",
        "profile_id": fixtures.FULL_PAGE_ID,
        "shows": "Exactly 25 events: one full default page and has_more false",
    },
    {
        "identity": "phone_number",
        "value": "0988000000",
        "profile_id": fixtures.LONG_HISTORY_ID,
        "shows": "Phạm Minh Quân: 5,000 events over about two years",
    },
    {
        "identity": "phone_number",
        "value": "0391234567",
        "profile_id": fixtures.LEGACY_PHONE_ID,
        "shows": "Stored with today's number. Agents may type the pre-2018 01691234567, "
        "which matches nothing as sent",
    },
    {
        "identity": "phone_number",
        "value": "+84935123456",
        "profile_id": fixtures.E164_PHONE_ID,
        "shows": "Phone stored in E.164 form only, so 0935123456 matches nothing as sent",
    },
    {
        "identity": "email",
        "value": "awkward@example.com",
        "profile_id": fixtures.AWKWARD_ID,
        "shows": "Markup and script in traits and events, nested values, a 5,000-character "
        "string, booleans, nulls, naive and offset times, a bare-date time_stamp, "
        "an event without sent_at or properties",
    },
    {
        "identity": "phone_number",
        "value": "0904000000",
        "profile_id": fixtures.EMPTY_TRAITS_ID,
        "shows": "Empty trait and p_trait, an email identity with no values, null last_updated",
    },
    {
        "identity": "phone_number",
        "value": "0977000111",
        "profile_id": fixtures.SHARED_PHONE_HUSBAND_ID,
        "shows": "Family phone shared by two profiles, so data is a list (Ngô Văn Bình)",
    },
    {
        "identity": "phone_number",
        "value": "0977000111",
        "profile_id": fixtures.SHARED_PHONE_WIFE_ID,
        "shows": "Family phone shared by two profiles, so data is a list (Ngô Thị Lan)",
    },
    {
        "identity": "phone_number",
        "value": "0906000001",
        "profile_id": fixtures.DUPLICATE_BOUNDARY_ID,
        "shows": "60 events, and each page after the first repeats the previous page's last event",
    },
    {
        "identity": "phone_number",
        "value": "0906000002",
        "profile_id": fixtures.REPEATED_CURSOR_ID,
        "shows": "60 events, and the second page returns the cursor it was sent, so paging never ends",
    },
    {
        "identity": "phone_number",
        "value": "0906000003",
        "profile_id": fixtures.MISSING_NEXT_ID,
        "shows": "60 events, and the first page sets has_more true without a next token",
    },
    {
        "identity": "phone_number",
        "value": "0906000004",
        "profile_id": fixtures.CURSOR_IN_DATA_ID,
        "shows": "60 events, and the cursor object is the last item of the data array",
    },
]


def catalogue_markdown() -> str:
    """Render CATALOGUE as the Markdown table that the README carries."""
    lines = [
        "| identity | value | profile_id | what it shows |",
        "| --- | --- | --- | --- |",
    ]
    for entry in CATALOGUE:
        lines.append(
            f"| {entry['identity']} | `{entry['value']}` | `{entry['profile_id']}` | {entry['shows']} |"
        )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class EventHistory:
    """A profile's events in time order and in the fixed order used without ``sort``."""

    ordered: tuple[StoredEvent, ...]
    scrambled: tuple[StoredEvent, ...]


class Tenant:
    """The demo tenant for one anchor time, built on first use and safe to share between threads."""

    def __init__(self, anchor: datetime) -> None:
        self.anchor = anchor
        self._profiles_lock = threading.Lock()
        self._histories_lock = threading.Lock()
        self._profiles: dict[str, StoredProfile] = {}
        self._id_bases: dict[str, int] = {}
        self._by_identity: dict[tuple[str, str], list[str]] = {}
        self._histories: dict[str, EventHistory] = {}

    def profile(self, profile_id: str) -> StoredProfile | None:
        self._ensure_profiles()
        return self._profiles.get(profile_id)

    def find(self, identities: Mapping[str, Sequence[str]]) -> list[StoredProfile]:
        """Return the profiles that store any of the values under the same identity name.

        Values match exactly as sent: no phone number normalisation happens here.
        """
        self._ensure_profiles()
        found: list[str] = []
        for name, values in identities.items():
            for value in values:
                for profile_id in self._by_identity.get((name, value), ()):
                    if profile_id not in found:
                        found.append(profile_id)
        return [self._profiles[profile_id] for profile_id in found]

    def history(self, profile: StoredProfile) -> EventHistory:
        """Return the profile's events, generating them on first use."""
        self._ensure_profiles()
        with self._histories_lock:
            cached = self._histories.get(profile.profile_id)
            if cached is not None:
                return cached
            events = generate_history(
                profile.profile_id,
                profile.customer,
                profile.history,
                anchor=self.anchor,
                seed=profile.profile_id,
                id_base=self._id_bases[profile.profile_id],
            )
            history = EventHistory(tuple(events), tuple(sorted(events, key=_scramble_key)))
            self._histories[profile.profile_id] = history
            return history

    def _ensure_profiles(self) -> None:
        with self._profiles_lock:
            if self._profiles:
                return
            for index, profile in enumerate(fixtures.build_profiles(self.anchor)):
                self._profiles[profile.profile_id] = profile
                # Each profile numbers its generated events from a base of its
                # own, 10,000 apart, so ids stay unique while no history has
                # more than 10,000 events.
                self._id_bases[profile.profile_id] = 20_000_000 + index * 10_000
                for name, values in profile.identity.items():
                    for value in values:
                        self._by_identity.setdefault((name, value), []).append(profile.profile_id)


def _scramble_key(event: StoredEvent) -> bytes:
    text = f"{event.body['id']}|{event.body['event_name']}|{event.body['time_stamp']}"
    return hashlib.sha1(text.encode()).digest()


_tenants: dict[datetime, Tenant] = {}
_tenants_lock = threading.Lock()


def tenant_for(anchor: datetime) -> Tenant:
    """Return the shared tenant for an anchor time, so that apps started in the same hour share one."""
    with _tenants_lock:
        tenant = _tenants.get(anchor)
        if tenant is None:
            tenant = _tenants[anchor] = Tenant(anchor)
        return tenant
