"""Exceptions raised by the PrimeData Profile API client.

Every failure of a call reaches the caller as one of these classes, after the
client has finished its retries::

    PrimeDataError
    ├── ProfileNotFound         404: no profile matches the profile_id or the
    │                           identities. Tell the agent, do not retry.
    ├── InvalidRequest          400: PrimeData rejected the request, for example
    │   │                       an identity name the tenant does not know. The
    │   │                       request must change before it can succeed.
    │   └── CursorRejected      400 on a request that carried a cursor. The
    │                           cursor expired or the filters changed since it
    │                           was issued, so reload from the first page.
    ├── AuthenticationFailed    401 or 403: the API key is missing, wrong or not
    │                           allowed. An operator must fix the configuration.
    ├── RateLimited             429 that persisted through the retries.
    │                           `retry_after` contains the seconds PrimeData
    │                           requested, or None without a Retry-After header.
    ├── UpstreamUnavailable     5xx, or the connection was refused, reset or
    │                           closed early. `retry_after` is set when a 503
    │                           asked for a wait longer than the deadline allows.
    ├── UpstreamTimeout         a connect, read or pool timeout, or the call's
    │                           total deadline ran out.
    └── UpstreamProtocolError   a 200 whose body is not JSON, is cut short or
                                lacks the documented shape, or a status the API
                                does not document (3xx, 405, 422 and so on).

The HTTP status decides the class. The vendor's `code` and message are kept
as text for logs and never change the class, because the vendor's code table
is incomplete (404 has no code of its own).

No attribute and no message of these errors contains the API key: the client
removes it from any vendor text before the error is built.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationFailed",
    "CursorRejected",
    "InvalidRequest",
    "PrimeDataError",
    "ProfileNotFound",
    "RateLimited",
    "UpstreamProtocolError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
]


class PrimeDataError(Exception):
    """Base class of every failure of a PrimeData call.

    Attributes:
        status: HTTP status of the last attempt, or None when no response
            arrived (connection error, timeout).
        code: the vendor's error code from the body, untrusted text or None.
        vendor_message: the vendor's error message, untrusted text or None.
            It may repeat identity values that the request carried.
        request_id: the `x-request-id` sent upstream, or None.
        attempts: number of HTTP attempts the call made.
        elapsed: seconds the whole call took, waits between attempts included.
        endpoint: "profiles" or "events".
        retry_after: seconds PrimeData asked the client to wait (Retry-After
            on a 429 or 503), or None.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        vendor_message: str | None = None,
        request_id: str | None = None,
        attempts: int = 0,
        elapsed: float = 0.0,
        endpoint: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.vendor_message = vendor_message
        self.request_id = request_id
        self.attempts = attempts
        self.elapsed = elapsed
        self.endpoint = endpoint
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = self.message
        if self.vendor_message:
            text = f"{text}: {self.vendor_message}"
        context = [
            f"endpoint={self.endpoint or '-'}",
            f"status={self.status if self.status is not None else '-'}",
            f"code={self.code or '-'}",
            f"request_id={self.request_id or '-'}",
            f"attempts={self.attempts}",
            f"elapsed={self.elapsed:.2f}s",
        ]
        if self.retry_after is not None:
            context.append(f"retry_after={self.retry_after:.1f}s")
        return f"{text} ({' '.join(context)})"


class ProfileNotFound(PrimeDataError):
    """No profile matches the profile_id or identities (404)."""


class InvalidRequest(PrimeDataError):
    """PrimeData rejected the request's parameters (400)."""


class CursorRejected(InvalidRequest):
    """PrimeData rejected a request that carried a cursor (400).

    The cursor expired or no longer matches the filters, so the caller should
    reload the timeline from the first page.
    """


class AuthenticationFailed(PrimeDataError):
    """PrimeData did not accept the API key (401 or 403)."""


class RateLimited(PrimeDataError):
    """PrimeData kept responding with 429 until the client stopped retrying."""


class UpstreamUnavailable(PrimeDataError):
    """PrimeData or a gateway in front of it failed (5xx or a broken connection)."""


class UpstreamTimeout(PrimeDataError):
    """A timeout fired or the call's total deadline ran out."""


class UpstreamProtocolError(PrimeDataError):
    """PrimeData responded with a body or status that the contract does not allow."""
