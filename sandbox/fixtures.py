"""The demo tenant's profiles: named fixtures first, then ordinary customers.

Each named fixture exists to show one behaviour of the Profile API or of its
data; ``sandbox.data.CATALOGUE`` lists them with the identity to type.
"""

import hashlib
import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sandbox import vocabulary as words
from sandbox.history import Customer, HistoryPlan
from sandbox.timestamps import LOCAL_TZ, format_instant

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Values of StoredProfile.paging_quirk.
DUPLICATE_BOUNDARY = "duplicate-boundary"
REPEATED_CURSOR = "repeated-cursor"
MISSING_NEXT = "missing-next"
CURSOR_IN_DATA = "cursor-in-data"

FILLER_COUNT = 200
FILLER_PHONE_FIRST = 938_000_001


def make_profile_id(label: str) -> str:
    """Derive a 27-character base62 profile_id from a label.

    The vendor's example ids all start with "2", so the derived ones do too.
    """
    number = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    digits = []
    for _ in range(26):
        number, remainder = divmod(number, 62)
        digits.append(_BASE62[remainder])
    return "2" + "".join(digits)


VENDOR_EXAMPLE_ID = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"
DUC_ID = "2Q5OFD0h3NdANoqIJhHzTnto3ay"
# The vendor's page uses this id as its example request value.
AN_ID = "2YhQlO5kmTIRCu22QrO9BmgwbIy"
NO_EVENTS_ID = make_profile_id("no-events")
ONE_EVENT_ID = make_profile_id("one-event")
FULL_PAGE_ID = make_profile_id("full-page")
LONG_HISTORY_ID = make_profile_id("long-history")
LEGACY_PHONE_ID = make_profile_id("legacy-phone")
E164_PHONE_ID = make_profile_id("e164-phone")
AWKWARD_ID = make_profile_id("awkward")
EMPTY_TRAITS_ID = make_profile_id("empty-traits")
SHARED_PHONE_HUSBAND_ID = make_profile_id("shared-phone-husband")
SHARED_PHONE_WIFE_ID = make_profile_id("shared-phone-wife")
DUPLICATE_BOUNDARY_ID = make_profile_id("duplicate-boundary")
REPEATED_CURSOR_ID = make_profile_id("repeated-cursor")
MISSING_NEXT_ID = make_profile_id("missing-next")
CURSOR_IN_DATA_ID = make_profile_id("cursor-in-data")

# Markup and script fragments that must reach the agent's screen as text.
MARKUP_SAMPLES = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    'hx-get="/x" hx-trigger="load"',
    "</script>",
)
LONG_TEXT = ("Ghi chú rất dài của tổng đài viên về khách hàng. " * 110)[:5000]


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """One profile of the demo tenant, with the plan for its events.

    ``paging_quirk`` names a way in which this profile's event pages break
    the usual paging rules, or is None.
    """

    profile_id: str
    last_updated: str | None
    identity: dict[str, list[str]]
    trait: dict[str, Any]
    p_trait: dict[str, Any]
    customer: Customer
    history: HistoryPlan
    paging_quirk: str | None = None


