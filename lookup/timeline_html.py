"""The markup of the timeline's events: day headers, event heads, summaries and properties.

One Python function builds each event because template tags and filters,
about ten per event, took most of a 100-event page's render time. The page's
fragment stays in templates/lookup/timeline.html, which calls ``events_html``
through the ``timeline_events`` tag.

Every value from PrimeData passes through ``html.escape`` here, the same
escaping as Django's ``escape``, or through ``display.value_html``, which
returns escaped markup. The browser builds an event's copy text from this
markup (static/js/app.js), so a change here changes the copied text too, and
the copy never shows more than the page.
"""

import html
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lookup import display, labels, masking, workbench
from lookup.primedata import Event
from lookup.services import UNKNOWN_DAY, TimelineEntry, event_digest


# Values that ``EventRenderer._value_html`` renders once per page. bool is an int.
SCALARS = (str, int, float, type(None))


def events_html(entries: list[TimelineEntry], *, mask_contacts: bool) -> SafeString:
    """Render a page of timeline entries, each preceded by its day header when it starts a day.

    With ``mask_contacts``, values under contact keys (LOOKUP_CONTACT_IDENTITIES)
    are masked, and so is every phone number and email inside other text,
    such as a note that repeats the customer's number.
    """
    renderer = EventRenderer(mask_contacts=mask_contacts)
    return SafeString("".join(renderer.entry_html(entry) for entry in entries))


def is_nested_list(value: Any) -> bool:
    """Tell whether a list contains dictionaries or lists, which are shown as a list rather than one line."""
    return isinstance(value, list) and any(isinstance(item, dict | list) for item in value)


def masked_value(value: Any, key: str) -> Any:
    """Return a property value as shown to an agent without full access.

    Text under a contact key is masked as that identity, and phone numbers and
    emails inside any other text are masked too. A list of values is masked
    item by item.
    """
    if isinstance(value, str):
        return masking.mask_identity(key, value) if workbench.is_contact(key) else masking.mask_identities(value)
    if isinstance(value, list):
        return [masked_value(item, key) for item in value]
    return value


