"""Filters that mask contact details in event properties for agents without full access."""

from typing import Any

from django import template

from lookup.masking import mask_identity
from lookup.workbench import is_contact

register = template.Library()


@register.filter
def contact_masked(value: Any, key: str) -> Any:
    """Mask ``value`` when ``key`` names a contact identity (LOOKUP_CONTACT_IDENTITIES) and it is text."""
    if isinstance(value, str) and is_contact(key):
        return mask_identity(key, value)
    return value
