"""Forms for the search page, deep links and timeline filters."""

import re
from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lookup import identities
from lookup.identities import IdentityQuery, InvalidIdentity
from lookup.services import TimelineQuery

AUTOMATIC = "auto"
# Ticket references come from CRM link templates: letters, digits and a few
# separators are enough, and the limit keeps them readable in the audit trail.
_TICKET_SHAPE = re.compile(r"^[\w .#/:-]{1,64}$")


def identity_choices() -> list[tuple[str, str]]:
    return [
        (AUTOMATIC, gettext_lazy("Recognise automatically")),
        (identities.PROFILE_ID, gettext_lazy("Profile ID")),
        *((name, identity_label(name)) for name in settings.PRIMEDATA_IDENTITY_NAMES),
    ]


def identity_label(name: str) -> str:
    labels = {
        identities.PHONE_NUMBER: gettext_lazy("Phone number"),
        identities.EMAIL: gettext_lazy("Email"),
        "crm_user_id": gettext_lazy("CRM customer ID"),
        "clevertap_device_id": gettext_lazy("Device ID (CleverTap)"),
        identities.PROFILE_ID: gettext_lazy("Profile ID"),
    }
    return str(labels.get(name, name))


def clean_ticket(raw: str) -> str:
    """Return the ticket reference, or raise ValidationError with a message for the agent."""
    ticket = identities.clean_text(raw)
    if ticket and not _TICKET_SHAPE.match(ticket):
        raise forms.ValidationError(
            _("The ticket reference “%(ticket)s” is invalid: use at most 64 letters, digits, spaces or . # / : - _"),
            params={"ticket": ticket[:80]},
        )
    return ticket


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Customer"), max_length=300)
    identity_name = forms.ChoiceField(label=gettext_lazy("Identity type"), required=False)
    ticket = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["identity_name"].choices = identity_choices()
        self.fields["q"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "off", "spellcheck": "false", "id": "search-input"}
        )
        self.identity_query: IdentityQuery | None = None

    def clean_ticket(self) -> str:
        return clean_ticket(self.cleaned_data.get("ticket", ""))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        raw = cleaned.get("q")
        if raw is None:
            return cleaned
        name = cleaned.get("identity_name") or AUTOMATIC
        try:
            if name == AUTOMATIC:
                self.identity_query = identities.recognise(str(raw))
            else:
                self.identity_query = identities.parse(str(name), str(raw))
        except InvalidIdentity as error:
            self.add_error("q", str(error))
        return cleaned


def parse_deep_link(params: Mapping[str, str]) -> tuple[IdentityQuery, str]:
    """Read a CRM deep link's identity and ticket, or raise InvalidIdentity.

    Accepted parameters: ``profile_id``, any configured identity name, ``q``
    (type recognised from the value) and an optional ``ticket``. The first of
    them present, in that order, is used; unknown parameters are ignored.
    """
    try:
        ticket = clean_ticket(params.get("ticket", ""))
    except forms.ValidationError as error:
        raise InvalidIdentity(" ".join(error.messages)) from None
    for name in (identities.PROFILE_ID, *settings.PRIMEDATA_IDENTITY_NAMES):
        if name in params:
            return identities.parse(name, params[name]), ticket
    if "q" in params:
        return identities.recognise(params["q"]), ticket
    accepted = ", ".join((identities.PROFILE_ID, *settings.PRIMEDATA_IDENTITY_NAMES, "q"))
    raise InvalidIdentity(
        _("The link names no customer. Add one of these parameters: %(names)s.") % {"names": accepted}
    )


class TimelineForm(forms.Form):
    """Query parameters of a timeline page; an invalid one falls back to its default."""

    sort = forms.ChoiceField(choices=[("desc", "desc"), ("asc", "asc")], required=False)
    cursor = forms.CharField(required=False, max_length=4096)
    seen = forms.CharField(required=False, max_length=2000)
    trail = forms.CharField(required=False, max_length=200)

    def timeline_query(self) -> TimelineQuery:
        data = self.cleaned_data if self.is_valid() else {}
        return TimelineQuery(sort=data.get("sort") or "desc")

    def cursor_state(self) -> tuple[str | None, frozenset[str], tuple[str, ...]]:
        data = self.cleaned_data if self.is_valid() else {}
        seen = frozenset(item for item in data.get("seen", "").split(".") if item)
        trail = tuple(item for item in data.get("trail", "").split(".") if item)
        return data.get("cursor") or None, seen, trail
