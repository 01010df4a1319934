"""Client of the PrimeData Profile API.

`PrimeDataClient` sends the two search requests, retries what deserves a
retry (see `retrying`), and turns every failure into one of the classes in
`errors`. Each client owns one pooled `httpx.Client` and is safe to share
between threads.
"""

from __future__ import annotations

import http.cookiejar
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import httpx

from .errors import (
    AuthenticationFailed,
    CursorRejected,
    InvalidRequest,
    PrimeDataError,
    ProfileNotFound,
    RateLimited,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from .parsing import (
    MalformedBody,
    decode_json,
    parse_error_body,
    parse_events_body,
    parse_profiles_body,
    parse_retry_after,
)
from .payloads import build_events_body, build_profiles_body
from .results import Attempt, EventPage, Profile
from .retrying import Deadline, RetryPolicy, call_with_retries
from .watchdog import Watchdog

__all__ = ["PrimeDataClient"]

logger = logging.getLogger(__name__)

USER_AGENT = "customer360-lookup/0.1"

PROFILES_PATH = "/pub/profiles/advanced-search"
EVENTS_PATH = "/pub/events/advanced-search"

# Maximum size of a successful body. The largest documented response is one
# page of 100 events, far below this, so a bigger body means a broken upstream.
MAX_BODY_BYTES = 16 * 1024 * 1024

# Maximum part of an error body that is read. The vendor's JSON error is a
# few hundred bytes, so the rest of a gateway's HTML page is not needed.
MAX_ERROR_BODY_BYTES = 64 * 1024

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Call:
    """Request and deadline shared by every attempt of one API call."""

    endpoint: str
    path: str
    body: dict[str, Any]
    request_id: str | None
    deadline: Deadline
    carries_cursor: bool


class PrimeDataClient:
    """Client of the PrimeData Profile API, safe to share between threads.

    Timeouts and the deadline are in seconds. `deadline` bounds a whole call,
    waits between attempts included, and each call may pass its own. The
    connect, read and pool timeouts bound single operations of an attempt and
    are shortened to the time left before the deadline. The write timeout
    equals the read timeout.

    `on_attempt` is called after every HTTP attempt with an `Attempt` report,
    for metrics. An exception it raises is logged and otherwise ignored.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        deadline: float = 10.0,
        max_attempts: int = 3,
        backoff_initial: float = 0.2,
        backoff_max: float = 2.0,
        max_connections: int = 50,
        keepalive_seconds: float = 20.0,
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base_url must be an absolute http or https URL, got {base_url!r}")
        if not isinstance(api_key, str) or not api_key.strip():
            raise ValueError("api_key must be a non-empty string")
        for name, value in (
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
            ("pool_timeout", pool_timeout),
            ("deadline", deadline),
            ("keepalive_seconds", keepalive_seconds),
        ):
            _require_positive(value, name)
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        if backoff_initial < 0 or backoff_max < 0:
            raise ValueError("backoff_initial and backoff_max must not be negative")
        if max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {max_connections}")

        self._base_url = str(url)
        self._api_key = api_key
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._pool_timeout = pool_timeout
        self._deadline = deadline
        self._policy = RetryPolicy(
            max_attempts=max_attempts,
            backoff_initial=backoff_initial,
            backoff_max=backoff_max,
        )
        self._on_attempt = on_attempt
        self._http = httpx.Client(
            base_url=url,
            transport=transport,
            headers={
                "x-api-key": api_key,
                "user-agent": USER_AGENT,
                "accept": "application/json",
            },
            timeout=httpx.Timeout(
                connect=connect_timeout,
                read=read_timeout,
                write=read_timeout,
                pool=pool_timeout,
            ),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                # httpx's default of 5 s drops idle connections between an
                # agent's pages, so many calls would pay a new TCP and TLS
                # handshake. Staying below the server's own idle limit avoids
                # sending on a connection the server is closing.
                keepalive_expiry=keepalive_seconds,
            ),
            follow_redirects=False,
            # The client is shared by every agent's requests, so a cookie set
            # by PrimeData or a gateway must not ride along on later calls.
            cookies=http.cookiejar.CookieJar(policy=_RejectCookies()),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, api_key='***')"

    def close(self) -> None:
        """Close the pooled connections. The client cannot send afterwards."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def search_profiles(
        self,
        *,
        profile_id: str | None = None,
        identities: Mapping[str, Sequence[str]] | None = None,
        types: Sequence[str] | None = None,
        include: Sequence[str] | None = None,
        request_id: str | None = None,
        deadline: float | None = None,
    ) -> list[Profile]:
        """Find a profile by `profile_id` or by `identities`.

        Pass exactly one of the two, or ValueError is raised. `types` picks
        the sections ("trait", "ptrait", "identity") and `include` the
        properties. Returns one profile normally, several when PrimeData
        responds with a list because profiles share an identity, and an empty
        list if that list is empty. Raises a PrimeDataError subclass on
        failure, ProfileNotFound for a 404.
        """
        body = build_profiles_body(
            profile_id=profile_id, identities=identities, types=types, include=include
        )
        self._check_request_id(request_id)
        call = _Call(
            endpoint="profiles",
            path=PROFILES_PATH,
            body=body,
            request_id=request_id,
            deadline=Deadline.start(self._call_budget(deadline)),
            carries_cursor=False,
        )
        return self._call(call, parse_profiles_body)

    def search_events(
        self,
        *,
        profile_id: str | None = None,
        identities: Mapping[str, Sequence[str]] | None = None,
        start: datetime | date | None = None,
        end: datetime | date | None = None,
        include: Sequence[str] | None = None,
        sort: Literal["asc", "desc"] = "desc",
        limit: int = 25,
        cursor: str | None = None,
        request_id: str | None = None,
        deadline: float | None = None,
    ) -> EventPage:
        """Fetch one page of a profile's events.

        Pass exactly one of `profile_id` and `identities`. `start` and `end`
        are exclusive bounds. A bare date means midnight Asia/Ho_Chi_Minh and
        a naive datetime is read in that zone. `include` limits the event
        names. `cursor` is the previous page's `next_cursor`, and a 400 on
        such a request raises CursorRejected. Other failures raise the
        PrimeDataError subclass for their cause.
        """
        body = build_events_body(
            profile_id=profile_id,
            identities=identities,
            start=start,
            end=end,
            include=include,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
        self._check_request_id(request_id)
        call = _Call(
            endpoint="events",
            path=EVENTS_PATH,
            body=body,
            request_id=request_id,
            deadline=Deadline.start(self._call_budget(deadline)),
            carries_cursor=cursor is not None,
        )
        return self._call(call, parse_events_body)

    def _check_request_id(self, request_id: str | None) -> None:
        # The id goes into a header, where a line break would be rejected by
        # httpx only after the attempt began.
        if request_id is not None and not (request_id.isprintable() and request_id.isascii()):
            raise ValueError("request_id must be printable ASCII text")

    def _call_budget(self, deadline: float | None) -> float:
        if deadline is None:
            return self._deadline
        _require_positive(deadline, "deadline")
        return deadline

    def _call(self, call: _Call, parse: Callable[[Any], T]) -> T:
        """Run the call's attempts and log a final failure once at WARNING."""
        attempts_made = 0

        def attempt(number: int) -> T:
            nonlocal attempts_made
            attempts_made = number
            return self._attempt(call, number, parse)

        try:
            return call_with_retries(
                attempt,
                policy=self._policy,
                deadline=call.deadline,
                endpoint=call.endpoint,
                request_id=call.request_id,
            )
        except PrimeDataError as error:
            error.attempts = attempts_made
            error.elapsed = call.deadline.elapsed()
            logger.warning(
                "PrimeData %s request failed: %s, status %s, vendor code %s, "
                "%d attempts in %.2f s (request id %s)",
                call.endpoint,
                type(error).__name__,
                error.status,
                error.code,
                error.attempts,
                error.elapsed,
                call.request_id,
            )
            raise

    def _attempt(self, call: _Call, number: int, parse: Callable[[Any], T]) -> T:
        """Send one attempt, report it to `on_attempt`, and parse its response."""
        started = time.monotonic()
        status: int | None = None
        try:
            status, headers, body = self._exchange(call)
            return self._parse_response(call, status, headers, body, parse)
        except PrimeDataError as error:
            status = error.status
            raise
        finally:
            self._report_attempt(
                Attempt(
                    endpoint=call.endpoint,
                    attempt=number,
                    status=status,
                    elapsed=time.monotonic() - started,
                    request_id=call.request_id,
                )
            )

    def _exchange(self, call: _Call) -> tuple[int, httpx.Headers, bytes]:
        """Send the request and read the response, within the call's deadline.

        Returns the status, the headers and the body, which is cut at
        MAX_ERROR_BODY_BYTES for a status other than 200. Transport failures
        are raised as PrimeDataError subclasses that keep the httpx error as
        their cause, which the retry policy inspects.
        """
        remaining = call.deadline.remaining()
        if remaining <= 0:
            message = "PrimeData call timed out before the attempt could start"
            raise self._error(UpstreamTimeout, call, message)

        headers = {"x-request-id": call.request_id} if call.request_id else {}
        # TODO: each phase is capped at the time left, not their sum, so
        # waiting for the pool, connecting and waiting for headers can overrun
        # the deadline by up to one pool plus one connect timeout.
        timeout = httpx.Timeout(
            connect=min(self._connect_timeout, remaining),
            read=min(self._read_timeout, remaining),
            write=min(self._read_timeout, remaining),
            pool=min(self._pool_timeout, remaining),
        )
        try:
            with self._http.stream(
                "POST", call.path, json=call.body, headers=headers, timeout=timeout
            ) as response:
                limit = MAX_BODY_BYTES if response.status_code == 200 else MAX_ERROR_BODY_BYTES
                with Watchdog(response, call.deadline.remaining()) as watchdog:
                    try:
                        body = self._read_body(call, response, limit)
                    except (httpx.TransportError, PrimeDataError):
                        if watchdog.fired:
                            raise self._deadline_error(call) from None
                        raise
                return response.status_code, response.headers, body
        except httpx.TimeoutException as error:
            message = f"PrimeData request timed out ({type(error).__name__})"
            raise self._error(UpstreamTimeout, call, message) from error
        except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
            message = f"PrimeData connection failed ({type(error).__name__})"
            raise self._error(UpstreamUnavailable, call, message) from error
        except httpx.DecodingError as error:
            message = "PrimeData response could not be decoded (bad content encoding)"
            raise self._error(UpstreamProtocolError, call, message) from error
        except httpx.TransportError as error:
            message = f"PrimeData request failed ({type(error).__name__})"
            raise self._error(UpstreamUnavailable, call, message) from error

    def _read_body(self, call: _Call, response: httpx.Response, limit: int) -> bytes:
        """Read the body chunk by chunk, stopping at the deadline or at `limit` bytes.

        httpx restarts its read timeout with every chunk, so a server that
        drips one byte at a time would never time out. Checking the deadline
        between chunks ends such a response, and the watchdog started by
        `_exchange` ends a read that stalls after the deadline has passed.
        """
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                if response.status_code == 200:
                    raise self._error(
                        UpstreamProtocolError,
                        call,
                        f"PrimeData response is larger than {limit} bytes",
                        status=response.status_code,
                    )
                return bytes(body[:limit])
            if call.deadline.expired():
                raise self._deadline_error(call)
        return bytes(body)

    def _deadline_error(self, call: _Call) -> PrimeDataError:
        message = (
            f"PrimeData response was still arriving when the "
            f"{call.deadline.budget:g} s deadline ran out"
        )
        return self._error(UpstreamTimeout, call, message)

    def _parse_response(
        self,
        call: _Call,
        status: int,
        headers: httpx.Headers,
        body: bytes,
        parse: Callable[[Any], T],
    ) -> T:
        if status != 200:
            raise self._status_error(call, status, headers, body)
        try:
            return parse(decode_json(body))
        except MalformedBody as error:
            message = f"PrimeData {call.endpoint} response is malformed: {error}"
            raise self._error(UpstreamProtocolError, call, message, status=status) from error

    def _status_error(
        self, call: _Call, status: int, headers: httpx.Headers, body: bytes
    ) -> PrimeDataError:
        """Build the error for a status other than 200. The status decides the class."""
        vendor = parse_error_body(body)
        details: dict[str, Any] = {
            "status": status,
            "code": self._redact(vendor.code),
            "vendor_message": self._redact(vendor.message),
        }

        if status == 400 and call.carries_cursor:
            message = "PrimeData rejected the cursor. Reload the timeline from the first page"
            return self._error(CursorRejected, call, message, **details)
        if status == 400:
            message = f"PrimeData rejected the {call.endpoint} request as invalid"
            return self._error(InvalidRequest, call, message, **details)
        if status in (401, 403):
            message = "PrimeData did not accept the API key. Check the configured key"
            return self._error(AuthenticationFailed, call, message, **details)
        if status == 404:
            message = "PrimeData found no matching profile"
            return self._error(ProfileNotFound, call, message, **details)
        if status == 429:
            retry_after = parse_retry_after(headers.get("retry-after"))
            message = "PrimeData is rate limiting requests"
            return self._error(RateLimited, call, message, retry_after=retry_after, **details)
        if 500 <= status <= 599:
            retry_after = parse_retry_after(headers.get("retry-after")) if status == 503 else None
            message = f"PrimeData failed with HTTP {status}"
            return self._error(
                UpstreamUnavailable, call, message, retry_after=retry_after, **details
            )
        message = f"PrimeData responded with undocumented HTTP {status}"
        return self._error(UpstreamProtocolError, call, message, **details)

    def _error(
        self, error_class: type[PrimeDataError], call: _Call, message: str, **details: Any
    ) -> PrimeDataError:
        return error_class(
            message, endpoint=call.endpoint, request_id=call.request_id, **details
        )

    def _redact(self, text: str | None) -> str | None:
        """Remove the API key from vendor text, which a server could echo back."""
        if text is None:
            return None
        return text.replace(self._api_key, "***")

    def _report_attempt(self, attempt: Attempt) -> None:
        if self._on_attempt is None:
            return
        try:
            self._on_attempt(attempt)
        except Exception:
            # The callback feeds metrics, so its failure must not fail the lookup.
            logger.exception("PrimeData on_attempt callback failed")


class _RejectCookies(http.cookiejar.DefaultCookiePolicy):
    """Cookie policy that stores no cookie and sends none."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _require_positive(value: float, name: str) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
