"""Writing the audit trail: one record per lookup, whatever its outcome.

Views call ``audit_record`` directly for outcomes they decide themselves
(invalid input, denied access) and wrap upstream calls in ``recording``,
which times the call and derives the outcome from its result or error.
"""

import hashlib
import hmac
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from lookup import primedata
from lookup.forms import AUTOMATIC, clean_ticket
from lookup.identities import PROFILE_ID, IdentityQuery, clean_text
from lookup.masking import mask_identity
from lookup.models import AuditRecord

logger = logging.getLogger(__name__)

Kind = AuditRecord.Kind
Outcome = AuditRecord.Outcome


def identity_hash(value: str) -> str:
    """Return the keyed hash (HMAC-SHA256 with AUDIT_HASH_KEY) of a normalised identity value.

    Emails are lower-cased first, so an auditor finds a lookup whatever case
    the agent typed.
    """
    normalised = clean_text(value)
    if "@" in normalised:
        normalised = normalised.lower()
    key = settings.AUDIT_HASH_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def profile_query(profile_id: str) -> IdentityQuery:
    """Return the query that a profile page or timeline page stands for in the trail."""
    return IdentityQuery(name=PROFILE_ID, value=profile_id, spellings=(profile_id,))


def audit_record(
    request: HttpRequest,
    *,
    kind: str,
    outcome: str,
    identity_type: str = "",
    value: str = "",
    profile_id: str = "",
    candidate_profile_ids: Sequence[str] = (),
    ticket: str = "",
    latency_ms: int | None = None,
    reason: str = "",
) -> AuditRecord:
    """Write one audit record for ``request``'s agent and flag agents over the hourly limit.

    ``candidate_profile_ids`` lists the profiles a search offered when it
    matched several. They do not count as customers looked up.
    """
    record = AuditRecord(
        agent=request.user,
        kind=kind,
        outcome=outcome,
        identity_type=identity_type[:64],
        masked_value=mask_identity(identity_type, value)[:80] if value else "",
        value_hash=identity_hash(value) if value else "",
        profile_id=profile_id[:27],
        candidate_profile_ids=" ".join(candidate_profile_ids),
        ticket=ticket[:64],
        upstream_latency_ms=latency_ms,
        request_id=getattr(request, "request_id", "")[:64],
        reason=reason[:200],
    )
    record.over_hourly_limit = _over_hourly_limit(record)
    record.save()
    return record


@dataclass
class Recording:
    """The parts of a pending audit record that the upstream call decides."""

    profile_ids: list[str] = field(default_factory=list)


@contextmanager
def recording(
    request: HttpRequest,
    kind: str,
    query: IdentityQuery,
    *,
    ticket: str = "",
) -> Iterator[Recording]:
    """Time the PrimeData call in the block and write its audit record when the block ends.

    A ``PrimeDataError`` from the block is recorded and raised again. The
    block sets ``profile_ids`` to the profiles it found; one resolved profile
    is recorded as the record's profile_id, several as its candidate profile IDs.
    """
    pending = Recording()
    started = time.monotonic()
    outcome = Outcome.FOUND
    try:
        yield pending
    except primedata.ProfileNotFound:
        outcome = Outcome.NOT_FOUND
        raise
    except primedata.CursorRejected:
        outcome = Outcome.UPSTREAM_ERROR
        raise
    except primedata.InvalidRequest:
        outcome = Outcome.INVALID
        raise
    except primedata.PrimeDataError:
        outcome = Outcome.UPSTREAM_ERROR
        raise
    finally:
        resolved = pending.profile_ids[0] if len(pending.profile_ids) == 1 else ""
        candidates = pending.profile_ids if len(pending.profile_ids) > 1 else []
        audit_record(
            request,
            kind=kind,
            outcome=outcome,
            identity_type=query.name,
            value=query.value,
            profile_id=query.value if query.is_profile_id else resolved,
            candidate_profile_ids=candidates,
            ticket=ticket,
            latency_ms=round((time.monotonic() - started) * 1000),
        )


def audit_invalid(request: HttpRequest, kind: str, params: Mapping[str, str]) -> AuditRecord:
    """Record a lookup rejected as invalid, with the value the agent typed or the link carried.

    ``params`` is the search form's POST data (``q`` and ``identity_name``) or
    a deep link's query string, whose first parameter other than ``ticket``
    names the identity.
    """
    if "q" in params:
        name = params.get("identity_name", "")
        identity_type, value = ("" if name == AUTOMATIC else name), params["q"]
    else:
        identity_type, value = next(
            ((key, item) for key, item in params.items() if key != "ticket"), ("", "")
        )
    return audit_record(
        request, kind=kind, outcome=Outcome.INVALID, identity_type=identity_type,
        value=value, ticket=ticket_of(params),
    )


def ticket_of(params: Mapping[str, str]) -> str:
    """Return the ticket reference in ``params``, or "" when it is missing or invalid."""
    try:
        return clean_ticket(params.get("ticket", ""))
    except ValidationError:
        return ""


def _over_hourly_limit(record: AuditRecord) -> bool:
    """Tell whether the agent passes the distinct-customer limit with ``record``.

    A customer is a resolved profile_id. The WARNING is logged once, on the
    record that first crosses the limit within the sliding hour.
    """
    limit = settings.AUDIT_DISTINCT_CUSTOMERS_PER_HOUR
    since = timezone.now() - timedelta(hours=1)
    # One query counts the agent's customers of the hour and whether this
    # record's customer is among them, rather than fetching every profile ID.
    counts = (
        AuditRecord.objects.filter(agent=record.agent, created_at__gte=since)
        .exclude(profile_id="")
        .aggregate(
            earlier=Count("profile_id", distinct=True),
            repeats=Count("pk", filter=Q(profile_id=record.profile_id)),
        )
    )
    earlier = counts["earlier"]
    is_new_customer = bool(record.profile_id) and not counts["repeats"]
    customers = earlier + is_new_customer
    if customers > limit and earlier <= limit:
        logger.warning(
            "Agent %s looked up %d distinct customers in the last hour, over the limit of %d",
            record.agent.get_username(),
            customers,
            limit,
        )
    return customers > limit
