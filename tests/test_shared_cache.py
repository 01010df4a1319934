"""The shared cache of PrimeData responses: keys, single flight, prefetch of the timeline."""

import threading
from collections.abc import Iterator

import pytest
from django.core.cache import cache, caches
from django.test import override_settings

from lookup import prefetch, services, upstream
from lookup.middleware import current_request_id
from lookup.shared_cache import answer_key, fetch_shared
from sandbox import DEMO_API_KEY
from tests.sandbox_process import SandboxControl, SandboxProcess

REDIS_DB7 = "redis://127.0.0.1:6379/7"
VENDOR_PROFILE = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"
FILLER_PHONE = "0938000007"


def test_keys_differ_by_tenant_and_request():
    base = {"profile_id": VENDOR_PROFILE, "sort": "desc", "include": [], "cursor": None}
    keys = {answer_key("events", base)}
    keys.add(answer_key("profiles", base))
    keys.add(answer_key("events", base | {"sort": "asc"}))
    keys.add(answer_key("events", base | {"include": ["purchase"]}))
    keys.add(answer_key("events", base | {"cursor": "abc"}))
    with override_settings(PRIMEDATA_BASE_URL="https://tenant-b.example"):
        keys.add(answer_key("events", base))
    with override_settings(PRIMEDATA_IDENTITY_NAMES=["phone_number", "zalo_id"]):
        keys.add(answer_key("events", base))

    assert len(keys) == 7
    assert answer_key("events", dict(base)) in keys


@override_settings(PRIMEDATA_BASE_URL="https://api.example", PRIMEDATA_API_KEY="secret-key-123")
def test_key_hides_api_key():
    key = answer_key("profiles", {"profile_id": VENDOR_PROFILE})

    assert "secret-key-123" not in key
    assert VENDOR_PROFILE not in key


@pytest.fixture(params=["locmem", "redis-db7"])
def any_cache(request) -> Iterator[None]:
    """Run the test on the local-memory cache and on Redis database 7."""
    if request.param == "locmem":
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "single-flight"}
    else:
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_DB7,
                   "KEY_PREFIX": "customer360-test"}
    with override_settings(CACHES={"default": backend}):
        cache.clear()
        yield
        cache.clear()


def test_concurrent_fetches_call_once(any_cache):
    calls = []
    release = threading.Event()

    def slow_fetch():
        calls.append(1)
        release.wait(10)
        return ["answer"]

    results = []
    first = threading.Thread(target=lambda: results.append(fetch_shared("k1", slow_fetch)))
    first.start()
    # The second caller starts only once the first holds the lock.
    while cache.get("k1:lock") is None:
        threading.Event().wait(0.01)
    second = threading.Thread(target=lambda: results.append(fetch_shared("k1", slow_fetch)))
    second.start()
    release.set()
    first.join(10)
    second.join(10)

    assert results == [["answer"], ["answer"]]
    assert len(calls) == 1
    assert fetch_shared("k1", slow_fetch) == ["answer"]
    assert len(calls) == 1


def test_failed_fetch_is_not_cached(any_cache):
    def failing():
        raise RuntimeError("upstream down")

    with pytest.raises(RuntimeError):
        fetch_shared("k2", failing)

    assert fetch_shared("k2", lambda: ["second try"]) == ["second try"]
    assert cache.get("k2:lock") is None


def test_prefetch_thread_keeps_one_cache_connection(any_cache):
    # Django keeps a thread's cache connection in a context variable. A task
    # run in a copy of the request's context opened a new one every time.
    seen = []

    def task() -> None:
        # Holding the cache object keeps its id from being reused by another one.
        seen.append((threading.get_ident(), caches["default"], current_request_id.get()))

    token = current_request_id.set("request-id-of-agent")
    try:
        # More tasks than pool threads, so some thread runs several.
        for _ in range(prefetch.MAX_THREADS + 4):
            prefetch.submit(task)
            prefetch.wait_idle()
    finally:
        current_request_id.reset(token)

    caches_by_thread: dict[int, set[int]] = {}
    for thread, thread_cache, _request_id in seen:
        caches_by_thread.setdefault(thread, set()).add(id(thread_cache))
    assert len(seen) > len(caches_by_thread)
    assert all(len(ids) == 1 for ids in caches_by_thread.values())
    assert {request_id for *_, request_id in seen} == {"request-id-of-agent"}


