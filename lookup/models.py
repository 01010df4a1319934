"""The audit trail: one record per lookup, profile view or timeline page."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOOK_UP_CUSTOMERS = "lookup.look_up_customers"
VIEW_FULL_CONTACT_DETAILS = "lookup.view_full_contact_details"


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Audit records cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit records cannot be deleted.")


class AuditRecord(models.Model):
    """Who looked up which customer, when, for which ticket, and what came of it.

    No trait or event data is stored: the searched value only masked and as
    a keyed hash (``lookup.audit.identity_hash``), so an auditor can find
    every lookup of one value without the table holding the value.
    """

    class Kind(models.TextChoices):
        SEARCH = "search", _("Search")
        DEEP_LINK = "deep_link", _("Deep link")
        PROFILE_VIEW = "profile_view", _("Profile view")
        TIMELINE_PAGE = "timeline_page", _("Timeline page")
        REVEAL = "reveal", _("Contact revealed")

    class Outcome(models.TextChoices):
        FOUND = "found", _("Found")
        NOT_FOUND = "not_found", _("Not found")
        INVALID = "invalid", _("Invalid")
        UPSTREAM_ERROR = "upstream_error", _("Upstream error")
        DENIED = "denied", _("Denied")

    # PROTECT keeps the trail whole: deactivate an agent instead of deleting them.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent")
    )
    created_at = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    identity_type = models.CharField(_("identity type"), max_length=64, blank=True)
    masked_value = models.CharField(_("masked value"), max_length=80, blank=True)
    value_hash = models.CharField(_("value hash"), max_length=64, blank=True, db_index=True)
    profile_id = models.CharField(_("profile ID"), max_length=27, blank=True, db_index=True)
    # A search that matched several profiles resolves none, so profile_id
    # stays blank and the profiles offered to the agent are listed here,
    # separated by spaces.
    candidate_profile_ids = models.TextField(_("candidate profile IDs"), blank=True)
    ticket = models.CharField(_("ticket"), max_length=64, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    upstream_latency_ms = models.PositiveIntegerField(_("upstream latency (ms)"), null=True, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    # Set when the agent had looked up more distinct customers in the hour
    # before this record than AUDIT_DISTINCT_CUSTOMERS_PER_HOUR allows.
    over_hourly_limit = models.BooleanField(_("over hourly limit"), default=False, db_index=True)
    # Why an agent without the full-contact permission revealed a masked value.
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-created_at"]
        # Only "view" exists, so no group can be granted add, change or delete.
        default_permissions = ("view",)
        permissions = [
            ("look_up_customers", _("Can look up customers")),
            ("view_full_contact_details", _("Can view full contact details")),
        ]
        indexes = [models.Index(fields=["agent", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.agent_id} {self.kind} {self.outcome}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("Audit records cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit records cannot be deleted.")
