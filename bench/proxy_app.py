"""The baseline of the benchmark: a minimal Django view that proxies one PrimeData call.

    BENCH_UPSTREAM_URL=http://127.0.0.1:8100 gunicorn bench.proxy_app:application

``GET /profiles/<profile_id>/`` sends the same profile search as the
dashboard's profile page and returns the customer's name in a tiny HTML page,
with no sessions, templates, database or cache, so the dashboard's overhead
can be read against it.
"""

import os
import threading

import httpx
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

_lock = threading.Lock()
_client: httpx.Client | None = None
_client_pid: int | None = None


def _upstream() -> httpx.Client:
    # One pooled client per worker process, built after gunicorn's fork.
    global _client, _client_pid
    with _lock:
        if _client is None or _client_pid != os.getpid():
            _client = httpx.Client(
                base_url=os.environ["BENCH_UPSTREAM_URL"],
                headers={"x-api-key": os.environ.get("BENCH_UPSTREAM_KEY", "sandbox-demo-key")},
                timeout=10.0,
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=50),
                trust_env=False,
            )
            _client_pid = os.getpid()
        return _client


def profile(request: HttpRequest, profile_id: str) -> HttpResponse:
    response = _upstream().post("/pub/profiles/advanced-search", json={"profile_id": profile_id})
    data = response.json()["data"]
    first = data[0] if isinstance(data, list) else data
    name = first.get("trait", {}).get("full_name", profile_id)
    return HttpResponse(f"<!doctype html><title>{escape(name)}</title><h1>{escape(name)}</h1>")


urlpatterns = [path("profiles/<str:profile_id>/", profile)]
application = get_wsgi_application()
