"""The standalone sandbox (``python -m sandbox``) over real sockets."""

import email.utils
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from lookup.primedata import PrimeDataClient
from tests.sandbox_process import SandboxControl, SandboxProcess
from sandbox import DEMO_API_KEY, fixtures

PROFILES = "/pub/profiles/advanced-search"
EVENTS = "/pub/events/advanced-search"
AN = {"profile_id": fixtures.AN_ID}

# RFC 9110's preferred HTTP-date form, IMF-fixdate, as in "Fri, 04 Dec 2026 20:16:19 GMT".
IMF_FIXDATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


def make_client(base_url: str, **options: object) -> httpx.Client:
    return httpx.Client(
        base_url=base_url, headers={"x-api-key": DEMO_API_KEY}, timeout=5.0, trust_env=False, **options
    )


@pytest.fixture
def client(sandbox_server: str, sandbox_control: SandboxControl) -> Iterator[httpx.Client]:
    with make_client(sandbox_server) as client:
        yield client


def test_profile_lookup(client: httpx.Client) -> None:
    response = client.post(PROFILES, json={"identities": {"phone_number": ["0912345678"]}})

    assert response.status_code == 200
    assert response.json()["data"]["trait"]["full_name"] == "Nguyễn Văn An"


def test_stats_count_keepalive_connection(sandbox_server: str, sandbox_control: SandboxControl) -> None:
    with make_client(sandbox_server) as first:
        for _ in range(3):
            first.post(PROFILES, json=AN)
        first.post(EVENTS, json=AN)
        first.post(EVENTS, json=AN)
        after_first = sandbox_control.stats()
    with make_client(sandbox_server) as second:
        second.post(EVENTS, json=AN)

    after_second = sandbox_control.stats()

    assert after_first == {"requests": {"profiles": 3, "events": 2}, "connections": 1}
    assert after_second == {"requests": {"profiles": 3, "events": 3}, "connections": 2}


def test_stats_skip_kept_alive_connections(sandbox_server: str, sandbox_control: SandboxControl) -> None:
    with make_client(sandbox_server) as kept:
        kept.post(PROFILES, json=AN)
        sandbox_control.reset_stats()
        kept.post(EVENTS, json=AN)
        after_reuse = sandbox_control.stats()
        with make_client(sandbox_server) as fresh:
            fresh.post(EVENTS, json=AN)
        after_fresh = sandbox_control.stats()

    assert after_reuse == {"requests": {"profiles": 0, "events": 1}, "connections": 0}
    assert after_fresh == {"requests": {"profiles": 0, "events": 2}, "connections": 1}


