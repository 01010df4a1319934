"""The baseline of the benchmark: a minimal Django view that proxies one PrimeData call.

    BENCH_UPSTREAM_URL=http://127.0.0.1:8100 gunicorn bench.proxy_app:application

``GET /profiles/<profile_id>/`` sends the same profile search as the
dashboard's profile page and returns the customer's name in a tiny HTML page,
with no sessions, templates, database or cache, so the dashboard's overhead
can be read against it.

``GET /profiles/<profile_id>/with-timeline/?bytes=N`` is the least that any
design of the dashboard must do for an uncached profile page: the same
search, the first timeline page requested in parallel on a background
thread, and a page of N bytes, as long as the dashboard's, for the client
to read.

``GET /profiles/<profile_id>/required/?bytes=N`` adds the least that
sign-in, the shared cache and the audit trail need of the shared services: one session read and two cache
writes in Redis (``REDIS_URL``), and one audit row in the database
(``DATABASE_URL``), with plain commands instead of Django's session, cache
and ORM layers.

Together they show how close to the proxy any design of the dashboard could
come on this machine.
"""

import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import psycopg
import redis
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import escape

settings.configure(
    DEBUG=False,
    SECRET_KEY="benchmark-proxy-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
)

# The dashboard's default LOOKUP_CACHE_SECONDS.
CACHE_SECONDS = 60

TIMELINE_PAGE_SIZE = int(os.environ.get("PRIMEDATA_TIMELINE_PAGE_SIZE", "25"))

@dataclass
class _Worker:
    """The connections of one gunicorn worker process, made after the fork."""

    pid: int
    upstream: httpx.Client
    prefetch: ThreadPoolExecutor
    store: redis.Redis
    # One database connection per process, in autocommit mode, used under
    # database_lock. A connection per thread, beside the dashboard's own,
    # would exceed PostgreSQL's max_connections.
    database_lock: threading.Lock = field(default_factory=threading.Lock)
    database: psycopg.Connection | sqlite3.Connection | None = None


_lock = threading.Lock()
_current: _Worker | None = None


def _worker() -> _Worker:
    global _current
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = _Worker(
                pid=os.getpid(),
                upstream=httpx.Client(
                    base_url=os.environ["BENCH_UPSTREAM_URL"],
                    headers={"x-api-key": os.environ.get("BENCH_UPSTREAM_KEY", "sandbox-demo-key")},
                    timeout=10.0,
                    limits=httpx.Limits(max_connections=50, max_keepalive_connections=50),
                    trust_env=False,
                ),
                prefetch=ThreadPoolExecutor(max_workers=8),
                # redis-py connects on the first command, so the plain proxy page never does.
                store=redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")),
            )
        return _current


def _customer_name(profile_id: str, *, cache: bool = False) -> str:
    worker = _worker()
    response = worker.upstream.post("/pub/profiles/advanced-search", json={"profile_id": profile_id})
    if cache:
        worker.store.set(f"bench:profile:{profile_id}", response.content, ex=CACHE_SECONDS)
    data = response.json()["data"]
    first = data[0] if isinstance(data, list) else data
    return first.get("trait", {}).get("full_name", profile_id)


def _first_timeline_page(profile_id: str, *, cache: bool = False) -> None:
    worker = _worker()
    response = worker.upstream.post("/pub/events/advanced-search",
                                    json={"profile_id": profile_id, "sort": "desc", "limit": TIMELINE_PAGE_SIZE})
    response.json()
    if cache:
        worker.store.set(f"bench:timeline:{profile_id}", response.content, ex=CACHE_SECONDS)


def _name_page(request: HttpRequest, name: str) -> HttpResponse:
    """Return a tiny page with the customer's name, padded with spaces to the ``bytes`` query parameter."""
    page = f"<!doctype html><title>{escape(name)}</title><h1>{escape(name)}</h1>"
    return HttpResponse(page.ljust(int(request.GET.get("bytes", "0"))))


def profile(request: HttpRequest, profile_id: str) -> HttpResponse:
    return _name_page(request, _customer_name(profile_id))


def profile_with_timeline(request: HttpRequest, profile_id: str) -> HttpResponse:
    _worker().prefetch.submit(_first_timeline_page, profile_id)
    return _name_page(request, _customer_name(profile_id))


def profile_with_stores(request: HttpRequest, profile_id: str) -> HttpResponse:
    worker = _worker()
    # The session and the cached profile, in one round trip.
    reads = worker.store.pipeline(transaction=False)
    reads.get(f"bench:session:{request.COOKIES.get('sessionid', '')}")
    reads.get(f"bench:profile:{profile_id}")
    reads.execute()
    worker.prefetch.submit(_first_timeline_page, profile_id, cache=True)
    name = _customer_name(profile_id, cache=True)
    _write_audit_row(worker, profile_id)
    return _name_page(request, name)


def _write_audit_row(worker: _Worker, profile_id: str) -> None:
    with worker.database_lock:
        if worker.database is None:
            worker.database = _connect()
        statement = "INSERT INTO bench_audit (profile_id) VALUES (%s)"
        if isinstance(worker.database, sqlite3.Connection):
            statement = statement.replace("%s", "?")
        worker.database.execute(statement, (profile_id,))


def _connect() -> psycopg.Connection | sqlite3.Connection:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False,
                               timeout=10.0)
    return psycopg.connect(url, autocommit=True)


def create_audit_table() -> None:
    """Create the audit table of the ``required`` view.

    The benchmark calls this once, before gunicorn starts, so that the
    workers never race to create it.
    """
    connection = _connect()
    connection.execute("CREATE TABLE IF NOT EXISTS bench_audit (profile_id varchar(64) NOT NULL)")
    connection.close()


urlpatterns = [
    path("profiles/<str:profile_id>/", profile),
    path("profiles/<str:profile_id>/with-timeline/", profile_with_timeline),
    path("profiles/<str:profile_id>/required/", profile_with_stores),
]
application = get_wsgi_application()
