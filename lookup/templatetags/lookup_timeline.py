"""The tag that renders a timeline page's events; their markup is built in lookup/timeline_html.py."""

from django import template
from django.utils.safestring import SafeString

from lookup import timeline_html
from lookup.services import TimelineEntry

register = template.Library()


@register.simple_tag
def timeline_events(entries: list[TimelineEntry], mask_contacts: bool = False) -> SafeString:
    """Render the events of a timeline page with their day headers, contacts masked when ``mask_contacts``."""
    return timeline_html.events_html(entries, mask_contacts=bool(mask_contacts))