def build_profiles(anchor: datetime) -> list[StoredProfile]:
    """Build every profile of the tenant; times are relative to ``anchor``."""
    profiles = [
        _vendor_example(),
        _duc(anchor),
        _ordinary(anchor, AN_ID, "Nguyễn Văn An", "0912345678", "100245", HistoryPlan(26, 96.0)),
        _ordinary(anchor, NO_EVENTS_ID, "Trần Thị Bích Ngọc", "0903000001", "100301", HistoryPlan(0)),
        _ordinary(anchor, ONE_EVENT_ID, "Lê Hoàng Nam", "0903000002", "100302", HistoryPlan(1)),
        _ordinary(anchor, FULL_PAGE_ID, "Võ Thị Thu Trang", "0903000003", "100303", HistoryPlan(25, 72.0)),
        _ordinary(anchor, LONG_HISTORY_ID, "Phạm Minh Quân", "0988000000", "100400", HistoryPlan(5000, 3.5)),
        _ordinary(anchor, LEGACY_PHONE_ID, "Đặng Văn Hải", "0391234567", "100410", HistoryPlan(8, 120.0)),
        _ordinary(anchor, E164_PHONE_ID, "Huỳnh Ngọc Mai", "+84935123456", "100420", HistoryPlan(7, 120.0)),
        _awkward(anchor),
        _empty_traits(anchor),
        _ordinary(anchor, SHARED_PHONE_HUSBAND_ID, "Ngô Văn Bình", "0977000111", "100501", HistoryPlan(12, 90.0)),
        _ordinary(anchor, SHARED_PHONE_WIFE_ID, "Ngô Thị Lan", "0977000111", "100502", HistoryPlan(9, 90.0)),
    ]
    quirks = (
        (DUPLICATE_BOUNDARY_ID, "Phan Thanh Tùng", "0906000001", DUPLICATE_BOUNDARY),
        (REPEATED_CURSOR_ID, "Hồ Thị Kim Oanh", "0906000002", REPEATED_CURSOR),
        (MISSING_NEXT_ID, "Dương Quốc Việt", "0906000003", MISSING_NEXT),
        (CURSOR_IN_DATA_ID, "Lý Thu Hà", "0906000004", CURSOR_IN_DATA),
    )
    for index, (profile_id, full_name, phone, quirk) in enumerate(quirks):
        profile = _ordinary(anchor, profile_id, full_name, phone, str(100600 + index), HistoryPlan(60, 30.0))
        profiles.append(replace(profile, paging_quirk=quirk))
    profiles.extend(_filler(anchor))
    return profiles


def _vendor_example() -> StoredProfile:
    """Build the vendor's published example profile, kept exactly as published."""
    return StoredProfile(
        profile_id=VENDOR_EXAMPLE_ID,
        last_updated="2020-01-01T00:00:00Z",
        identity={
            "phone_number": ["0123456788", "0123456789"],
            "email": ["mail@example.com"],
            "clevertap_device_id": ["device_id"],
            "crm_user_id": ["123"],
        },
        trait={"full_name": "Sơn", "address": "HN"},
        p_trait={"ltv": 12000, "last_time_purchased": "2023:01:01T20:00:00Z"},
        customer=Customer("Sơn", "0123456789", "123", "Hà Nội", "Hoàn Kiếm", "Hàng Bài"),
        history=HistoryPlan(3, 200.0),
    )


def _duc(anchor: datetime) -> StoredProfile:
    """Build "ĐỨC", who owns the vendor's two published example events."""
    customer = Customer("ĐỨC", "0901234567", "749547", "Hà Nội", "Cầu Giấy", "Trần Duy Hưng")
    return StoredProfile(
        profile_id=DUC_ID,
        last_updated=format_instant(anchor - timedelta(hours=2), "utc"),
        identity={
            "phone_number": ["0901234567"],
            "email": ["duc.nguyen@example.com"],
            "clevertap_device_id": ["ct-8f3a2c71d9e54b06"],
            "crm_user_id": ["749547"],
        },
        trait={
            "full_name": "ĐỨC",
            "gender": "Nam",
            "birthday": "1991-07-19",
            "city": "Hà Nội",
            "district": "Cầu Giấy",
            "address": "82 Trần Duy Hưng, Cầu Giấy, Hà Nội",
            "membership_tier": "Vàng",
            "preferred_salon": "30Shine 82 Trần Duy Hưng",
        },
        p_trait={
            "ltv": 18_450_000,
            "total_orders": 41,
            "last_time_purchased": format_instant(anchor - timedelta(days=3, hours=5), "colon"),
            "churn_risk": 0.12,
            "segment": "Khách hàng thân thiết",
        },
        customer=customer,
        history=HistoryPlan(
            318,
            26.0,
            colon_dated_sources=frozenset({"30ShineMSSQL"}),
            extra=_vendor_events,
        ),
    )


