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

_lock = threading.Lock()
_client: httpx.Client | None = None
_client_pid: int | None = None
_prefetch: ThreadPoolExecutor | None = None
_store: redis.Redis | None = None
_database_lock = threading.Lock()
_database: psycopg.Connection | sqlite3.Connection | None = None
_database_pid: int | None = None


def _upstream() -> httpx.Client:
    # One pooled client per worker process, built after gunicorn's fork.
    global _client, _client_pid, _prefetch, _store
    with _lock:
        if _client is None or _client_pid != os.getpid():
            _prefetch = ThreadPoolExecutor(max_workers=8)
            _store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"))
            _client = httpx.Client(
                base_url=os.environ["BENCH_UPSTREAM_URL"],
                headers={"x-api-key": os.environ.get("BENCH_UPSTREAM_KEY", "sandbox-demo-key")},
                timeout=10.0,
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=50),
                trust_env=False,
            )
            _client_pid = os.getpid()
        return _client


def _prefetch_pool() -> ThreadPoolExecutor:
    _upstream()
    assert _prefetch is not None
    return _prefetch


def _redis() -> redis.Redis:
    _upstream()
    assert _store is not None
    return _store


def _customer_name(profile_id: str, *, cache: bool = False) -> str:
    response = _upstream().post("/pub/profiles/advanced-search", json={"profile_id": profile_id})
    if cache:
        _redis().set(f"bench:profile:{profile_id}", response.content, ex=CACHE_SECONDS)
    data = response.json()["data"]
    first = data[0] if isinstance(data, list) else data
    return first.get("trait", {}).get("full_name", profile_id)


def _first_timeline_page(profile_id: str, *, cache: bool = False) -> None:
    response = _upstream().post("/pub/events/advanced-search",
                                json={"profile_id": profile_id, "sort": "desc", "limit": TIMELINE_PAGE_SIZE})
    response.json()
    if cache:
        _redis().set(f"bench:timeline:{profile_id}", response.content, ex=CACHE_SECONDS)


def profile(request: HttpRequest, profile_id: str) -> HttpResponse:
    name = escape(_customer_name(profile_id))
    return HttpResponse(f"<!doctype html><title>{name}</title><h1>{name}</h1>")


def profile_with_timeline(request: HttpRequest, profile_id: str) -> HttpResponse:
    _prefetch_pool().submit(_first_timeline_page, profile_id)
    name = escape(_customer_name(profile_id))
    page = f"<!doctype html><title>{name}</title><h1>{name}</h1>"
    return HttpResponse(page.ljust(int(request.GET.get("bytes", "0"))))


def profile_with_stores(request: HttpRequest, profile_id: str) -> HttpResponse:
    # The session and the cached profile, in one round trip.
    reads = _redis().pipeline(transaction=False)
    reads.get(f"bench:session:{request.COOKIES.get('sessionid', '')}")
    reads.get(f"bench:profile:{profile_id}")
    reads.execute()
    _prefetch_pool().submit(_first_timeline_page, profile_id, cache=True)
    name = escape(_customer_name(profile_id, cache=True))
    _write_audit_row(profile_id)
    page = f"<!doctype html><title>{name}</title><h1>{name}</h1>"
    return HttpResponse(page.ljust(int(request.GET.get("bytes", "0"))))


def _write_audit_row(profile_id: str) -> None:
    # One connection per worker process, in autocommit mode. A connection per
    # thread, beside the dashboard's own, would exceed PostgreSQL's max_connections.
    global _database, _database_pid
    with _database_lock:
        if _database is None or _database_pid != os.getpid():
            _database = _connect()
            _database_pid = os.getpid()
        statement = "INSERT INTO bench_audit (profile_id) VALUES (%s)"
        if isinstance(_database, sqlite3.Connection):
            statement = statement.replace("%s", "?")
        _database.execute(statement, (profile_id,))


def _connect() -> psycopg.Connection | sqlite3.Connection:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False,
                               timeout=10.0)
    return psycopg.connect(url, autocommit=True)


def create_audit_table() -> None:
    """Create the audit table of the ``required`` view; the benchmark calls it once, before gunicorn starts."""
    connection = _connect()
    connection.execute("CREATE TABLE IF NOT EXISTS bench_audit (profile_id varchar(64) NOT NULL)")
    connection.close()


urlpatterns = [
    path("profiles/<str:profile_id>/", profile),
    path("profiles/<str:profile_id>/with-timeline/", profile_with_timeline),
    path("profiles/<str:profile_id>/required/", profile_with_stores),
]
application = get_wsgi_application()
