"""The audit trail in Django's admin: read-only, filterable, searchable by value, exportable."""

import csv
from collections.abc import Iterable

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lookup import identities
from lookup.audit import identity_hash
from lookup.models import AuditRecord

CSV_COLUMNS = [
    "created_at", "agent", "kind", "identity_type", "masked_value", "value_hash",
    "profile_id", "ticket", "outcome", "upstream_latency_ms", "request_id", "over_hourly_limit",
    "candidate_profile_ids",
]


class TextInputFilter(admin.SimpleListFilter):
    """A filter with a text box that matches one field exactly."""

    template = "admin/lookup/text_input_filter.html"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        # A filter without choices is not displayed, so one placeholder is returned.
        return [("", "")]

    def choices(self, changelist: ChangeList) -> Iterable[dict[str, object]]:
        # The form keeps the other filters and the search term as hidden fields.
        kept = [(key, value) for key, value in changelist.params.items() if key != self.parameter_name]
        yield {"query_parts": kept}

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = (self.value() or "").strip()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class TicketFilter(TextInputFilter):
    title = _("ticket")
    parameter_name = "ticket"


class ProfileIdFilter(TextInputFilter):
    """Match the resolved profile or one of the candidates a search offered."""

    title = _("profile ID")
    parameter_name = "profile_id"

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = (self.value() or "").strip()
        return queryset.filter(_profile_matches(value)) if value else queryset


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = [
        "created_at", "agent", "kind", "identity_type", "masked_value", "profile_id",
        "ticket", "outcome", "upstream_latency_ms", "over_hourly_limit", "request_id",
    ]
    list_filter = [
        ("agent", admin.RelatedOnlyFieldListFilter),
        "outcome",
        "kind",
        "created_at",
        "over_hourly_limit",
        TicketFilter,
        ProfileIdFilter,
    ]
    date_hierarchy = "created_at"
    # The search box is replaced by get_search_results; a field is listed
    # only so the admin shows the box.
    search_fields = ["value_hash"]
    search_help_text = _(
        "Type a phone number, email, customer ID or profile ID exactly; it is hashed "
        "and compared with the hashes of searched values. Ticket and request ID match too."
    )
    actions = ["export_csv"]
    list_select_related = ["agent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditRecord | None = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = identities.clean_text(search_term)
        if not term:
            return queryset, False
        hashes = {identity_hash(spelling) for spelling in _spellings(term)}
        matches = Q(value_hash__in=hashes) | Q(ticket=term) | _profile_matches(term) | Q(request_id=term)
        return queryset.filter(matches), False

    @admin.action(description=_("Export selected records as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for record in queryset.select_related("agent").order_by("created_at"):
            writer.writerow(_csv_row(record))
        return response


def _spellings(term: str) -> Iterable[str]:
    """Return the value as typed and as the lookup pages normalise it."""
    yield term
    try:
        query = identities.recognise(term)
    except identities.InvalidIdentity:
        return
    yield query.value


def _profile_matches(value: str) -> Q:
    """Match records that resolved ``value`` or listed it among their candidate profiles."""
    try:
        identities.parse(identities.PROFILE_ID, value)
    except identities.InvalidIdentity:
        return Q(profile_id=value)
    # Profile ids have one fixed length and no spaces, so a match inside the
    # space-separated list is always a whole id.
    return Q(profile_id=value) | Q(candidate_profile_ids__contains=value)


def _csv_row(record: AuditRecord) -> list[object]:
    return [
        record.created_at.isoformat(), record.agent.get_username(), record.kind,
        record.identity_type, record.masked_value, record.value_hash, record.profile_id,
        record.ticket, record.outcome, record.upstream_latency_ms, record.request_id,
        record.over_hourly_limit, record.candidate_profile_ids,
    ]
