"""The process-wide PrimeData client, built from settings on first use.

gunicorn forks workers after importing the application, and a connection pool
must not be shared across a fork, so the client is created lazily and again in
any process whose pid differs from the one that built it. Its searches pass
through the shared circuit breaker and rate-limit pause (lookup.circuit).
"""

import functools
import os
import threading
from typing import Any

import httpx
from django.conf import settings

from lookup.circuit import guarded_call
from lookup.primedata import EventPage, PrimeDataClient, Profile
from lookup.request_log import record_attempt

SANDBOX_BASE_URL = "http://sandbox.primedata.invalid"

_lock = threading.Lock()
_client: PrimeDataClient | None = None
_client_pid: int | None = None


class GuardedClient:
    """The PrimeData client's searches, refused while the breaker is open or calls are paused."""

    def __init__(self, client: PrimeDataClient) -> None:
        self.client = client

    def search_profiles(self, **arguments: Any) -> list[Profile]:
        """Call `PrimeDataClient.search_profiles` through the breaker."""
        call = functools.partial(self.client.search_profiles, **arguments)
        return guarded_call(call, endpoint="profiles", request_id=arguments.get("request_id"))

    def search_events(self, **arguments: Any) -> EventPage:
        """Call `PrimeDataClient.search_events` through the breaker."""
        call = functools.partial(self.client.search_events, **arguments)
        return guarded_call(call, endpoint="events", request_id=arguments.get("request_id"))


def get_client() -> GuardedClient:
    """Return this process's client, creating it on first use."""
    global _client, _client_pid
    with _lock:
        if _client is None or _client_pid != os.getpid():
            _client = _build_client()
            _client_pid = os.getpid()
        return GuardedClient(_client)


def reset_client() -> None:
    """Close and forget the client, so the next call reads settings again (tests)."""
    global _client, _client_pid
    with _lock:
        if _client is not None and _client_pid == os.getpid():
            _client.close()
        _client = None
        _client_pid = None


def _build_client() -> PrimeDataClient:
    options = {
        "connect_timeout": settings.PRIMEDATA_CONNECT_TIMEOUT,
        "read_timeout": settings.PRIMEDATA_READ_TIMEOUT,
        "pool_timeout": settings.PRIMEDATA_POOL_TIMEOUT,
        "deadline": settings.PRIMEDATA_DEADLINE,
        "keepalive_seconds": settings.PRIMEDATA_KEEPALIVE_SECONDS,
        "on_attempt": record_attempt,
    }
    if settings.PRIMEDATA_SANDBOX:
        from sandbox import DEMO_API_KEY, create_app

        return PrimeDataClient(
            SANDBOX_BASE_URL,
            DEMO_API_KEY,
            transport=httpx.WSGITransport(app=create_app()),
            **options,
        )
    return PrimeDataClient(settings.PRIMEDATA_BASE_URL, settings.PRIMEDATA_API_KEY, **options)
