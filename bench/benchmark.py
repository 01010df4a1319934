"""Benchmark the dashboard under gunicorn against a minimal proxy of the same upstream call.

    .venv/bin/python -m bench.benchmark [--latency-ms 50] [--redis-url redis://127.0.0.1:6379/7]

Everything runs on 127.0.0.1: a standalone PrimeData sandbox with a fixed
added latency; the dashboard under ``gunicorn -c gunicorn.conf.py`` with the
production settings (DEBUG false, Redis cache and sessions, manifest static
files, JSON logs); and ``bench.proxy_app``, a minimal Django view that sends
the same profile search, under gunicorn with as many workers and threads.
The Redis database given is flushed: use one that nothing else uses.

For 1, 5 and 50 concurrent agents (threads, each with its own httpx client
and session), every agent signs in, then for each of its customers opens the
CRM deep link, the profile page and up to three timeline pages. Each agent
has its own customers. An unreported warm-up runs the flow twice, deleting
the cached responses after each run. The first pass is then uncached with warm connection
pools, and a second pass over the same customers shows what the shared cache
saves. A third pass compares the
uncached profile page with the proxy's page, and with two lower bounds
served by the same proxy: "least" makes the profile search and the
parallel first timeline call and returns a page as long as the
dashboard's; "required" adds the session read, the cache writes and the
audit row that sign-in, the shared cache and the audit trail need. Any
design with those features does at least what "required" does. This is a measurement, not a test: it prints the figures
and the targets, met or not.
"""

import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import redis

from sandbox import DEMO_API_KEY
from sandbox.fixtures import FILLER_PHONE_FIRST, make_profile_id
from tests.sandbox_process import REPOSITORY_ROOT, SandboxControl, SandboxProcess
from tests.test_production import (
    AGENT_NAME,
    AGENT_PASSWORD,
    GUNICORN,
    GunicornInstance,
    _free_port,
    production_environment,
    proxied_browser,
    run_manage,
    sign_in,
)

AGENT_COUNTS = (1, 5, 50)
CUSTOMERS_PER_AGENT = {1: 10, 5: 4, 50: 3}
TIMELINE_PAGES = 3
# Small pages, so that the sandbox's customers (0 to 40 events) have three.
PAGE_SIZE = 10
# A whole pass stops early after this many seconds, so a broken run ends.
PASS_SECONDS = 120.0
WORKER_THREADS = 16
# A pool grows to the most calls a worker ever had in flight at once. One
# round at 50 agents left a few workers short of that peak in trial runs.
# After a second round, a third opened no new connection.
WARM_UP_ROUNDS = 2
# Views of bench/proxy_app.py that do only what every uncached profile page
# must do: the least any design of the dashboard could cost.
LOWER_BOUNDS = {"least": "with-timeline/", "required": "required/"}
# Markup that only a rendered profile page and a timeline fragment contain.
PROFILE_MARK = 'id="profile-name"'
TIMELINE_MARK = 'class="timeline-'


@dataclass
class Sample:
    step: str
    seconds: float
    status: int
    wire_bytes: int
    gzip_bytes: int


@dataclass
class PassResult:
    samples: list[Sample] = field(default_factory=list)
    wall_seconds: float = 0.0
    upstream: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def by_step(self) -> dict[str, list[Sample]]:
        steps: dict[str, list[Sample]] = defaultdict(list)
        for sample in self.samples:
            steps[sample.step].append(sample)
        return steps


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(result: PassResult, step: str, send: Callable[[], httpx.Response], expect: str = "") -> httpx.Response:
    """Send one request and record it, as failed when ``expect`` is in neither its body nor its Location.

    A session lost on the way would otherwise turn every page into a fast
    sign-in page that looks like a good figure.
    """
    started = time.perf_counter()
    response = send()
    elapsed = time.perf_counter() - started
    failed = response.status_code >= 400 or (
        expect and expect not in response.text and not response.headers.get("location", "").startswith(expect)
    )
    result.add(Sample(step, elapsed, 0 if failed else response.status_code, response.num_bytes_downloaded,
                      len(gzip.compress(response.content))))
    return response


