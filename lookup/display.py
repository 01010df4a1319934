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
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lookup import labels
from lookup.primedata import parse_timestamp

# Times older than this get no relative hint, because "45 ngày trước" adds
# nothing to the date itself.
RECENT = timedelta(days=30)


class Moments:
    """Formatter of instants for one render, in the time zone, language and date formats active at its creation.

    Reading the zone and the formats once, and writing each instant once,
    saves most of a timeline page's date formatting, because every event has
    a time and most have a time property too. A ``Moments`` belongs to one
    render, and its hints count from its creation.
    """

    def __init__(self, now: datetime | None = None) -> None:
        self.zone = timezone.get_current_timezone()
        self.now = timezone.localtime(now or timezone.now(), self.zone)
        self._date_format = formats.get_format("SHORT_DATE_FORMAT")
        self._datetime_format = formats.get_format("SHORT_DATETIME_FORMAT")
        self._date_pattern = strftime_pattern(self._date_format)
        self._datetime_pattern = strftime_pattern(self._datetime_format)
        self._html: dict[datetime | date, SafeString] = {}

    def local(self, value: datetime) -> datetime:
        return timezone.localtime(value, self.zone)

    def text(self, value: datetime | date | str | None) -> str:
        """Return a date-time in local time, a date as a date, other text as received."""
        if value is None or value == "":
            return _("(unknown)")
        if isinstance(value, datetime):
            return self._format(self.local(value), self._datetime_format, self._datetime_pattern)
        if isinstance(value, date):
            return self._format(value, self._date_format, self._date_pattern)
        return str(value)

    def iso(self, value: datetime | date | str | None) -> str:
        """Return the full ISO 8601 value in local time, for hover text and ``datetime`` attributes."""
        if isinstance(value, datetime):
            return self.local(value).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return str(value or "")

    def hint(self, value: datetime | date | str | None) -> str:
        """Return "vừa xong", "3 giờ trước", "hôm qua" or "3 ngày trước" for a recent instant, else "".

        Dates without a time get no hint, and neither do instants in the future
        beyond a minute of clock skew.
        """
        if not isinstance(value, datetime):
            return ""
        moment = self.local(value)
        elapsed = self.now - moment
        if elapsed < timedelta(minutes=-1) or elapsed > RECENT:
            return ""
        if elapsed < timedelta(minutes=1):
            return _("just now")
        days = (self.now.date() - moment.date()).days
        if days == 0:
            if elapsed < timedelta(hours=1):
                minutes = elapsed // timedelta(minutes=1)
                return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
            hours = elapsed // timedelta(hours=1)
            return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
        if days == 1:
            return _("yesterday")
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}

    def html(self, value: datetime | date | str | None) -> SafeString:
        """Render a ``<time>`` element: local date-time, a relative hint, the ISO value on hover."""
        if not isinstance(value, datetime | date):
            return format_html("{}", self.text(value))
        markup = self._html.get(value)
        if markup is None:
            markup = self._html[value] = self._time_element(value)
        return markup

    def _time_element(self, value: datetime | date) -> SafeString:
        iso = html.escape(self.iso(value))
        text = html.escape(self.text(value))
        hint = self.hint(value)
        if hint:
            return SafeString(
                f'<time datetime="{iso}" title="{iso}">{text} <span class="moment-hint">({html.escape(hint)})</span>'
                "</time>"
            )
        return SafeString(f'<time datetime="{iso}" title="{iso}">{text}</time>')

    @staticmethod
    def _format(value: date, django_format: str, pattern: str | None) -> str:
        # strftime writes years before 1000 with fewer than four digits.
        if pattern is None or value.year < 1000:
            return dateformat.format(value, django_format)
        return value.strftime(pattern)


# Django date format characters that strftime writes the same way.
_STRFTIME_CODES = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


@lru_cache(maxsize=16)
def strftime_pattern(django_format: str) -> str | None:
    """Return the strftime pattern that writes ``django_format``, or None if it has another format character.

    Only fields written in digits are translated, so the result is the same
    in every locale: "d/m/Y H:i" becomes "%d/%m/%Y %H:%M".
    """
    pattern = []
    for character in django_format:
        if character in _STRFTIME_CODES:
            pattern.append(_STRFTIME_CODES[character])
        elif character.isalpha() or character == "\\":
            return None
        else:
            pattern.append(character.replace("%", "%%"))
    return "".join(pattern)


def moment_text(value: datetime | date | str | None) -> str:
    """Show a date-time in Vietnamese local time, a date as a date, other text as received."""
    return Moments().text(value)


def moment_html(value: datetime | date | str | None) -> SafeString:
    """Render a ``<time>`` element: local date-time, a relative hint, the ISO value on hover."""
    return Moments().html(value)


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


def value_html(value: Any, key: str = "", moments: Moments | None = None) -> SafeString:
    """Render any JSON value from PrimeData as readable, escaped HTML.

    ``key`` is the trait or property name: amounts under a money key (the
    LOOKUP_MONEY_KEYS setting) read as VND. Nested lists and objects become
    lists and definition lists, with their keys labelled like top-level ones.
    A page that shows many values passes one ``moments`` for all of them.
    """
    if value is None:
        return format_html('<span class="muted">{}</span>', _("(empty)"))
    if isinstance(value, bool):
        return format_html("{}", _("Yes") if value else _("No"))
    if isinstance(value, int | float | Decimal):
        return _text_html(money_text(value) if key and is_money_key(key) else number_text(value))
    if isinstance(value, datetime | date):
        return (moments or Moments()).html(value)
    if isinstance(value, str):
        return _string_html(value, key, moments)
    if isinstance(value, list):
        return _list_html(value, key, moments)
    if isinstance(value, dict):
        return _mapping_html(value, moments)
    return format_html("{}", str(value))


def _string_html(text: str, key: str, moments: Moments | None) -> SafeString:
    # PrimeData sends times and amounts as strings too, such as
    # "2023:01:01T20:00:00Z" or "120000".
    parsed = parse_timestamp(text)
    if isinstance(parsed, datetime | date):
        return (moments or Moments()).html(parsed)
    if key and is_money_key(key):
        try:
            amount = Decimal(text.strip())
        except InvalidOperation:
            return _text_html(text)
        if amount.is_finite():
            return _text_html(money_text(amount))
    return _text_html(text)


def _list_html(items: list[Any], key: str, moments: Moments | None) -> SafeString:
    if not items:
        return format_html('<span class="muted">{}</span>', _("(none)"))
    # A semicolon separates items because a comma is the Vietnamese decimal mark.
    if all(not isinstance(item, list | dict) for item in items):
        return format_html_join("; ", "{}", ((value_html(item, key, moments),) for item in items))
    return format_html(
        '<ul class="value-list">{}</ul>',
        format_html_join("", "<li>{}</li>", ((value_html(item, key, moments),) for item in items)),
    )


def _mapping_html(mapping: dict[str, Any], moments: Moments | None) -> SafeString:
    if not mapping:
        return format_html('<span class="muted">{}</span>', _("(none)"))
    rows = (
        (str(name), labels.key_label(str(name)), value_html(item, str(name), moments))
        for name, item in mapping.items()
    )
    return format_html(
        '<dl class="value-map">{}</dl>',
        format_html_join("", '<dt title="{}">{}</dt><dd>{}</dd>', rows),
    )
