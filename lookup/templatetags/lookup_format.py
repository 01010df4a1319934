"""Filters that turn PrimeData values into text for agents."""

from datetime import date, datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from lookup import display, labels

register = template.Library()


@register.filter
def value_text(value: Any, key: str = "") -> SafeString:
    """Render any JSON value as readable HTML; ``key`` names the trait or property (money keys read as VND)."""
    return display.value_html(value, key)


@register.filter
def moment(value: datetime | date | str | None) -> SafeString:
    """Render a ``<time>`` element with local time, a relative hint and the ISO value on hover."""
    return display.moment_html(value)


@register.filter
def entries(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return a mapping's key-value pairs.

    Templates must not write ``data.items``: for PrimeData's free-form
    dictionaries, a key named "items" would win over the method.
    """
    return list(mapping.items()) if isinstance(mapping, dict) else []


@register.filter
def key_label(key: str) -> str:
    return labels.key_label(key)
