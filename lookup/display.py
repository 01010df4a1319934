"""Turn PrimeData values into what agents read: local times, Vietnamese numbers, VND.

Every function here returns HTML-escaped markup (a ``SafeString``) or plain
text meant for autoescaping, never raw data. Machine contexts (URLs, ``hx-*``
and ``data-*`` attributes, JSON, form values) must use the raw value instead,
so templates apply these only to text shown to people.
"""

import html
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lookup import labels
from lookup.primedata import parse_timestamp

# Times older than this get no relative hint, because "45 ngày trước" adds
# nothing to the date itself.
RECENT = timedelta(days=30)


def moment_text(value: datetime | date | str | None) -> str:
    """Show a date-time in Vietnamese local time, a date as a date, other text as received."""
    if value is None or value == "":
        return _("(unknown)")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def moment_iso(value: datetime | date | str | None) -> str:
    """Return the full ISO 8601 value in local time, for hover text and ``datetime`` attributes."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


def moment_hint(value: datetime | date | str | None, now: datetime | None = None) -> str:
    """Return "vừa xong", "3 giờ trước", "hôm qua" or "3 ngày trước" for a recent instant, else "".

    Dates without a time get no hint, and neither do instants in the future
    beyond a minute of clock skew.
    """
    if not isinstance(value, datetime):
        return ""
    now = timezone.localtime(now or timezone.now())
    moment = timezone.localtime(value)
    elapsed = now - moment
    if elapsed < timedelta(minutes=-1) or elapsed > RECENT:
        return ""
    if elapsed < timedelta(minutes=1):
        return _("just now")
    days = (now.date() - moment.date()).days
    if days == 0:
        if elapsed < timedelta(hours=1):
            minutes = elapsed // timedelta(minutes=1)
            return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
        hours = elapsed // timedelta(hours=1)
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    if days == 1:
        return _("yesterday")
    return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}


def moment_html(value: datetime | date | str | None) -> SafeString:
    """Render a ``<time>`` element: local date-time, a relative hint, the ISO value on hover."""
    if not isinstance(value, datetime | date):
        return format_html("{}", moment_text(value))
    iso = html.escape(moment_iso(value))
    text = html.escape(moment_text(value))
    hint = moment_hint(value)
    if hint:
        return SafeString(
            f'<time datetime="{iso}" title="{iso}">{text} <span class="moment-hint">({html.escape(hint)})</span></time>'
        )
    return SafeString(f'<time datetime="{iso}" title="{iso}">{text}</time>')


def number_text(value: int | float | Decimal) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def money_text(value: int | float | Decimal) -> str:
    """Show an amount in Vietnamese dong, which has no minor unit: 12.000 ₫."""
    rounded = Decimal(str(value)).quantize(Decimal(1))
    return f"{formats.number_format(rounded, decimal_pos=0, use_l10n=True, force_grouping=True)} ₫"


def is_money_key(key: str) -> bool:
    """Tell whether ``key`` is a money key of LOOKUP_MONEY_KEYS or ends with one ("order_revenue")."""
    return _is_money_key(key, tuple(settings.LOOKUP_MONEY_KEYS))


@lru_cache(maxsize=4096)
def _is_money_key(key: str, money_keys: tuple[str, ...]) -> bool:
    key = key.lower()
    return any(key == name.lower() or key.endswith("_" + name.lower()) for name in money_keys)


def _text_html(text: str) -> SafeString:
    # The same escaping as format_html("{}", text), without its lazy-string
    # checks, which cost more than the escaping on a page of many values.
    return SafeString(html.escape(text))


def value_html(value: Any, key: str = "") -> SafeString:
    """Render any JSON value from PrimeData as readable, escaped HTML.

    ``key`` is the trait or property name: amounts under a money key (the
    LOOKUP_MONEY_KEYS setting) read as VND. Nested lists and objects become
    lists and definition lists, with their keys labelled like top-level ones.
    """
    if value is None:
        return format_html('<span class="muted">{}</span>', _("(empty)"))
    if isinstance(value, bool):
        return format_html("{}", _("Yes") if value else _("No"))
    if isinstance(value, int | float | Decimal):
        return _text_html(money_text(value) if key and is_money_key(key) else number_text(value))
    if isinstance(value, datetime | date):
        return moment_html(value)
    if isinstance(value, str):
        return _string_html(value, key)
    if isinstance(value, list):
        return _list_html(value, key)
    if isinstance(value, dict):
        return _mapping_html(value)
    return format_html("{}", str(value))


def _string_html(text: str, key: str) -> SafeString:
    # PrimeData sends times and amounts as strings too, such as
    # "2023:01:01T20:00:00Z" or "120000".
    parsed = parse_timestamp(text)
    if isinstance(parsed, datetime | date):
        return moment_html(parsed)
    if key and is_money_key(key):
        try:
            amount = Decimal(text.strip())
        except InvalidOperation:
            return _text_html(text)
        if amount.is_finite():
            return _text_html(money_text(amount))
    return _text_html(text)


def _list_html(items: list[Any], key: str) -> SafeString:
    if not items:
        return format_html('<span class="muted">{}</span>', _("(none)"))
    # A semicolon separates items because a comma is the Vietnamese decimal mark.
    if all(not isinstance(item, list | dict) for item in items):
        return format_html_join("; ", "{}", ((value_html(item, key),) for item in items))
    return format_html(
        '<ul class="value-list">{}</ul>',
        format_html_join("", "<li>{}</li>", ((value_html(item, key),) for item in items)),
    )


def _mapping_html(mapping: dict[str, Any]) -> SafeString:
    if not mapping:
        return format_html('<span class="muted">{}</span>', _("(none)"))
    rows = (
        (str(name), labels.key_label(str(name)), value_html(item, str(name)))
        for name, item in mapping.items()
    )
    return format_html(
        '<dl class="value-map">{}</dl>',
        format_html_join("", '<dt title="{}">{}</dt><dd>{}</dd>', rows),
    )