def _vendor_events(anchor: datetime) -> list[dict[str, Any]]:
    """Return the two example events from the vendor's page, as published.

    Both carry the same id although their names differ, which is why an
    event's identity is its id, name and time_stamp together.
    """
    common = {
        "id": "30ShineMSSQL.BookingCompleted.17484563",
        "profile_id": DUC_ID,
        "time_stamp": "2023:01:01T20:00:00Z",
        "sent_at": "2023:01:01T20:01:00Z",
        "input_schema_version": "0.1",
    }
    booking = {
        "properties": {
            "at": "2023-05-21T11:48:23",
            "full_name": "ĐỨC",
            "phone_number": "0123456789",
            "booking_completed_time": "2023-05-21T04:48:23Z",
            "customer_id": "749547",
        },
        **common,
        "event_name": "BookingCompleted",
    }
    order = {
        "properties": {
            "at": "2023-05-21T11:48:23",
            "full_name": "ĐỨC",
            "phone_number": "0123456789",
            "order_date": "2023-05-21T04:48:23Z",
            "order_revenue": 749547,
        },
        **common,
        "event_name": "OrderCreated",
    }
    return [booking, order]


def _awkward(anchor: datetime) -> StoredProfile:
    """Build a profile whose traits and events contain hostile and odd values."""
    customer = Customer("Bùi Thị Hồng", "0905111222", "100430", "Hà Nội", "Hai Bà Trưng", "Lò Đúc")
    overlays = (
        {"note": MARKUP_SAMPLES[0]},
        {"comment": MARKUP_SAMPLES[1]},
        {"widget": MARKUP_SAMPLES[2]},
        {"raw": MARKUP_SAMPLES[3]},
        {"nested": {"levels": [1, {"deeper": None, "ok": True}], "label": "<b>đậm</b>"}},
        {"long_text": LONG_TEXT},
        {"flag": False, "missing": None, "count": 0},
        {"local_time": "2024-02-10T19:05:00", "offset_time": "2024-02-10T19:05:00+07:00"},
    )
    return StoredProfile(
        profile_id=AWKWARD_ID,
        # A naive local date-time, as some sources send it.
        last_updated="2024-02-10T19:05:00",
        identity={
            "phone_number": ["0905111222"],
            "email": ["awkward@example.com"],
            "crm_user_id": ["100430"],
        },
        trait={
            "full_name": "Bùi Thị Hồng " + MARKUP_SAMPLES[0],
            "nickname": MARKUP_SAMPLES[1],
            "website": MARKUP_SAMPLES[2],
            "note": f"Khách dặn {MARKUP_SAMPLES[3]} không gọi sau 21 giờ",
            "address": {
                "street": "12 Lò Đúc",
                "district": "Hai Bà Trưng",
                "city": "Hà Nội",
                "geo": [21.0143, 105.8566],
            },
            "tags": ["vip", "<b>đậm</b>", None, 3, True],
            "long_note": LONG_TEXT,
            "is_vip": True,
            "opted_out_sms": False,
            "middle_name": None,
            "empty_text": "",
            "first_visit_local": "2021-03-04T08:15:00",
            "registered_at": "2021-03-04T08:15:00+07:00",
            "birthday": "1992-08-15",
        },
        p_trait={
            "ltv": 0,
            "churn_risk": None,
            "last_time_purchased": "2024-02-10T19:05:00+07:00",
            "scores": {"rfm": [4, 5, 3], "segment": None},
        },
        customer=customer,
        history=HistoryPlan(16, 60.0, extra=_awkward_events, overlays=overlays),
    )


def _awkward_events(anchor: datetime) -> list[dict[str, Any]]:
    """Return events with a bare-date time_stamp and with optional fields missing."""
    local_day = (anchor - timedelta(days=40)).astimezone(LOCAL_TZ).date()
    dated = {
        "id": "WebSDK.PageViewed.17990001",
        "profile_id": AWKWARD_ID,
        "event_name": "PageViewed",
        "time_stamp": local_day.isoformat(),
        "sent_at": local_day.isoformat(),
        "input_schema_version": "0.1",
        "properties": {
            "page_url": "https://shop.example.vn/tim-kiem?q=%3Cscript%3Ealert(1)%3C/script%3E",
            "page_title": "</script><b>Tìm kiếm</b>",
        },
    }
    bare = {
        "id": "CallCenter.SupportTicketCreated.17990002",
        "profile_id": AWKWARD_ID,
        "event_name": "SupportTicketCreated",
        "time_stamp": format_instant(anchor - timedelta(days=3, minutes=17), "utc"),
    }
    return [dated, bare]


