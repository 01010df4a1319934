"""Readable labels for PrimeData's event names and trait keys.

Event names and trait keys are tenant data, not interface text: the dashboard
shows a label where it has one and the raw key otherwise. The built-in
labels cover the demo tenant and are translated like any interface string. A
tenant adds or overrides labels without code through a JSON file named by the
LOOKUP_LABELS_FILE setting::

    {"events": {"VoucherRedeemed": {"vi": "Dùng voucher", "en": "Voucher redeemed"}},
     "keys": {"loyalty_tier": {"vi": "Hạng thành viên", "en": "Loyalty tier"}}}
"""

import json
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, Promise] = {
    "BookingCompleted": _("Booking completed"),
    "OrderCreated": _("Order created"),
    "PaymentSucceeded": _("Payment succeeded"),
    "PageViewed": _("Page viewed"),
    "AppOpened": _("App opened"),
    "SupportTicketCreated": _("Support ticket created"),
}

KEY_LABELS: dict[str, Promise] = {
    "full_name": _("Full name"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "address": _("Address"),
    "city": _("City"),
    "gender": _("Gender"),
    "birthday": _("Birthday"),
    "ltv": _("Lifetime value (LTV)"),
    "last_time_purchased": _("Last purchase"),
    "phone_number": _("Phone number"),
    "email": _("Email"),
    "crm_user_id": _("CRM customer ID"),
    "clevertap_device_id": _("Device ID (CleverTap)"),
    "nickname": _("Nickname"),
    "middle_name": _("Middle name"),
    "district": _("District"),
    "website": _("Website"),
    "note": _("Note"),
    "tags": _("Tags"),
    "is_vip": _("VIP customer"),
    "opted_out_sms": _("Opted out of SMS"),
    "registered_at": _("Registered"),
    "membership_tier": _("Membership tier"),
    "preferred_salon": _("Preferred salon"),
    "total_orders": _("Total orders"),
    "churn_risk": _("Churn risk"),
    "segment": _("Segment"),
    # Event properties of the demo tenant.
    "at": _("Time"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "price": _("Price"),
    "order_id": _("Order ID"),
    "order_date": _("Order date"),
    "order_revenue": _("Order revenue"),
    "items": _("Items"),
    "sku": _("SKU"),
    "name": _("Name"),
    "quantity": _("Quantity"),
    "shop_name": _("Shop"),
    "shipping_address": _("Shipping address"),
    "payment_method": _("Payment method"),
    "paid_at": _("Paid at"),
    "transaction_id": _("Transaction ID"),
    "service": _("Service"),
    "stylist": _("Stylist"),
    "salon_name": _("Salon"),
    "salon_address": _("Salon address"),
    "booking_time": _("Booking time"),
    "booking_completed_time": _("Booking completed at"),
    "customer_id": _("Customer ID"),
    "page_title": _("Page title"),
    "page_url": _("Page URL"),
    "referrer": _("Referrer"),
    "app_version": _("App version"),
    "device_model": _("Device model"),
    "os": _("Operating system"),
    "os_version": _("OS version"),
    "push_enabled": _("Push notifications on"),
    "ticket_id": _("Ticket ID"),
    "subject": _("Subject"),
    "channel": _("Channel"),
    "priority": _("Priority"),
    "status": _("Status"),
    "comment": _("Comment"),
}


def event_label(event_name: str) -> str:
    """Return the readable label of an event name, or the name itself when unknown."""
    return _lookup("events", event_name)


def key_label(key: str) -> str:
    """Return the readable label of a trait or property key, or the key itself when unknown."""
    return _lookup("keys", key)


def _lookup(section: str, name: str) -> str:
    language = get_language() or settings.LANGUAGE_CODE
    return _label(section, name, language, getattr(settings, "LOOKUP_LABELS_FILE", ""))


# A timeline page looks up thousands of labels, and each lazy translation
# costs a gettext call; labels only change with the language or the file.
@lru_cache(maxsize=4096)
def _label(section: str, name: str, language: str, labels_file: str) -> str:
    tenant = _tenant_labels(labels_file).get(section, {})
    if name in tenant:
        translations = tenant[name]
        return translations.get(language.split("-")[0]) or translations.get(settings.LANGUAGE_CODE) or name
    built_in = EVENT_LABELS if section == "events" else KEY_LABELS
    if name in built_in:
        return str(built_in[name])
    return name


@cache
def _tenant_labels(path: str) -> dict[str, dict[str, dict[str, str]]]:
    if not path:
        return {}
    try:
        labels = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"LOOKUP_LABELS_FILE={path!r} could not be read as JSON: {error}") from None
    if not isinstance(labels, dict) or not all(isinstance(labels.get(s, {}), dict) for s in ("events", "keys")):
        raise ImproperlyConfigured(
            f'LOOKUP_LABELS_FILE={path!r} must hold {{"events": {{…}}, "keys": {{…}}}}.'
        )
    return labels
