"""Readable labels for PrimeData's event names and trait keys.

Event names and trait keys are tenant data, not interface text: the dashboard
shows a label where it knows one and the raw key otherwise. The built-in
labels cover the demo tenant and are translated like any interface string. A
tenant adds or overrides labels without code through a JSON file named by the
LOOKUP_LABELS_FILE setting::

    {"events": {"VoucherRedeemed": {"vi": "Dùng voucher", "en": "Voucher redeemed"}},
     "keys": {"loyalty_tier": {"vi": "Hạng thành viên", "en": "Loyalty tier"}}}
"""

import json
from functools import cache
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
}


def event_label(event_name: str) -> str:
    """Return the readable label of an event name, or the name itself when unknown."""
    return _lookup("events", EVENT_LABELS, event_name)


def key_label(key: str) -> str:
    """Return the readable label of a trait or property key, or the key itself when unknown."""
    return _lookup("keys", KEY_LABELS, key)


def _lookup(section: str, built_in: dict[str, Promise], name: str) -> str:
    tenant = _tenant_labels(getattr(settings, "LOOKUP_LABELS_FILE", "")).get(section, {})
    if name in tenant:
        translations = tenant[name]
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return translations.get(language) or translations.get(settings.LANGUAGE_CODE) or name
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