def _empty_traits(anchor: datetime) -> StoredProfile:
    """Build a profile whose trait and p_trait are present but empty."""
    return StoredProfile(
        profile_id=EMPTY_TRAITS_ID,
        last_updated=None,
        identity={"phone_number": ["0904000000"], "email": [], "crm_user_id": ["100440"]},
        trait={},
        p_trait={},
        customer=Customer("", "0904000000", "100440", "Đà Nẵng", "Hải Châu", "Lê Duẩn"),
        history=HistoryPlan(4, 200.0),
    )


def _ordinary(
    anchor: datetime,
    profile_id: str,
    full_name: str,
    phone: str,
    crm_user_id: str,
    history: HistoryPlan,
) -> StoredProfile:
    """Build an ordinary customer; traits not given are drawn from the profile_id."""
    rng = random.Random(profile_id)
    city, district, streets = rng.choice(words.PLACES)
    street = rng.choice(streets)
    parts = full_name.split()
    female = "Thị" in parts or parts[-1] in words.FEMALE_GIVEN_NAMES
    email = f"{_ascii_slug(full_name)}{crm_user_id[-3:]}@example.vn"
    orders = rng.randint(0, 60)
    identity = {"phone_number": [phone], "email": [email], "crm_user_id": [crm_user_id]}
    if rng.random() < 0.5:
        identity["clevertap_device_id"] = [f"ct-{rng.getrandbits(64):016x}"]
    return StoredProfile(
        profile_id=profile_id,
        last_updated=format_instant(anchor - timedelta(hours=rng.randint(1, 400)), rng.choice(("utc", "offset"))),
        identity=identity,
        trait={
            "full_name": full_name,
            "gender": "Nữ" if female else "Nam",
            "birthday": f"{rng.randint(1965, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "city": city,
            "district": district,
            "address": f"{rng.randint(1, 300)} {street}, {district}, {city}",
            "membership_tier": rng.choice(words.MEMBERSHIP_TIERS),
        },
        p_trait={
            "ltv": orders * rng.randrange(150_000, 900_000, 1_000),
            "total_orders": orders,
            "last_time_purchased": format_instant(anchor - timedelta(hours=rng.randint(5, 2000)), "utc"),
            "churn_risk": round(rng.random(), 2),
            "segment": rng.choice(("Khách hàng mới", "Khách hàng thân thiết", "Có nguy cơ rời bỏ")),
        },
        customer=Customer(full_name, phone, crm_user_id, city, district, street),
        history=history,
    )


def _filler(anchor: datetime) -> list[StoredProfile]:
    """Build ordinary customers on phones 0938000001 to 0938000200, for load tests."""
    profiles = []
    for index in range(FILLER_COUNT):
        rng = random.Random(f"filler-{index}")
        female = rng.random() < 0.5
        if female:
            middle_names, given_names = words.FEMALE_MIDDLE_NAMES, words.FEMALE_GIVEN_NAMES
        else:
            middle_names, given_names = words.MALE_MIDDLE_NAMES, words.MALE_GIVEN_NAMES
        full_name = f"{rng.choice(words.FAMILY_NAMES)} {rng.choice(middle_names)} {rng.choice(given_names)}"
        phone = f"0{FILLER_PHONE_FIRST + index}"
        history = HistoryPlan(rng.randint(0, 40), rng.uniform(24.0, 240.0))
        profile_id = make_profile_id(f"filler-{index}")
        profiles.append(_ordinary(anchor, profile_id, full_name, phone, str(200_000 + index), history))
    return profiles


def _ascii_slug(full_name: str) -> str:
    """Spell a Vietnamese name without diacritics, given name first: "an.nguyenvan"."""
    plain = unicodedata.normalize("NFD", full_name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(char for char in plain if not unicodedata.combining(char)).lower()
    parts = plain.split()
    return f"{parts[-1]}.{''.join(parts[:-1])}"
