"""Event histories of the demo profiles, generated from a seed.

A history depends only on its plan, its seed and the anchor time, so the same
sandbox hour always produces the same events. Event ids read
``<Source>.<EventName>.<number>``, as PrimeData's do.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox import vocabulary as words
from sandbox.timestamps import format_instant, parse_instant

EVENT_NAMES = (
    "BookingCompleted",
    "OrderCreated",
    "PaymentSucceeded",
    "PageViewed",
    "AppOpened",
    "SupportTicketCreated",
)

# Relative frequency of each event name in a generated history.
_EVENT_WEIGHTS = (16, 13, 12, 28, 24, 7)

_SOURCES = {
    "BookingCompleted": ("30ShineMSSQL",),
    "OrderCreated": ("HaravanShop", "KiotVietPOS"),
    "PaymentSucceeded": ("MoMoGateway", "VNPayGateway"),
    "PageViewed": ("WebSDK",),
    "AppOpened": ("CleverTap",),
    "SupportTicketCreated": ("ZaloOA", "CallCenter"),
}

# Each source writes time_stamp and sent_at in its own form, as real
# integrations do: the mobile SDK with milliseconds, the shop till in local
# time with an offset, the others in UTC.
_SOURCE_TIME_STYLES = {"CleverTap": "millis", "KiotVietPOS": "offset"}


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event as served, with its time_stamp parsed for filters and order."""

    moment: datetime
    body: dict[str, Any]

    @property
    def order_key(self) -> tuple[datetime, str, str]:
        return (self.moment, self.body["id"], self.body["event_name"])


@dataclass(frozen=True, slots=True)
class Customer:
    """The facts about a profile that its event properties repeat."""

    full_name: str
    phone: str
    customer_id: str
    city: str
    district: str
    street: str


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    """How to generate one profile's events.

    ``count`` events are generated, the newest a few hours before the anchor
    and each older one about ``mean_gap_hours`` before the next. ``extra``
    returns event bodies to add as they are, given the anchor. Each
    generated event's properties are updated with the next dict of
    ``overlays`` in turn.
    """

    count: int
    mean_gap_hours: float = 48.0
    colon_dated_sources: frozenset[str] = frozenset()
    extra: Callable[[datetime], list[dict[str, Any]]] | None = None
    overlays: tuple[dict[str, Any], ...] = ()


def generate_history(
    profile_id: str,
    customer: Customer,
    plan: HistoryPlan,
    *,
    anchor: datetime,
    seed: str,
    id_base: int,
) -> list[StoredEvent]:
    """Generate a profile's events, oldest first.

    Record numbers run from ``id_base + 1`` upwards, oldest first, so ids
    stay unique within the tenant while bases are at least ``count`` apart.
    """
    rng = random.Random(seed)
    moment = anchor - timedelta(hours=rng.uniform(1.0, 20.0))
    events = []
    for index in range(plan.count):
        event_name = rng.choices(EVENT_NAMES, weights=_EVENT_WEIGHTS)[0]
        source = rng.choice(_SOURCES[event_name])
        style = _SOURCE_TIME_STYLES.get(source, "utc")
        if source in plan.colon_dated_sources:
            style = "colon"
        # Only the millisecond style can show a fraction, so other moments
        # are kept to whole seconds and match their text exactly.
        moment = moment.replace(microsecond=rng.randrange(1000) * 1000 if style == "millis" else 0)
        number = id_base + plan.count - index
        properties = _PROPERTY_BUILDERS[event_name](rng, customer, moment, number)
        if plan.overlays:
            properties.update(plan.overlays[index % len(plan.overlays)])
        sent_at = moment + timedelta(seconds=rng.randint(1, 90))
        body = {
            "id": f"{source}.{event_name}.{number}",
            "profile_id": profile_id,
            "event_name": event_name,
            "time_stamp": format_instant(moment, style),
            "sent_at": format_instant(sent_at, style),
            "input_schema_version": "0.1",
            "properties": properties,
        }
        events.append(StoredEvent(moment, body))
        gap_hours = max(rng.expovariate(1.0 / plan.mean_gap_hours), 0.02)
        moment -= timedelta(hours=gap_hours)

    if plan.extra is not None:
        for body in plan.extra(anchor):
            events.append(StoredEvent(parse_instant(body["time_stamp"]), body))

    events.sort(key=lambda event: event.order_key)
    return events


