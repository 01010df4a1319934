"""Tests of PrimeDataClient over real HTTP against a server started on 127.0.0.1.

The server is the standard library's http.server in a thread. Each test picks
how it behaves: respond, hang, drip the body one byte at a time, or reset the
connection. Deadlines are short so that the file runs in a few seconds.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from lookup.primedata import PrimeDataClient, UpstreamTimeout, UpstreamUnavailable

API_KEY = "test-key-8d2a61c7"
PROFILE_ID = "2K7QRzns7Gpw4n4Q4RADtFpmhnm"
PROFILE_BODY = json.dumps(
    {"data": {"profile_id": PROFILE_ID, "trait": {"full_name": "Nguyễn Văn An"}}}
).encode()

# Extra seconds allowed over a deadline before a timing assertion fails. Each
# case would take 10 s or more without the behaviour under test, so a wide
# margin still catches a regression on a loaded machine.
TIMING_MARGIN = 1.5

# Seconds between two bytes of a dripped body, and the body's length. The
# whole drip takes 20 s, far beyond any deadline used here.
DRIP_INTERVAL = 0.05
DRIP_LENGTH = 400

ClientFactory = Callable[..., PrimeDataClient]


@dataclass
class ServerState:
    """Behaviour chosen by the test and requests seen by the server."""

    mode: str = "respond"
    # Seconds the "late-stall" mode waits before it sends the headers.
    stall_after: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


class ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        state.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
        )

        if state.mode == "respond":
            self._send_headers(len(PROFILE_BODY))
            self.wfile.write(PROFILE_BODY)
        elif state.mode == "hang":
            # Send nothing until the test ends, long after any client timeout.
            state.stop.wait(10)
        elif state.mode == "drip":
            self._drip(state.stop)
        elif state.mode == "reset":
            self._reset_connection()
        elif state.mode == "late-stall":
            # Headers and a first byte arrive just before the client's
            # deadline, then nothing more until the test ends.
            if not state.stop.wait(state.stall_after):
                self._send_headers(len(PROFILE_BODY))
                self.wfile.write(PROFILE_BODY[:1])
                self.wfile.flush()
                state.stop.wait(10)
        elif state.mode == "set-cookie":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(PROFILE_BODY)))
            self.send_header("set-cookie", "gateway-session=abc123; Path=/")
            self.end_headers()
            self.wfile.write(PROFILE_BODY)

    def _send_headers(self, length: int) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(length))
        self.end_headers()

    def _drip(self, stop: threading.Event) -> None:
        self._send_headers(DRIP_LENGTH)
        for _ in range(DRIP_LENGTH):
            if stop.wait(DRIP_INTERVAL):
                return
            try:
                self.wfile.write(b" ")
            except OSError:
                # The client closed the connection, which is what the test wants.
                return

    def _reset_connection(self) -> None:
        # A zero linger time makes close() send RST instead of FIN. The
        # reader file holds a reference to the socket, so it must be closed
        # first for the socket to close at once.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the server's access log out of the test output."""


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.state = ServerState()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore the errors of connections that the tests break on purpose."""


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep requests to 127.0.0.1 off any proxy set in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    thread = threading.Thread(target=scripted.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield scripted
    scripted.state.stop.set()
    scripted.shutdown()
    scripted.server_close()
    thread.join(timeout=5)


@pytest.fixture
def make_client() -> Iterator[ClientFactory]:
    """Build clients with short backoffs, and close them when the test ends."""
    clients: list[PrimeDataClient] = []

    def build(base_url: str, **options: Any) -> PrimeDataClient:
        options.setdefault("backoff_initial", 0.01)
        options.setdefault("backoff_max", 0.05)
        client = PrimeDataClient(base_url, API_KEY, **options)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


def test_profile_arrives_over_http(server: ScriptedServer, make_client: ClientFactory) -> None:
    client = make_client(server.url)

    profiles = client.search_profiles(
        identities={"phone_number": ["0912345678"]}, request_id="req-http-1"
    )

    assert profiles[0].traits["full_name"] == "Nguyễn Văn An"
    request = server.state.requests[0]
    assert request["path"] == "/pub/profiles/advanced-search"
    assert request["headers"]["x-api-key"] == API_KEY
    assert request["headers"]["x-request-id"] == "req-http-1"
    assert request["body"] == {"identities": {"phone_number": ["0912345678"]}}


def test_read_timeout_is_not_retried(server: ScriptedServer, make_client: ClientFactory) -> None:
    server.state.mode = "hang"
    client = make_client(server.url, read_timeout=0.3, deadline=1.5)
    started = time.monotonic()

    with pytest.raises(UpstreamTimeout) as raised:
        client.search_profiles(profile_id=PROFILE_ID)

    elapsed = time.monotonic() - started
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    assert raised.value.attempts == 1
    assert len(server.state.requests) == 1
    assert elapsed < 0.3 + TIMING_MARGIN


def test_deadline_shortens_read_timeout(server: ScriptedServer, make_client: ClientFactory) -> None:
    server.state.mode = "hang"
    client = make_client(server.url, read_timeout=10.0)
    started = time.monotonic()

    with pytest.raises(UpstreamTimeout):
        client.search_events(profile_id=PROFILE_ID, deadline=0.5)

    assert time.monotonic() - started < 0.5 + TIMING_MARGIN


def test_drip_stops_at_deadline(server: ScriptedServer, make_client: ClientFactory) -> None:
    server.state.mode = "drip"
    deadline = 0.8
    client = make_client(server.url, read_timeout=5.0, deadline=deadline)
    started = time.monotonic()

    with pytest.raises(UpstreamTimeout) as raised:
        client.search_events(profile_id=PROFILE_ID)

    elapsed = time.monotonic() - started
    assert raised.value.attempts == 1
    assert elapsed >= deadline
    assert elapsed < deadline + TIMING_MARGIN
    assert raised.value.elapsed < deadline + TIMING_MARGIN


def test_read_that_stalls_late_ends_at_deadline(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    # The headers come 1.6 s into a 2 s deadline, when the read timeout was
    # already fixed at 2 s, so without the watchdog the call would last 3.6 s.
    server.state.mode = "late-stall"
    server.state.stall_after = 1.6
    deadline = 2.0
    client = make_client(server.url, read_timeout=10.0, deadline=deadline)
    started = time.monotonic()

    with pytest.raises(UpstreamTimeout) as raised:
        client.search_events(profile_id=PROFILE_ID)

    elapsed = time.monotonic() - started
    assert raised.value.attempts == 1
    assert "deadline ran out" in raised.value.message
    assert deadline <= elapsed < deadline + 0.8


def test_calls_share_one_watchdog_thread(
    server: ScriptedServer, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(server.url)
    # The first call may start the shared thread.
    client.search_profiles(profile_id=PROFILE_ID)
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def counted_start(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", counted_start)

    for _ in range(3):
        client.search_profiles(profile_id=PROFILE_ID)

    # The scripted server starts threads of its own, which do not count.
    timers = [thread for thread in started if isinstance(thread, threading.Timer) or "watchdog" in thread.name]
    assert timers == []


def test_cookies_from_upstream_are_not_kept(
    server: ScriptedServer, make_client: ClientFactory
) -> None:
    server.state.mode = "set-cookie"
    client = make_client(server.url)

    client.search_profiles(profile_id=PROFILE_ID)
    client.search_profiles(profile_id=PROFILE_ID)

    assert [request["headers"].get("Cookie") for request in server.state.requests] == [None, None]


def test_connection_reset_is_retried(server: ScriptedServer, make_client: ClientFactory) -> None:
    server.state.mode = "reset"
    client = make_client(server.url, deadline=1.5)

    with pytest.raises(UpstreamUnavailable) as raised:
        client.search_profiles(profile_id=PROFILE_ID)

    assert isinstance(raised.value.__cause__, httpx.ReadError)
    assert raised.value.status is None
    assert raised.value.attempts == 3
    assert len(server.state.requests) == 3


def test_connection_refused_is_retried(closed_port_url: str, make_client: ClientFactory) -> None:
    client = make_client(closed_port_url, deadline=1.5)

    with pytest.raises(UpstreamUnavailable) as raised:
        client.search_profiles(profile_id=PROFILE_ID)

    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert raised.value.attempts == 3


def test_api_key_absent_from_debug_logs(
    server: ScriptedServer,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(server.url, deadline=1.0)

    client.search_profiles(profile_id=PROFILE_ID)
    server.state.mode = "reset"
    with pytest.raises(UpstreamUnavailable) as raised:
        client.search_profiles(profile_id=PROFILE_ID)

    assert caplog.records
    assert API_KEY not in caplog.text
    assert API_KEY not in str(raised.value)
    assert API_KEY not in repr(raised.value.__cause__)