class EventRenderer:
    """Renders the events of one page, reading settings, translations and labels once per page.

    A renderer belongs to one render: it keeps the language, the time zone
    and today's date of the request it was created in.
    """

    def __init__(self, *, mask_contacts: bool) -> None:
        self.mask_contacts = mask_contacts
        self.moments = display.Moments()
        self.today = self.moments.now.date()
        # xgettext finds no gettext call inside an f-string, so the
        # translations are looked up before the markup is assembled.
        source_title, copy_text = _("Source system"), _("Copy")
        all_properties, no_values = _("All properties"), _("(none)")
        self.source_title = html.escape(source_title)
        self.copy_button = (
            f'<button type="button" class="copy-button copy-event" data-copy-event>{html.escape(copy_text)}</button>'
        )
        self.details_summary = f"<summary>{html.escape(all_properties)}</summary>"
        self.no_properties = f'<dl class="event-properties"><dd class="muted">{html.escape(no_values)}</dd></dl>'
        self._day_headers: dict[str, str] = {}
        self._event_labels: dict[str, str] = {}
        self._key_terms: dict[str, tuple[str, str]] = {}
        self._values: dict[tuple[str, type, Any], str] = {}
        self._escapes: dict[str, str] = {}

    def entry_html(self, entry: TimelineEntry) -> str:
        """Render one event as an ``<li>``, after its day header when it starts a day."""
        event = entry.event
        parts = ["\n"]
        if entry.starts_day:
            parts.append(self._day_header(entry.day))
        parts += [
            f'<li class="event event-kind-{self._escaped(entry.kind)}" tabindex="-1"'
            f' data-event-id="{html.escape(event.id)}" data-event-key="{event_digest(event)}">\n',
            '  <div class="event-head">\n',
            '    <span class="event-icon" aria-hidden="true"></span>\n',
            f'    <span class="event-name" title="{self._escaped(event.event_name)}">'
            f"{self._event_label(event.event_name)}</span>\n",
            f"    {self._time_html(event)}\n",
            f'    <span class="event-source" title="{self.source_title}">{self._escaped(event.source)}</span>\n',
            f"    {self.copy_button}\n",
            "  </div>\n",
        ]
        if entry.summary:
            parts.append(f'  <p class="event-summary">{self._summary_html(entry.summary)}</p>\n')
        parts += [
            '  <details class="event-details">\n',
            f"    {self.details_summary}\n",
            f"    {self._properties_html(event.properties, '')}\n",
            "  </details>\n",
            "</li>\n",
        ]
        return "".join(parts)

    def _day_header(self, day: str) -> str:
        header = self._day_headers.get(day)
        if header is None:
            text = html.escape(self._day_text(day))
            header = f'<li class="timeline-day" data-day="{html.escape(day)}"><h3>{text}</h3></li>\n'
            self._day_headers[day] = header
        return header

    def _day_text(self, day: str) -> str:
        # ``day`` is a key from services.event_day: an ISO date or UNKNOWN_DAY.
        if day == UNKNOWN_DAY:
            return _("Unknown date")
        moment = date.fromisoformat(day)
        if moment == self.today:
            return _("Today")
        if moment == self.today - timedelta(days=1):
            return _("Yesterday")
        return f"{formats.date_format(moment, 'l')}, {formats.date_format(moment, 'SHORT_DATE_FORMAT')}"

    def _time_html(self, event: Event) -> str:
        """Render the event's local time of day, with the full date-time on hover.

        A time stamp that did not parse shows as received, in all three places.
        """
        value = event.time_stamp
        iso = self.moments.iso(value)
        title = self.moments.text(value)
        time_of_day = title
        if isinstance(value, datetime):
            time_of_day = self.moments.local(value).strftime("%H:%M")
        return (
            f'<time class="event-time" datetime="{html.escape(iso)}" title="{html.escape(title)}">'
            f"{html.escape(time_of_day)}</time>"
        )

    def _summary_html(self, summary: list[tuple[str, Any]]) -> str:
        items = []
        for key, value in summary:
            _title, label = self._key_term(key)
            items.append(
                f'<span class="summary-item"><span class="muted">{label}:</span> {self._value_html(value, key)}</span>'
            )
        return "".join(items)

    def _properties_html(self, value: Any, key: str) -> str:
        """Render properties as nested definition lists, and lists of lists or mappings as ordered lists."""
        if isinstance(value, dict):
            if not value:
                return self.no_properties
            rows = []
            for name, item in value.items():
                title, label = self._key_term(name)
                # Most properties are single values, which skip the checks for nesting.
                if isinstance(item, SCALARS):
                    value_markup = self._value_html(item, name)
                else:
                    value_markup = self._properties_html(item, name)
                rows.append(f'<dt title="{title}">{label}</dt><dd>{value_markup}</dd>')
            return f'<dl class="event-properties">{"".join(rows)}</dl>'
        if is_nested_list(value):
            items = "".join(f"<li>{self._properties_html(item, key)}</li>" for item in value)
            return f'<ol class="event-value-list">{items}</ol>'
        return self._value_html(value, key)

    def _value_html(self, value: Any, key: str) -> str:
        # Events of one page repeat many values (currencies, shops, page
        # titles), and the summary repeats properties, so scalars are rendered
        # once per page. The type is part of the memo key because True == 1.
        if not isinstance(value, SCALARS):
            return self._shown_value_html(value, key)
        memo_key = (key, type(value), value)
        markup = self._values.get(memo_key)
        if markup is None:
            markup = self._values[memo_key] = self._shown_value_html(value, key)
        return markup

    def _shown_value_html(self, value: Any, key: str) -> str:
        if self.mask_contacts:
            value = masked_value(value, key)
        return display.value_html(value, key, self.moments)

    def _escaped(self, text: str) -> str:
        # Kinds, event names and sources repeat on every page.
        escaped = self._escapes.get(text)
        if escaped is None:
            escaped = self._escapes[text] = html.escape(text)
        return escaped

    def _event_label(self, event_name: str) -> str:
        label = self._event_labels.get(event_name)
        if label is None:
            label = self._event_labels[event_name] = html.escape(labels.event_label(event_name))
        return label

    def _key_term(self, key: str) -> tuple[str, str]:
        """Return a property key and its label, both escaped for HTML."""
        term = self._key_terms.get(key)
        if term is None:
            term = self._key_terms[key] = (html.escape(key), html.escape(labels.key_label(key)))
        return term