def post_from_port(base_url: str, local_port: int) -> bytes:
    """POST a profile search over a new connection from ``local_port``, and return the status line."""
    server = urlsplit(base_url)
    body = json.dumps(AN).encode()
    head = (f"POST {PROFILES} HTTP/1.1\r\nHost: {server.netloc}\r\nx-api-key: {DEMO_API_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    with socket.socket() as connection:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        connection.settimeout(5.0)
        connection.bind(("127.0.0.1", local_port))
        connection.connect((server.hostname, server.port))
        connection.sendall(head.encode() + body)
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    return response.split(b"\r\n", 1)[0]


def test_stats_count_reused_local_port(sandbox_server: str, sandbox_control: SandboxControl) -> None:
    # Linux may give a new loopback connection the port of a closed one, so
    # the sandbox must not take the peer address for the connection.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]

    first = post_from_port(sandbox_server, local_port)
    second = post_from_port(sandbox_server, local_port)

    assert first == b"HTTP/1.1 200 OK"
    assert second == b"HTTP/1.1 200 OK"
    assert sandbox_control.stats() == {"requests": {"profiles": 2, "events": 0}, "connections": 2}


@pytest.mark.parametrize(("keepalive_seconds", "connections"), [(5.0, 1), (0.2, 2)])
def test_client_keepalive_reuses_connection(
    sandbox_server: str, sandbox_control: SandboxControl, keepalive_seconds: float, connections: int
) -> None:
    with PrimeDataClient(sandbox_server, DEMO_API_KEY, keepalive_seconds=keepalive_seconds) as client:
        client.search_profiles(profile_id=fixtures.AN_ID)
        time.sleep(0.5)
        client.search_profiles(profile_id=fixtures.AN_ID)

    assert sandbox_control.stats()["connections"] == connections


def test_scheduled_fault_count_and_skip(client: httpx.Client, sandbox_control: SandboxControl) -> None:
    sandbox_control.schedule("503-json", count=2, skip=1, endpoint="profiles")

    statuses = [client.post(PROFILES, json=AN).status_code for _ in range(4)]
    events = client.post(EVENTS, json=AN)

    assert statuses == [200, 503, 503, 200]
    assert events.status_code == 200
    assert sandbox_control.pending() == []


def test_scheduled_faults_run_in_order(client: httpx.Client, sandbox_control: SandboxControl) -> None:
    sandbox_control.schedule("502-html")
    sandbox_control.schedule("429-retry-after-2")

    first = client.post(EVENTS, json=AN)
    second = client.post(EVENTS, json=AN)
    third = client.post(EVENTS, json=AN)

    assert first.status_code == 502
    assert first.headers["content-type"].startswith("text/html")
    assert second.status_code == 429
    assert second.headers["retry-after"] == "2"
    assert third.status_code == 200


def test_fault_until_cleared(client: httpx.Client, sandbox_control: SandboxControl) -> None:
    sandbox_control.schedule("500-empty", count=0)

    statuses = [client.post(PROFILES, json=AN).status_code for _ in range(3)]
    pending = sandbox_control.pending()
    sandbox_control.clear()
    after_clear = client.post(PROFILES, json=AN)

    assert statuses == [500, 500, 500]
    assert pending == [{"fault": "500-empty", "endpoint": "any", "count": 0, "skip": 0}]
    assert after_clear.status_code == 200


def test_header_fault_leaves_schedule(client: httpx.Client, sandbox_control: SandboxControl) -> None:
    sandbox_control.schedule("504-json")

    by_header = client.post(PROFILES, json=AN, headers={"x-sandbox-fault": "wrong-shape"})
    scheduled = client.post(PROFILES, json=AN)

    assert by_header.status_code == 200
    assert "data" not in by_header.json()
    assert scheduled.status_code == 504


def test_reset_is_connection_error(client: httpx.Client) -> None:
    with pytest.raises(httpx.NetworkError) as caught:
        client.post(PROFILES, json=AN, headers={"x-sandbox-fault": "reset"})

    assert "reset" in str(caught.value).lower()
    assert client.post(PROFILES, json=AN).status_code == 200


def test_scheduled_reset(client: httpx.Client, sandbox_control: SandboxControl) -> None:
    sandbox_control.schedule("reset", endpoint="events")

    with pytest.raises(httpx.NetworkError):
        client.post(EVENTS, json=AN)

    assert client.post(EVENTS, json=AN).status_code == 200


def test_hang_is_read_timeout(client: httpx.Client, sandbox_control: SandboxControl) -> None:
    started = time.monotonic()

    with pytest.raises(httpx.ReadTimeout):
        client.post(PROFILES, json=AN, headers={"x-sandbox-fault": "hang"}, timeout=0.5)

    assert time.monotonic() - started < 2.0
    assert client.post(PROFILES, json=AN).status_code == 200


def test_drip_sends_bytes_slowly(client: httpx.Client) -> None:
    arrivals = []
    headers = {"x-sandbox-fault": "drip"}

    with client.stream("POST", EVENTS, json=AN, headers=headers) as response:
        started = time.monotonic()
        for chunk in response.iter_raw(1):
            arrivals.append((chunk, time.monotonic() - started))
            if len(arrivals) == 4:
                break

    assert response.status_code == 200
    assert [chunk for chunk, _ in arrivals] == [b" "] * 4
    assert arrivals[-1][1] >= 1.3
    assert int(response.headers["content-length"]) > 120


def test_retry_after_date_is_http_date(client: httpx.Client) -> None:
    before = datetime.now(UTC)

    response = client.post(PROFILES, json=AN, headers={"x-sandbox-fault": "429-retry-after-date-30"})

    value = response.headers["retry-after"]
    assert response.status_code == 429
    assert IMF_FIXDATE.fullmatch(value), value
    assert timedelta(seconds=29) <= email.utils.parsedate_to_datetime(value) - before <= timedelta(seconds=32)


def test_command_line_options(tmp_path: Path) -> None:
    server = SandboxProcess(tmp_path / "server.log", "--api-key", "other-key", "--latency-ms", "200")
    try:
        with make_client(server.base_url) as client:
            rejected = client.post(PROFILES, json=AN)
            started = time.monotonic()
            accepted = client.post(PROFILES, json=AN, headers={"x-api-key": "other-key"})
            elapsed = time.monotonic() - started
    finally:
        server.stop()

    assert re.match(r"http://127\.0\.0\.1:\d+$", server.base_url)
    assert rejected.status_code == 401
    assert accepted.status_code == 200
    assert elapsed >= 0.2
    assert server.process.returncode == 0
