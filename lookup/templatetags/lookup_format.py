"""Filters that turn PrimeData values into text for agents."""

import json
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lookup import labels
from lookup.primedata import Event
from lookup.services import event_digest

register = template.Library()


@register.filter
def value_text(value: Any) -> str:
    """Render any JSON value as readable text; autoescaping still applies."""
    if value is None:
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime | date):
        return moment_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value) if value else _("(none)")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {value_text(item)}" for key, item in value.items()) or _("(none)")
    return json.dumps(value, ensure_ascii=False, default=str)


@register.filter
def moment_text(value: datetime | date | str | None) -> str:
    """Show a parsed date-time in Vietnamese local time, or the raw text as received."""
    if value is None or value == "":
        return _("(unknown)")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@register.filter
def moment_iso(value: datetime | date | str | None) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


@register.filter
def event_key(event: Event) -> str:
    """Return the digest that tells repeated events apart (see ``services.event_digest``)."""
    return event_digest(event)


@register.filter
def entries(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return a mapping's key-value pairs.

    Templates must not write ``data.items``: for PrimeData's free-form
    dictionaries, a key named "items" would win over the method.
    """
    return list(mapping.items()) if isinstance(mapping, dict) else []


@register.filter
def event_label(event_name: str) -> str:
    return labels.event_label(event_name)


@register.filter
def key_label(key: str) -> str:
    return labels.key_label(key)
