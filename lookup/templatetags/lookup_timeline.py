"""Filters for the event timeline: day headers, event times and event properties."""

from datetime import date, datetime, timedelta
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lookup import labels
from lookup.services import UNKNOWN_DAY
from lookup.templatetags.lookup_contacts import contact_masked
from lookup.templatetags.lookup_format import moment_text, value_text

register = template.Library()


@register.filter
def day_text(day: str) -> str:
    """Return the header of a day key from ``services.event_day``: "Today", "Yesterday" or the date."""
    if day == UNKNOWN_DAY:
        return _("Unknown date")
    moment = date.fromisoformat(day)
    today = timezone.localdate()
    if moment == today:
        return _("Today")
    if moment == today - timedelta(days=1):
        return _("Yesterday")
    return f"{formats.date_format(moment, 'l')}, {formats.date_format(moment, 'SHORT_DATE_FORMAT')}"


@register.filter
def event_time(value: datetime | str | None) -> str:
    """Return the local time of day of an event, or its time stamp as received when it did not parse."""
    if isinstance(value, datetime):
        return formats.time_format(timezone.localtime(value), "H:i")
    return moment_text(value)


@register.simple_tag
def event_properties(properties: dict[str, Any], mask_contacts: bool = False) -> SafeString:
    """Render an event's properties, nested values included, as nested lists of text.

    Rendering in Python rather than through a recursive template include
    keeps a 100-event timeline page fast; ``format_html`` escapes every value.
    """
    return _property_html(properties, "", mask_contacts)


def _property_html(value: Any, key: str, mask_contacts: bool) -> SafeString:
    if isinstance(value, dict):
        if not value:
            return format_html('<dl class="event-properties"><dd class="muted">{}</dd></dl>', _("(none)"))
        rows = format_html_join(
            "", '<dt title="{}">{}</dt><dd>{}</dd>',
            ((name, labels.key_label(name), _property_html(item, name, mask_contacts))
             for name, item in value.items()),
        )
        return format_html('<dl class="event-properties">{}</dl>', rows)
    if is_nested_list(value):
        items = format_html_join("", "<li>{}</li>", ((_property_html(item, key, mask_contacts),) for item in value))
        return format_html('<ol class="event-value-list">{}</ol>', items)
    if mask_contacts:
        value = contact_masked(value, key)
    return value_text(value, key)


@register.filter
def is_mapping(value: Any) -> bool:
    return isinstance(value, dict)


@register.filter
def is_nested_list(value: Any) -> bool:
    """Tell whether a list contains dictionaries or lists, which are shown as a list rather than one line."""
    return isinstance(value, list) and any(isinstance(item, dict | list) for item in value)
