"""One log line per finished request, with its duration and upstream calls.

The line carries the request id, the agent's user id, the path (never the
query string, which contains phone numbers and emails of deep links), the
status, the duration in milliseconds and how many PrimeData attempts the
request made. In production the JSON formatter turns these into fields.
"""

import contextlib
import contextvars
import logging
import time
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse

from lookup.primedata import Attempt

logger = logging.getLogger(__name__)


class UpstreamCalls:
    """A counter of PrimeData attempts, shared by the threads of one request."""

    def __init__(self) -> None:
        self.count = 0

    def add(self) -> None:
        self.count += 1


_upstream_calls: contextvars.ContextVar[UpstreamCalls | None] = contextvars.ContextVar(
    "upstream_calls", default=None
)


@contextlib.contextmanager
def counting_upstream_calls() -> Iterator[UpstreamCalls]:
    """Count the PrimeData attempts made inside the block, in this context."""
    calls = UpstreamCalls()
    token = _upstream_calls.set(calls)
    try:
        yield calls
    finally:
        _upstream_calls.reset(token)


def record_attempt(attempt: Attempt) -> None:
    """Count one PrimeData attempt for the current request (the client's ``on_attempt`` hook)."""
    calls = _upstream_calls.get()
    if calls is not None:
        calls.add()


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        with counting_upstream_calls() as calls:
            response = self.get_response(request)
        user = getattr(request, "user", None)
        agent_id = user.pk if user is not None and user.is_authenticated else None
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info(
            "Request finished: %s %s %s in %.1f ms, %d upstream calls",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            calls.count,
            extra={
                "agent_id": agent_id,
                "path": request.path,
                "method": request.method,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "upstream_calls": calls.count,
            },
        )
        return response