def _pick_place(rng: random.Random) -> tuple[str, str, str]:
    city, district, streets = rng.choice(words.PLACES)
    return city, district, rng.choice(streets)


def _booking_properties(
    rng: random.Random, customer: Customer, moment: datetime, number: int
) -> dict[str, Any]:
    city, district, street = _pick_place(rng)
    house = rng.randint(2, 420)
    service, price = rng.choice(words.HAIRCUT_SERVICES)
    # "at" is local wall-clock time without an offset, as in the vendor's
    # example, where it is booking_completed_time seen in UTC+7.
    return {
        "at": format_instant(moment, "naive"),
        "full_name": customer.full_name,
        "phone_number": customer.phone,
        "booking_completed_time": format_instant(moment, "utc"),
        "customer_id": customer.customer_id,
        "salon_name": f"{words.SALON_BRAND} {house} {street}",
        "salon_address": f"{house} {street}, {district}, {city}",
        "service": service,
        "price": price,
        "stylist": rng.choice(words.MALE_GIVEN_NAMES + words.FEMALE_GIVEN_NAMES),
        "booking_time": format_instant(moment - timedelta(minutes=rng.choice((30, 45, 60))), "naive"),
    }


def _order_properties(
    rng: random.Random, customer: Customer, moment: datetime, number: int
) -> dict[str, Any]:
    items = []
    for sku, name, price in rng.sample(words.PRODUCTS, rng.randint(1, 3)):
        items.append({"sku": sku, "name": name, "quantity": rng.randint(1, 3), "price": price})
    revenue = sum(item["quantity"] * item["price"] for item in items)
    return {
        "order_id": f"DH{number}",
        "order_date": format_instant(moment, "utc"),
        "order_revenue": revenue,
        "currency": "VND",
        "items": items,
        "shop_name": rng.choice(words.SHOPS),
        "shipping_address": f"{rng.randint(1, 300)} {customer.street}, {customer.district}, {customer.city}",
        "full_name": customer.full_name,
        "phone_number": customer.phone,
    }


def _payment_properties(
    rng: random.Random, customer: Customer, moment: datetime, number: int
) -> dict[str, Any]:
    return {
        "order_id": f"DH{number - rng.randint(1, 5)}",
        "amount": rng.randrange(50_000, 3_000_000, 1_000),
        "currency": "VND",
        "payment_method": rng.choice(words.PAYMENT_METHODS),
        "transaction_id": f"GD{rng.randrange(10**11, 10**12)}",
        "paid_at": format_instant(moment, "offset"),
    }


def _page_properties(
    rng: random.Random, customer: Customer, moment: datetime, number: int
) -> dict[str, Any]:
    url, title = rng.choice(words.WEB_PAGES)
    return {"page_url": url, "page_title": title, "referrer": rng.choice(words.REFERRERS)}


def _app_properties(
    rng: random.Random, customer: Customer, moment: datetime, number: int
) -> dict[str, Any]:
    model, system, system_version = rng.choice(words.DEVICES)
    return {
        "app_version": rng.choice(words.APP_VERSIONS),
        "device_model": model,
        "os": system,
        "os_version": system_version,
        "push_enabled": rng.random() < 0.7,
    }


def _ticket_properties(
    rng: random.Random, customer: Customer, moment: datetime, number: int
) -> dict[str, Any]:
    return {
        "ticket_id": f"TK-{number}",
        "subject": rng.choice(words.TICKET_SUBJECTS),
        "channel": rng.choice(words.TICKET_CHANNELS),
        "priority": rng.choice(("Thấp", "Trung bình", "Cao")),
        "status": rng.choice(("Mới", "Đang xử lý", "Đã đóng")),
        "customer_id": customer.customer_id,
    }


_PROPERTY_BUILDERS = {
    "BookingCompleted": _booking_properties,
    "OrderCreated": _order_properties,
    "PaymentSucceeded": _payment_properties,
    "PageViewed": _page_properties,
    "AppOpened": _app_properties,
    "SupportTicketCreated": _ticket_properties,
}
