"""Measure where the CPU of an uncached profile page goes, in one process.

    .venv/bin/python -m bench.page_cost [--redis-url redis://127.0.0.1:6379/9] [--database-url postgres://…]

The benchmark shows that throughput at 50 agents follows the CPU per page.
This script shows what that CPU is spent on. It starts the standalone
sandbox on 127.0.0.1 with no added latency. Then it loads uncached profile
pages one at a time through Django's test client, with the production
settings: the Redis cache, and PostgreSQL when ``--database-url`` names a
database, which it drops and creates anew. It repeats the pages with one
part of the page switched off at a time and prints the CPU per page of each
variant. It also times single upstream calls: a bare httpx request, the
PrimeData client, and the client behind the shared cache.

This is a measurement, not a test: the switched-off variants are not pages
an agent could get. The dashboard's own log lines go to stderr, as in
production.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from unittest import mock

import httpx
import redis

from bench.benchmark import customers_for, forget_cached_answers, fresh_postgres_database
from sandbox import DEMO_API_KEY
from tests.sandbox_process import SandboxProcess
from tests.test_production import AGENT_PASSWORD, production_environment, run_manage

PAGES = 200
ROUNDS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9", help="Redis database to use (flushed)")
    parser.add_argument("--database-url", default="", help="PostgreSQL database, dropped and created anew "
                                                           "(default: a SQLite file in a temporary folder)")
    arguments = parser.parse_args()
    store = redis.Redis.from_url(arguments.redis_url)
    store.flushdb()
    work_dir = Path(tempfile.mkdtemp(prefix="c360-page-cost-"))
    sandbox = SandboxProcess(work_dir / "sandbox.log", "--latency-ms", "0", "--log-level", "warning")
    try:
        env = production_environment(work_dir, sandbox.base_url) | {
            "REDIS_URL": arguments.redis_url, "PRIMEDATA_TIMELINE_PAGE_SIZE": "10",
        }
        if arguments.database_url:
            fresh_postgres_database(arguments.database_url)
            env["DATABASE_URL"] = arguments.database_url
        run_manage(env, "migrate", "--no-input", "-v0")
        run_manage(env, "collectstatic", "--no-input", "-v0")
        report(env, store, sandbox.base_url)
    finally:
        sandbox.stop()
        store.flushdb()


def report(env: dict[str, str], store: redis.Redis, sandbox_url: str) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "customer360.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.http import HttpResponse
    from django.test import Client, override_settings

    from lookup import audit, prefetch, services, upstream, views
    from lookup.access import agents_group
    from lookup.models import AuditRecord

    agent = get_user_model().objects.create_user("page-cost", password=AGENT_PASSWORD)
    agents_group().user_set.add(agent)
    # The production settings accept only 127.0.0.1, over HTTPS behind a proxy.
    browser = Client(headers={"host": "127.0.0.1", "x-forwarded-proto": "https"})
    browser.force_login(agent)
    profile_ids = [profile_id for _phone, profile_id in customers_for(0, PAGES)]

    def page_cpu_ms() -> float:
        """Return the mean CPU per uncached profile page, prefetch included, over one round."""
        forget_cached_answers(store)
        started = time.process_time()
        for profile_id in profile_ids:
            response = browser.get(f"/profiles/{profile_id}/")
            assert response.status_code == 200, response.status_code
            prefetch.wait_idle()
        return 1000 * (time.process_time() - started) / len(profile_ids)

    def bare_render(request, template_name, context=None, status=200):
        return HttpResponse('<h1 id="profile-name"></h1>', status=status)

    @contextmanager
    def without_audit_record() -> Iterator[None]:
        with mock.patch.object(audit, "_over_hourly_limit", return_value=False), \
                mock.patch.object(AuditRecord, "save", lambda record, *args, **kwargs: None):
            yield

    variants: list[tuple[str, Callable[[], object]]] = [
        ("whole page", nullcontext),
        ("without the hourly customer count", lambda: mock.patch.object(audit, "_over_hourly_limit",
                                                                         return_value=False)),
        ("without the audit record", without_audit_record),
        ("without the template", lambda: mock.patch.object(views, "render", bare_render)),
        ("without the timeline prefetch", lambda: override_settings(LOOKUP_PREFETCH_TIMELINE=False)),
    ]
    page_cpu_ms()  # Warm-up: connections, templates and translations.
    print(f"CPU per uncached profile page, one page at a time, mean of {PAGES} pages, best of {ROUNDS} rounds:")
    for label, switch_off in variants:
        with switch_off():
            best = min(page_cpu_ms() for _ in range(ROUNDS))
        print(f"  {label:<36} {best:6.2f} ms")

    client = upstream.get_client()
    with httpx.Client(base_url=sandbox_url, headers={"x-api-key": DEMO_API_KEY}, trust_env=False) as bare:
        calls = [
            ("bare httpx POST and JSON decoding",
             lambda profile_id: bare.post("/pub/profiles/advanced-search", json={"profile_id": profile_id}).json()),
            ("PrimeData client, typed result",
             lambda profile_id: client.search_profiles(profile_id=profile_id, request_id="page-cost")),
            ("client behind the shared cache, uncached",
             lambda profile_id: services.profile_get(profile_id, request_id="page-cost")),
        ]
        print("CPU per profile search, one at a time:")
        with override_settings(LOOKUP_PREFETCH_TIMELINE=False):
            for label, call in calls:
                print(f"  {label:<42} {call_cpu_ms(call, profile_ids, store):6.3f} ms")


def call_cpu_ms(call: Callable[[str], object], profile_ids: list[str], store: redis.Redis) -> float:
    """Return the median over rounds of the mean CPU per call, with the cache emptied before each round."""
    rounds = []
    for _ in range(ROUNDS + 1):
        forget_cached_answers(store)
        started = time.process_time()
        for profile_id in profile_ids:
            call(profile_id)
        rounds.append(1000 * (time.process_time() - started) / len(profile_ids))
    # The first round warms the connections up.
    return statistics.median(rounds[1:])


if __name__ == "__main__":
    main()