@override_settings(LOOKUP_CACHE_SECONDS=0)
def test_zero_lifetime_disables_cache():
    calls = []
    for _ in range(2):
        fetch_shared("k3", lambda: calls.append(1) or ["x"])

    assert len(calls) == 2


@pytest.fixture(scope="module")
def slow_sandbox(tmp_path_factory) -> Iterator[str]:
    """A standalone sandbox that responds to every API request after 200 ms."""
    server = SandboxProcess(tmp_path_factory.mktemp("slow-sandbox") / "server.log", "--latency-ms", "200")
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture
def dashboard_on_slow_sandbox(slow_sandbox) -> Iterator[SandboxControl]:
    control = SandboxControl(slow_sandbox)
    control.clear()
    control.reset_stats()
    with override_settings(PRIMEDATA_BASE_URL=slow_sandbox, PRIMEDATA_API_KEY=DEMO_API_KEY, PRIMEDATA_SANDBOX=False):
        upstream.reset_client()
        try:
            yield control
        finally:
            prefetch.wait_idle()
            upstream.reset_client()
            control.clear()
            control.close()


def test_two_agents_one_profile_call(dashboard_on_slow_sandbox):
    profiles = []
    agents = [
        threading.Thread(target=lambda n=n: profiles.append(services.profile_get(VENDOR_PROFILE, request_id=n)))
        for n in ("agent-an-request", "agent-binh-request")
    ]
    for agent in agents:
        agent.start()
    for agent in agents:
        agent.join(20)
    prefetch.wait_idle()

    assert [profile.profile_id for profile in profiles] == [VENDOR_PROFILE, VENDOR_PROFILE]
    requests = dashboard_on_slow_sandbox.stats()["requests"]
    assert requests["profiles"] == 1
    # The first timeline page was prefetched once for both agents.
    assert requests["events"] == 1


@pytest.mark.django_db
def test_profile_page_prefetches_timeline(dashboard_on_slow_sandbox, agent_client):
    control = dashboard_on_slow_sandbox
    # Events respond 2 s after profiles, so the profile page is done while
    # the prefetch still waits for them.
    control.schedule("latency-2000", endpoint="events")
    events_key = answer_key(
        "events",
        {"profile_id": VENDOR_PROFILE, "sort": "desc", "include": [], "start": None, "end": None,
         "limit": 25, "cursor": None},
    )

    profile = agent_client.get(f"/profiles/{VENDOR_PROFILE}/")

    assert profile.status_code == 200
    assert cache.get(f"{events_key}:lock") is not None, "the first timeline page is not being fetched"
    assert cache.get(events_key) is None

    timeline = agent_client.get(f"/profiles/{VENDOR_PROFILE}/timeline/", headers={"HX-Request": "true"})

    assert timeline.status_code == 200
    assert timeline.content.decode().count('data-event-key=') == 3
    assert control.stats()["requests"] == {"profiles": 1, "events": 1}


@pytest.mark.django_db
def test_deep_link_primes_profile_page(dashboard_on_slow_sandbox, agent_client):
    response = agent_client.get("/lookup/", {"phone_number": FILLER_PHONE}, follow=True)

    assert response.status_code == 200
    timeline_url = response.redirect_chain[-1][0] + "timeline/"
    page = agent_client.get(timeline_url, headers={"HX-Request": "true"})
    assert page.status_code == 200
    # One identity search serves the redirect target, and the prefetched
    # first page serves the timeline.
    assert dashboard_on_slow_sandbox.stats()["requests"] == {"profiles": 1, "events": 1}
