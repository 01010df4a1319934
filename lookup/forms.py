"""Forms for the search page, deep links and timeline filters."""

import re
from collections.abc import Mapping
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lookup import identities, labels
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


class RevealForm(forms.Form):
    """Which masked contact value to show, and why: the reason goes to the audit trail."""

    name = forms.CharField(max_length=64)
    index = forms.IntegerField(min_value=0, max_value=99)
    reason = forms.CharField(
        label=gettext_lazy("Reason for showing the full value"), min_length=3, max_length=200,
    )
    ticket = forms.CharField(required=False, max_length=200)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name not in settings.LOOKUP_CONTACT_IDENTITIES:
            raise forms.ValidationError(_("Only contact details are masked."))
        return name

    def clean_reason(self) -> str:
        return identities.clean_text(self.cleaned_data["reason"])

    def clean_ticket(self) -> str:
        return clean_ticket(self.cleaned_data.get("ticket", ""))


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
    linked = _linked_identity(params)
    if linked is None:
        accepted = ", ".join((identities.PROFILE_ID, *settings.PRIMEDATA_IDENTITY_NAMES, "q"))
        raise InvalidIdentity(
            _("The link names no customer. Add one of these parameters: %(names)s.") % {"names": accepted}
        )
    name, value = linked
    query = identities.recognise(value) if name == AUTOMATIC else identities.parse(name, value)
    return query, ticket


def deep_link_form(params: Mapping[str, str], *, ticket: str) -> SearchForm | None:
    """Return the search form bound to a rejected deep link's identity, or None when the link names none.

    The form shows the value and identity type the link carried, with the
    error under the value, so the agent can correct it. ``ticket`` is the
    link's valid ticket reference, or "".
    """
    linked = _linked_identity(params)
    if linked is None:
        return None
    name, value = linked
    form = SearchForm(
        {"q": value, "identity_name": name, "ticket": params.get("ticket", "")}, initial={"ticket": ticket}
    )
    form.is_valid()
    return form


def _linked_identity(params: Mapping[str, str]) -> tuple[str, str] | None:
    """Return the identity name (AUTOMATIC for ``q``) and value that a deep link carries, or None."""
    for name in (identities.PROFILE_ID, *settings.PRIMEDATA_IDENTITY_NAMES):
        if name in params:
            return name, params[name]
    if "q" in params:
        return AUTOMATIC, params["q"]
    return None


# Date presets of the timeline filter, in days back from today.
RANGE_PRESETS = {"7": 7, "30": 30, "90": 90}
ALL_TIME = "all"
CUSTOM_RANGE = "custom"
_DAY_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2}|unknown)$")


def range_choices() -> list[tuple[str, str]]:
    return [
        ("7", gettext_lazy("7 days")),
        ("30", gettext_lazy("30 days")),
        ("90", gettext_lazy("90 days")),
        (ALL_TIME, gettext_lazy("All time")),
        (CUSTOM_RANGE, gettext_lazy("Custom dates")),
    ]


def sort_choices() -> list[tuple[str, str]]:
    return [("desc", gettext_lazy("Newest first")), ("asc", gettext_lazy("Oldest first"))]


class TimelineFilterForm(forms.Form):
    """The filters and order of a timeline, as they appear in the profile page URL.

    Parameters: ``events`` (repeated, event names), ``range`` (7, 30, 90, all
    or custom), ``start`` and ``end`` (ISO dates, both exclusive, used only
    with a custom range) and ``sort`` (desc or asc). A custom range is
    assumed when dates arrive without ``range``.
    """

    events = forms.MultipleChoiceField(
        label=gettext_lazy("Event types"), required=False, widget=forms.CheckboxSelectMultiple
    )
    range = forms.ChoiceField(label=gettext_lazy("Period"), required=False, widget=forms.RadioSelect)
    start = forms.DateField(label=gettext_lazy("From"), required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=gettext_lazy("Before"), required=False, input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False)

    def __init__(self, data: Mapping[str, object] | None = None, **kwargs: object) -> None:
        if data is not None and not data.get("range"):
            # Mark the period the URL implies as chosen, because a link may omit `range`.
            data = data.copy()  # type: ignore[attr-defined]
            data["range"] = CUSTOM_RANGE if data.get("start") or data.get("end") else ALL_TIME
        super().__init__(data, **kwargs)  # type: ignore[arg-type]
        self.fields["events"].choices = [(name, labels.event_label(name)) for name in settings.LOOKUP_EVENT_NAMES]
        self.fields["range"].choices = range_choices()
        self.fields["sort"].choices = sort_choices()
        self.fields["events"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not an event type of this tenant."
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        chosen = cleaned.get("range") or (CUSTOM_RANGE if start or end else ALL_TIME)
        cleaned["range"] = chosen
        if chosen != CUSTOM_RANGE:
            # A preset wins over dates left in the form from an earlier custom range.
            cleaned["start"] = cleaned["end"] = None
        elif not (start or end) and not self.has_error("start") and not self.has_error("end"):
            self.add_error("start", _("Enter a start date, an end date or both for a custom period."))
        elif start and end and start >= end:
            self.add_error("end", _("This date must be later than the “From” date."))
        return cleaned

    def timeline_query(self) -> TimelineQuery:
        """Return the query of a valid form; a preset is resolved against today's date."""
        data = self.cleaned_data
        start = data["start"]
        if data["range"] in RANGE_PRESETS:
            start = timezone.localdate() - timedelta(days=RANGE_PRESETS[data["range"]])
        return TimelineQuery(
            sort=data.get("sort") or "desc",
            include=tuple(data.get("events") or ()),
            start=start,
            end=data["end"],
        )

    def error_text(self) -> str:
        """Return every error of the form as one line for the agent."""
        return " ".join(message for messages in self.errors.values() for message in messages)


class TimelineForm(TimelineFilterForm):
    """Query parameters of a timeline page: the filters plus the paging state."""

    cursor = forms.CharField(required=False, max_length=4096)
    seen = forms.CharField(required=False, max_length=2000)
    trail = forms.CharField(required=False, max_length=200)
    # The local day the previous page ended on, so its header is not repeated.
    day = forms.RegexField(regex=_DAY_KEY, required=False)
    # Only carried into the "clear filters" link, which reopens the profile.
    ticket = forms.CharField(required=False, max_length=200)

    def cursor_state(self) -> tuple[str | None, frozenset[str], tuple[str, ...]]:
        data = self.cleaned_data
        seen = frozenset(item for item in data.get("seen", "").split(".") if item)
        trail = tuple(item for item in data.get("trail", "").split(".") if item)
        return data.get("cursor") or None, seen, trail
