"""PrimeData responses kept for a short time in the shared cache, fetched once at a time.

Several gunicorn instances share one cache (Redis in production), so a
response fetched for one agent serves every agent who opens the same customer
within ``LOOKUP_CACHE_SECONDS``. Entries expire on their own; the dashboard
only uses memory caches (local memory or Redis) and never writes them to disk.

Single flight: the first request for a missing entry takes a lock entry with
``cache.add``, which only one caller can win on any Django cache backend,
and fetches. Every other request for the same entry waits for the value
instead of calling PrimeData a second time.
"""

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")

KEY_PREFIX = "primedata"
# How often a waiting request looks for the value that another request fetches.
POLL_SECONDS = 0.02
# The lock outlives the longest fetch (PrimeData's deadline) by this margin, so
# it never expires while its holder is still fetching.
LOCK_MARGIN_SECONDS = 5.0


def answer_key(endpoint: str, parameters: dict[str, Any]) -> str:
    """Return the cache key of one PrimeData response.

    The key is a digest of everything that decides the response: the API base
    URL, the tenant's identity names, the endpoint and the request parameters
    (filters and cursor included), so two tenants, filters or cursors never
    share an entry. The API key is not hashed in: a key must never reveal it,
    and the base URL with the identity names already distinguishes tenants.
    """
    material = {
        "base_url": settings.PRIMEDATA_BASE_URL or "sandbox",
        "identity_names": sorted(settings.PRIMEDATA_IDENTITY_NAMES),
        "endpoint": endpoint,
        "parameters": parameters,
    }
    text = json.dumps(material, sort_keys=True, default=str, ensure_ascii=True)
    return f"{KEY_PREFIX}:{endpoint}:{hashlib.sha256(text.encode()).hexdigest()}"


def fetch_shared(key: str, fetch: Callable[[], T]) -> T:
    """Return the cached value of ``key``, or fetch it once for every waiting caller.

    A failure of ``fetch`` is raised to its caller and nothing is cached, so
    the next request tries PrimeData again. A caller that waited for another
    one's fetch fetches for itself when that fetch failed or took longer than
    PrimeData's deadline.
    """
    lifetime = settings.LOOKUP_CACHE_SECONDS
    if lifetime <= 0:
        return fetch()

    cached = cache.get(key)
    if cached is not None:
        return cached

    lock_key = f"{key}:lock"
    token = uuid.uuid4().hex
    lock_seconds = settings.PRIMEDATA_DEADLINE + LOCK_MARGIN_SECONDS
    lock_expires = time.monotonic() + lock_seconds
    if cache.add(lock_key, token, timeout=lock_seconds):
        return _fetch_and_store(key, lock_key, token, fetch, lifetime, lock_expires)

    waited = _wait_for(key, lock_key, lock_seconds)
    if waited is not None:
        return waited
    logger.info("No shared response arrived for %s within the lock time; fetching it again", key)
    value = fetch()
    cache.set(key, value, timeout=lifetime)
    return value


def _fetch_and_store(
    key: str, lock_key: str, token: str, fetch: Callable[[], T], lifetime: float, lock_expires: float
) -> T:
    try:
        # The previous holder may have stored the value and released the lock
        # between this caller's first look and its taking the lock.
        value = cache.get(key)
        if value is not None:
            return value
        value = fetch()
        cache.set(key, value, timeout=lifetime)
        return value
    finally:
        # Before its expiry the lock is still this caller's. After it, another
        # caller may hold the lock: leave theirs.
        if time.monotonic() < lock_expires - LOCK_MARGIN_SECONDS or cache.get(lock_key) == token:
            cache.delete(lock_key)


def _wait_for(key: str, lock_key: str, lock_seconds: float) -> Any:
    """Wait for the value of ``key``; return None once the lock holder gave up."""
    give_up = time.monotonic() + lock_seconds
    while time.monotonic() < give_up:
        time.sleep(POLL_SECONDS)
        value = cache.get(key)
        if value is not None:
            return value
        if cache.get(lock_key) is None:
            # The holder finished without storing a value: its fetch failed.
            return cache.get(key)
    return None


def store_shared(key: str, value: Any) -> None:
    """Cache ``value`` as the response of ``key``, learnt from another request's response."""
    if settings.LOOKUP_CACHE_SECONDS > 0:
        cache.set(key, value, timeout=settings.LOOKUP_CACHE_SECONDS)