def customers_for(first_index: int, count: int) -> list[tuple[str, str]]:
    """Return (phone, profile id) of sandbox filler customers, starting at ``first_index``."""
    return [(f"0{FILLER_PHONE_FIRST + index}", make_profile_id(f"filler-{index}"))
            for index in range(first_index, first_index + count)]


def agent_flow(browser: httpx.Client, base_url: str, customers, result: PassResult, stop_at: float) -> None:
    for phone, _profile_id in customers:
        if time.monotonic() > stop_at:
            return
        deep_link = timed(result, "deep link", lambda: browser.get(f"{base_url}/lookup/", params={"phone_number": phone}),
                          expect="/profiles/")
        profile_url = f"{base_url}{deep_link.headers['location']}"
        timed(result, "profile", lambda: browser.get(profile_url), expect=PROFILE_MARK)
        next_url = f"{profile_url}timeline/"
        for page in range(1, TIMELINE_PAGES + 1):
            response = timed(result, f"timeline {page}",
                             lambda: browser.get(next_url, headers={"HX-Request": "true"}), expect=TIMELINE_MARK)
            found = re.search(r'hx-get="([^"]+)"', response.text)
            if not found:
                break
            next_url = base_url + found[1].replace("&amp;", "&")


def run_agents(count: int, work: Callable[[int, PassResult, float], None]) -> PassResult:
    result = PassResult()
    stop_at = time.monotonic() + PASS_SECONDS
    threads = [threading.Thread(target=work, args=(index, result, stop_at)) for index in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - started
    return result


def new_browser() -> httpx.Client:
    """Return one agent's browser, reaching gunicorn as the TLS-terminating proxy would."""
    browser = proxied_browser()
    browser.timeout = httpx.Timeout(30.0)
    browser.headers["Accept-Encoding"] = "gzip"
    return browser


def fresh_postgres_database(database_url: str) -> None:
    """Drop and create the PostgreSQL database named in ``database_url``, so each run starts empty."""
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    maintenance = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def forget_cached_answers(store: redis.Redis) -> None:
    """Delete cached PrimeData responses, keeping the agents' sessions."""
    for key in store.scan_iter(match="*primedata:*"):
        store.delete(key)


def worker_peak_memory_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def tree_cpu_seconds(pid: int) -> float:
    """Return the CPU time, user and system, of a process and all its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            # Fields after the command name: state is the first, utime the 12th, stime the 13th.
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
        pending += [int(child) for child in children]
    return total


def local_service_pids(*, database: bool) -> dict[str, int]:
    """Return the main process of the local Redis server, and of PostgreSQL when the run uses it.

    Their CPU is reported beside the servers' CPU, because at 50 agents all
    of them share the machine's two cores.
    """
    names = {"Redis": "redis-server"} | ({"PostgreSQL": "postgres"} if database else {})
    found = {}
    for label, command in names.items():
        # The oldest process of that name is the server: PostgreSQL's backends are its children.
        result = subprocess.run(["pgrep", "-o", "-x", command], capture_output=True, text=True)
        if result.returncode == 0:
            found[label] = int(result.stdout.split()[0])
    return found


def cpu_seconds(processes: dict[str, int]) -> dict[str, float]:
    """Return the CPU time of each server's process tree and of this benchmark's own process."""
    spent = {name: tree_cpu_seconds(pid) for name, pid in processes.items()}
    own = os.times()
    spent["benchmark client"] = own.user + own.system
    return spent


def cpu_spent(before: dict[str, float], after: dict[str, float], pages: int) -> dict[str, float]:
    """Return the milliseconds of CPU per page that each process spent between two readings."""
    return {name: 1000 * (after[name] - before[name]) / max(1, pages)
            for name in before if after[name] > before[name]}


def describe(result: PassResult, latency_ms: float, label: str) -> list[str]:
    lines = []
    for step, samples in result.by_step().items():
        times = [s.seconds * 1000 for s in samples]
        errors = sum(1 for s in samples if s.status == 0)
        lines.append(
            f"  {label:<9} {step:<11} n={len(samples):<4} p50={percentile(times, .5):7.1f} ms "
            f"p95={percentile(times, .95):7.1f} ms  overhead p50={percentile(times, .5) - latency_ms:7.1f} ms  "
            f"wire={statistics.mean(s.wire_bytes for s in samples):7.0f} B  "
            f"gzip={statistics.mean(s.gzip_bytes for s in samples):6.0f} B"
            + (f"  errors={errors}" if errors else "")
        )
    return lines


def upstream_figures(stats_before: dict, stats_after: dict, page_views: int) -> tuple[int, float, float]:
    requests = sum(stats_after["requests"].values()) - sum(stats_before["requests"].values())
    connections = stats_after["connections"]
    per_view = requests / page_views if page_views else 0.0
    per_hundred = 100 * connections / requests if requests else 0.0
    return requests, per_view, per_hundred


def first_page_view_bytes(base_url: str) -> tuple[int, dict[str, int]]:
    """Compressed bytes of one first profile page view: HTML, every asset, first timeline page."""
    with new_browser() as browser:
        sign_in(browser, base_url, agent_names()[0])
        phone, profile_id = customers_for(199, 1)[0]
        page = browser.get(f"{base_url}/profiles/{profile_id}/")
        parts = {"profile HTML (gzip)": len(gzip.compress(page.content))}
        for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            parts[path] = browser.get(f"{base_url}{path}").num_bytes_downloaded
        timeline = browser.get(f"{base_url}/profiles/{profile_id}/timeline/", headers={"HX-Request": "true"})
        parts["timeline page 1 (gzip)"] = len(gzip.compress(timeline.content))
    return sum(parts.values()), parts


def render_time_of_100_events(env: dict[str, str]) -> tuple[float, float]:
    """Median and p95 server time, in ms, to render a timeline page of 100 events."""
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ["PRIMEDATA_TIMELINE_PAGE_SIZE"] = "100"
    os.environ["DJANGO_SETTINGS_MODULE"] = "customer360.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from lookup import services

    # The sandbox's "long history" customer has 5000 events.
    profile_id = make_profile_id("long-history")
    query = services.TimelineQuery()
    page = services.timeline_page(profile_id, query, cursor=None, request_id="benchmark-render")
    assert len(page.events) == 100, len(page.events)
    request = RequestFactory().get(f"/profiles/{profile_id}/timeline/", headers={"HX-Request": "true"})
    request.user = AnonymousUser()
    request.request_id = "benchmark-render"
    # Agents without "Can view full contact details" are the usual case, and
    # their pages cost more: every text value is searched for contacts to mask.
    context = {"profile_id": profile_id, "query": query, "page": page, "is_first_page": True,
               "mask_contacts": True,
               "entries": services.timeline_entries(page.events, previous_day=""),
               "next_url": f"/profiles/{profile_id}/timeline/?cursor=x"}
    # A context that no longer matches the template would render an empty,
    # fast page; counting the events keeps the figure honest.
    html = render_to_string("lookup/timeline.html#timeline-page", context, request=request)
    assert html.count("data-event-key=") == 100, "the timeline partial rendered no events"
    times = []
    for _ in range(200):
        started = time.perf_counter()
        render_to_string("lookup/timeline.html#timeline-page", context, request=request)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, .95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=int, default=50, help="sandbox latency per API request")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7", help="Redis database to use (flushed)")
    parser.add_argument(
        "--database-url", default="",
        help="PostgreSQL database for agents and the audit trail, dropped and created anew "
             "(default: a SQLite file in the run's temporary folder)",
    )
    arguments = parser.parse_args()
    latency = arguments.latency_ms
    store = redis.Redis.from_url(arguments.redis_url)
    store.flushdb()

    work_dir = Path(tempfile.mkdtemp(prefix="c360-bench-"))
    sandbox = SandboxProcess(work_dir / "sandbox.log", "--latency-ms", str(latency), "--threads", "256",
                             "--log-level", "warning")
    control = SandboxControl(sandbox.base_url)
    env = production_environment(work_dir, sandbox.base_url) | {
        "REDIS_URL": arguments.redis_url,
        "PRIMEDATA_TIMELINE_PAGE_SIZE": str(PAGE_SIZE),
        "WEB_CONCURRENCY": str(2 * (os.cpu_count() or 1)),
        "GUNICORN_THREADS": str(WORKER_THREADS),
    }
    if arguments.database_url:
        fresh_postgres_database(arguments.database_url)
        env["DATABASE_URL"] = arguments.database_url
    run_manage(env, "migrate", "--no-input", "-v0")
    run_manage(env, "collectstatic", "--no-input", "-v0")
    # One account per concurrent agent, as in a contact centre. They share one
    # password hash, so creating 50 costs one PBKDF2 run.
    run_manage(env, "shell", "-c",
               "from django.contrib.auth import get_user_model; from django.contrib.auth.hashers import make_password; "
               "from lookup.access import agents_group; User = get_user_model(); "
               f"hashed = make_password({AGENT_PASSWORD!r}); "
               f"users = User.objects.bulk_create([User(username=name, password=hashed) for name in {agent_names()!r}]); "
               "agents_group().user_set.add(*users)")
    dashboard = GunicornInstance(env, work_dir / "dashboard.log")
    subprocess.run([sys.executable, "-c", "from bench.proxy_app import create_audit_table; create_audit_table()"],
                   env=env, cwd=REPOSITORY_ROOT, check=True)
    proxy_port = _free_port()
    with (work_dir / "proxy.log").open("wb") as proxy_log:
        proxy = subprocess.Popen(
            [GUNICORN, "bench.proxy_app:application", "--bind", f"127.0.0.1:{proxy_port}",
             "-k", "gthread", "--workers", env["WEB_CONCURRENCY"], "--threads", str(WORKER_THREADS), "--no-control-socket"],
            env=env | {"BENCH_UPSTREAM_URL": sandbox.base_url, "BENCH_UPSTREAM_KEY": DEMO_API_KEY},
            cwd=REPOSITORY_ROOT, stdout=proxy_log, stderr=proxy_log,
        )
    proxy_url = f"http://127.0.0.1:{proxy_port}"
    try:
        _wait_for(f"{proxy_url}/profiles/{make_profile_id('filler-0')}/")
        processes = {"dashboard": dashboard.process.pid, "proxy": proxy.pid, "sandbox": sandbox.process.pid}
        processes |= local_service_pids(database=bool(arguments.database_url))
        report(arguments, latency, store, control, dashboard, proxy_url, env, processes)
    finally:
        proxy.terminate()
        proxy.wait(15)
        dashboard.stop()
        control.close()
        sandbox.stop()
        store.flushdb()


def _wait_for(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(url, trust_env=False, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not respond in time")


def report(arguments, latency, store, control, dashboard, proxy_url, env, processes) -> None:
    print(f"Customer 360 benchmark: sandbox latency {latency} ms, {os.cpu_count()} CPU cores, "
          f"{env['WEB_CONCURRENCY']} gunicorn workers x {WORKER_THREADS} threads for both servers, "
          f"timeline page size {PAGE_SIZE}, Python {sys.version.split()[0]}")
    first_customer = 0
    summary = []
    failed = 0
    for agents in AGENT_COUNTS:
        per_agent = CUSTOMERS_PER_AGENT[agents]
        assigned = [customers_for(first_customer + i * per_agent, per_agent) for i in range(agents)]
        first_customer += agents * per_agent
        browsers = [new_browser() for _ in range(agents)]

        def sign_in_all(index, result, stop_at):
            timed(result, "sign-in", lambda: _sign_in_response(browsers[index], dashboard.url, agent_names()[index]),
                  expect='name="q"')

        signed = run_agents(agents, sign_in_all)
        print(f"\n== {agents} concurrent agent(s), {agents * per_agent} customers ==")
        print("\n".join(describe(signed, 0, "dashboard")).replace("overhead", "(no upstream)"))

        # Warm-up, not reported: the same flow, each time followed by deleting
        # the cached responses. The workers' connection pools and the database
        # and Redis connections are then as warm as in a running contact
        # centre, so pass 1 shows uncached pages in steady state.
        for _round in range(WARM_UP_ROUNDS):
            run_agents(agents, lambda i, r, s: agent_flow(browsers[i], dashboard.url, assigned[i], r, s))
            forget_cached_answers(store)
        control.reset_stats()
        before = control.stats()
        uncached = run_agents(agents, lambda i, r, s: agent_flow(browsers[i], dashboard.url, assigned[i], r, s))
        after = control.stats()
        views = len(uncached.samples)
        requests, per_view, per_hundred = upstream_figures(before, after, views)
        print(f"-- pass 1, uncached: {views} page views in {uncached.wall_seconds:.1f} s "
              f"({views / uncached.wall_seconds:.1f} pages/s)")
        print("\n".join(describe(uncached, latency, "dashboard")))
        print(f"  upstream calls: {requests} for {views} page views = {per_view:.2f} per page view "
              f"({requests / (agents * per_agent):.1f} per customer); "
              f"new upstream connections: {after['connections']} = {per_hundred:.2f} per 100 upstream requests")

        control.reset_stats()
        cached = run_agents(agents, lambda i, r, s: agent_flow(browsers[i], dashboard.url, assigned[i], r, s))
        cached_stats = control.stats()
        cached_requests = sum(cached_stats["requests"].values())
        print(f"-- pass 2, same customers within LOOKUP_CACHE_SECONDS: {len(cached.samples)} page views, "
              f"{cached_requests} upstream calls = {cached_requests / max(1, len(cached.samples)):.2f} per page view "
              f"(by endpoint: {cached_stats['requests']})")
        print("\n".join(describe(cached, 0, "dashboard")).replace("overhead", "(cached)"))

        forget_cached_answers(store)
        control.reset_stats()
        profile_ids = [[profile_id for _phone, profile_id in customers] for customers in assigned]

        def dashboard_profiles(index, result, stop_at):
            for profile_id in profile_ids[index]:
                timed(result, "profile", lambda: browsers[index].get(f"{dashboard.url}/profiles/{profile_id}/"),
                      expect=PROFILE_MARK)

        cpu_before = cpu_seconds(processes)
        compared = run_agents(agents, dashboard_profiles)
        dashboard_cpu = cpu_spent(cpu_before, cpu_seconds(processes), len(compared.samples))
        profile_calls = control.stats()["requests"]["profiles"]
        proxy_browsers = [new_browser() for _ in range(agents)]
        # The lower bounds return pages as long as the dashboard's, while the proxy's stays tiny.
        page_bytes = round(statistics.mean(sample.wire_bytes for sample in compared.samples))
        runs = {"dashboard": (compared, dashboard_cpu)}
        for label, route in {"proxy": "", **LOWER_BOUNDS}.items():
            params = {"bytes": page_bytes} if route else {}

            def proxy_profiles(index, result, stop_at, route=route, params=params):
                for profile_id in profile_ids[index]:
                    timed(result, "profile", lambda: proxy_browsers[index].get(
                        f"{proxy_url}/profiles/{profile_id}/{route}", params=params))

            # Each proxy page gets one untimed round first, so that its client and
            # upstream connections are as warm as the dashboard's after passes 1 and 2.
            run_agents(agents, proxy_profiles)
            cpu_before = cpu_seconds(processes)
            run = run_agents(agents, proxy_profiles)
            runs[label] = (run, cpu_spent(cpu_before, cpu_seconds(processes), len(run.samples)))
        print(f"-- pass 3, uncached profile page beside the minimal proxy "
              f"({profile_calls} upstream profile calls for {len(compared.samples)} dashboard profile pages)")
        for label, (run, _cpu) in runs.items():
            print("\n".join(describe(run, latency, label)))
        for label, (_run, spent) in runs.items():
            print(f"  CPU per {label} page: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in spent.items()))
        rps = {label: len(run.samples) / run.wall_seconds for label, (run, _cpu) in runs.items()}
        p50 = {label: percentile([s.seconds * 1000 for s in run.samples], .5) for label, (run, _cpu) in runs.items()}
        others = [label for label in runs if label != "proxy"]
        print("  requests/s: " + ", ".join(f"{label} {rps[label]:.1f}" for label in runs) + "; ratio to the proxy: "
              + ", ".join(f"{label} {rps[label] / rps['proxy']:.2f}" for label in others))
        print("  p50 ratio to the proxy: " + ", ".join(f"{label} {p50[label] / p50['proxy']:.2f}" for label in others))
        summary.append((agents, {label: p50[label] / p50["proxy"] for label in others},
                        {label: rps[label] / rps["proxy"] for label in others}, per_hundred, cached_requests))
        failed += sum(1 for run in (signed, uncached, cached, *(run for run, _cpu in runs.values()))
                      for sample in run.samples if sample.status == 0)
        for browser in browsers + proxy_browsers:
            browser.close()

    peaks = worker_peak_memory_mb(dashboard.process.pid)
    total, parts = first_page_view_bytes(dashboard.url)
    render_p50, render_p95 = render_time_of_100_events(env)
    print("\n== Other figures ==")
    print(f"  peak memory per dashboard worker (VmHWM): " + ", ".join(f"{mb:.1f} MB" for mb in peaks))
    print(f"  first page view, compressed: {total / 1024:.1f} KB = "
          + ", ".join(f"{name} {size} B" for name, size in parts.items()))
    print(f"  100-event timeline page render: median {render_p50:.2f} ms, p95 {render_p95:.2f} ms")

    print("\n== Targets ==")
    by_agents = {row[0]: row for row in summary}
    verdicts = [
        # Figures of failed pages mean nothing, so this verdict comes first.
        ("every measured page view succeeded", failed == 0, f"{failed} failed"),
        ("profile p50 within 1.1x the proxy's at 5 agents", by_agents[5][1]["dashboard"] <= 1.1,
         f"{by_agents[5][1]['dashboard']:.2f}x"),
        ("requests/s at least 0.7x the proxy's at 50 agents", by_agents[50][2]["dashboard"] >= 0.7,
         f"{by_agents[50][2]['dashboard']:.2f}x"),
        ("no upstream call for a cached page view", all(row[4] == 0 for row in summary),
         ", ".join(str(row[4]) for row in summary) + " calls in the cached passes"),
        ("at most 1 new upstream connection per 100 requests", all(row[3] <= 1 for row in summary),
         ", ".join(f"{row[3]:.2f}" for row in summary)),
        ("100-event timeline page under 15 ms", render_p50 < 15, f"{render_p50:.2f} ms"),
        ("first page view under 60 KB compressed", total < 60 * 1024, f"{total / 1024:.1f} KB"),
        ("under 100 MB per worker", all(mb < 100 for mb in peaks), f"max {max(peaks):.1f} MB"),
    ]
    for name, met, figure in verdicts:
        print(f"  [{'met' if met else 'MISSED'}] {name}: {figure}")
    print("\n== Lower bounds (bench/proxy_app.py) ==")
    for label, route in LOWER_BOUNDS.items():
        print(f"  {label} ({route}): {by_agents[5][1][label]:.2f}x the proxy's p50 at 5 agents, "
              f"{by_agents[50][2][label]:.2f}x its requests/s at 50 agents")


def agent_names() -> list[str]:
    return [f"{AGENT_NAME}-{index}" for index in range(max(AGENT_COUNTS))]


def _sign_in_response(browser: httpx.Client, base_url: str, username: str) -> httpx.Response:
    sign_in(browser, base_url, username)
    return browser.get(f"{base_url}/")


if __name__ == "__main__":
    main()
