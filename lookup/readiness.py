"""What the load balancer's readiness check looks at: database, cache, PrimeData.

The database and the cache must respond for an instance to serve agents.
PrimeData's reachability is reported but does not decide readiness: when
PrimeData is down, every instance is equally affected, and taking them all
out of the load balancer would only hide the pages that explain the outage.
"""

import logging
import uuid
from collections.abc import Callable

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

# The check must respond long before the load balancer's own timeout.
PRIMEDATA_PROBE_SECONDS = 1.0


def readiness_checks() -> tuple[bool, dict[str, str]]:
    """Return whether the instance is ready and the outcome of each check.

    Outcomes name the exception class only: its text may hold host names.
    """
    checks = {
        "database": _check(_database_answers, "database"),
        "cache": _check(_cache_answers, "cache"),
        "primedata": _primedata_reachability(),
    }
    ready = checks["database"] == "ok" and checks["cache"] == "ok"
    return ready, checks


def _check(probe: Callable[[], None], name: str) -> str:
    try:
        probe()
    except Exception as error:
        logger.warning("Readiness check of the %s failed: %s", name, type(error).__name__)
        return f"failed: {type(error).__name__}"
    return "ok"


def _database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache_answers() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return a value just stored")
    cache.delete(key)


def _primedata_reachability() -> str:
    """Report whether PrimeData responds to HTTP at all, without the API key."""
    if settings.PRIMEDATA_SANDBOX:
        return "ok: in-process sandbox"
    try:
        # Any HTTP response, even 404, shows the host and its TLS are reachable.
        httpx.head(settings.PRIMEDATA_BASE_URL, timeout=PRIMEDATA_PROBE_SECONDS, trust_env=False)
    except httpx.HTTPError as error:
        logger.warning("PrimeData is unreachable: %s", type(error).__name__)
        return f"unreachable: {type(error).__name__}"
    return "ok"
