"""The message and status an agent gets when a PrimeData call fails."""

import math
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from lookup import primedata
from lookup.circuit import CircuitOpen


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    message: str
    retry_after: int | None = None


def outcome_for(error: primedata.PrimeDataError) -> Outcome:
    """Return the page status and the agent's message for an upstream error."""
    match error:
        case CircuitOpen():
            seconds = _whole_seconds(error.retry_after)
            return Outcome(
                503,
                _("PrimeData is unavailable right now. Please try again in %(seconds)d seconds.")
                % {"seconds": seconds},
                retry_after=seconds,
            )
        case primedata.ProfileNotFound():
            return Outcome(
                404, _("PrimeData has no customer with this value. Check it, or try another identity type.")
            )
        case primedata.CursorRejected():
            return Outcome(
                409,
                _("This part of the timeline has expired. Reload the timeline from the newest events."),
            )
        case primedata.InvalidRequest():
            return Outcome(
                400, _("PrimeData rejected the search. Check the identity type and the value.")
            )
        case primedata.AuthenticationFailed():
            return Outcome(
                502, _("The PrimeData connection is misconfigured. Please tell an administrator.")
            )
        case primedata.RateLimited():
            seconds = _whole_seconds(error.retry_after)
            return Outcome(
                503,
                _("PrimeData is overloaded. Please try again in %(seconds)d seconds.")
                % {"seconds": seconds},
                retry_after=seconds,
            )
        case primedata.UpstreamTimeout():
            return Outcome(504, _("PrimeData did not answer in time. Please try again."))
        case primedata.UpstreamProtocolError():
            return Outcome(
                502,
                _("PrimeData sent a response that cannot be read. Please try again; if it keeps happening, tell an administrator."),
            )
        case _:
            return Outcome(502, _("Could not connect to PrimeData. Please try again."))


def _whole_seconds(retry_after: float | None) -> int:
    """Round a wait up to whole seconds, as Retry-After and the message need."""
    seconds = settings.PRIMEDATA_RATE_LIMIT_PAUSE if retry_after is None else retry_after
    return max(1, math.ceil(seconds))
