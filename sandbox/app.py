"""The sandbox as a WSGI application: the two Profile API endpoints and the control paths.

API endpoints (``x-api-key`` required):

- ``POST /pub/profiles/advanced-search``
- ``POST /pub/events/advanced-search``

Control paths (no key):

- ``GET /_sandbox/health``
- ``GET /_sandbox/stats``, ``POST /_sandbox/stats/reset``
- ``GET``, ``POST`` and ``DELETE /_sandbox/faults``

Requests to an API endpoint may also carry ``x-sandbox-fault: NAME`` to
inject one fault into that request alone; see ``sandbox.faults`` for names.
"""

import hmac
import logging
import socket
import threading
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sandbox.cursors import CursorCodec
from sandbox.data import tenant_for
from sandbox.faults import (
    ENDPOINTS,
    Fault,
    FaultSchedule,
    change_body,
    degraded_reply,
    hang_connection,
    parse_fault,
    reset_connection,
    status_reply,
)
from sandbox.queries import InvalidRequest, parse_body, read_event_query, read_profile_query
from sandbox.replies import Reply, error_reply, json_reply
from sandbox.search import ProfileNotFound, search_events, search_profiles

logger = logging.getLogger(__name__)

DEMO_API_KEY = "sandbox-demo-key"

API_PATHS = {
    "/pub/profiles/advanced-search": "profiles",
    "/pub/events/advanced-search": "events",
}
MAX_BODY_BYTES = 1024 * 1024

_AUTHENTICATION_MESSAGE = "Failure to properly authenticate yourself in the request."

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class RequestStats:
    """Counts of API requests per endpoint and of the client connections opened for them.

    Requests over one kept-alive connection count once, and a connection
    kept alive from before the last reset does not count again, so the
    figure is how many connections clients opened since then. Under gunicorn
    a connection is its socket object. A peer address is not enough, because
    Linux hands a closed loopback connection's port to the next one
    (net.ipv4.tcp_tw_reuse). Without a socket, as in process, a connection is
    its (REMOTE_ADDR, REMOTE_PORT) pair. Safe to share between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = dict.fromkeys(API_PATHS.values(), 0)
        # Sockets leave the set when gunicorn closes and drops them.
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._peers: set[tuple[str, str]] = set()
        self._opened = 0

    def record(self, endpoint: str, environ: WSGIEnviron) -> None:
        connection = environ.get("gunicorn.socket")
        with self._lock:
            self._requests[endpoint] += 1
            if isinstance(connection, socket.socket):
                seen = connection in self._sockets
                self._sockets.add(connection)
            else:
                peer = (environ.get("REMOTE_ADDR", ""), environ.get("REMOTE_PORT", ""))
                seen = peer in self._peers
                self._peers.add(peer)
            if not seen:
                self._opened += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": dict(self._requests), "connections": self._opened}

    def reset(self) -> None:
        with self._lock:
            self._requests = dict.fromkeys(self._requests, 0)
            self._opened = 0


class SandboxApp:
    """A WSGI callable that serves the demo tenant; safe to call from many threads."""

    def __init__(self, *, api_key: str, latency: float, cursor_ttl: float) -> None:
        self.api_key = api_key
        self.latency = latency
        # Event times count back from the hour the app was created. The
        # anchor stays fixed for the app's life, so times do not shift
        # between the pages of one history.
        anchor = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.tenant = tenant_for(anchor)
        self.cursors = CursorCodec(api_key, cursor_ttl)
        self.faults = FaultSchedule()
        self.stats = RequestStats()
        # Set when the server shuts down, to end hangs, drips and delays early.
        self.stopping = threading.Event()

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path in API_PATHS:
            reply = self._serve_api(API_PATHS[path], method, environ)
        elif path.startswith("/_sandbox/"):
            reply = self._serve_control(path, method, environ)
        else:
            reply = error_reply(404, "resource_missing", f"Unrecognized request URL ({method} {path})")
        return reply.send(start_response)

    def stop(self) -> None:
        """End pending hangs, drips and delays, for a quick server shutdown."""
        self.stopping.set()

    def _serve_api(self, endpoint: str, method: str, environ: WSGIEnviron) -> Reply:
        self.stats.record(endpoint, environ)
        if method != "POST":
            return _method_not_allowed(method, ("POST",))
        if self.latency:
            self.stopping.wait(self.latency)
        # The body is read before any fault strikes. A reset while the client
        # is still sending would otherwise reach it as a failed write, which
        # httpx reports as a server that closed without a response.
        try:
            raw_body = _read_body(environ)
        except InvalidRequest as error:
            return error_reply(400, error.code, error.message)

        header = environ.get("HTTP_X_SANDBOX_FAULT")
        if header:
            try:
                fault: Fault | None = parse_fault(header.strip())
            except ValueError as error:
                return error_reply(400, "invalid_request_error", f"Invalid x-sandbox-fault header: {error}")
        else:
            fault = self.faults.take(endpoint)
        if fault is None:
            return self._answer(endpoint, environ, raw_body)

        logger.info("Injecting fault %s into a request to the %s endpoint", fault.name, endpoint)
        if fault.needs_socket and "gunicorn.socket" not in environ:
            return degraded_reply(fault)
        if fault.kind == "reset":
            reset_connection(environ["gunicorn.socket"])
        if fault.kind == "hang":
            hang_connection(environ["gunicorn.socket"], self.stopping)
        if fault.kind == "status":
            return status_reply(fault)
        if fault.kind == "latency":
            self.stopping.wait(fault.latency)

        reply = self._answer(endpoint, environ, raw_body, repeat_boundary=fault.kind == "duplicate-boundary")
        if fault.changes_body:
            reply = change_body(fault, reply, self.stopping)
        return reply

    def _answer(
        self, endpoint: str, environ: WSGIEnviron, raw_body: bytes, *, repeat_boundary: bool = False
    ) -> Reply:
        """Serve an API request as PrimeData would, without faults."""
        sent_key = environ.get("HTTP_X_API_KEY", "").encode("latin-1")
        if not hmac.compare_digest(sent_key, self.api_key.encode()):
            return error_reply(401, "authentication_error", _AUTHENTICATION_MESSAGE)

        try:
            body = parse_body(raw_body)
            if endpoint == "profiles":
                payload = search_profiles(self.tenant, read_profile_query(body))
                return json_reply(200, payload)
            query = read_event_query(body)
            payload = search_events(self.tenant, self.cursors, query, repeat_boundary=repeat_boundary)
        except InvalidRequest as error:
            # The message may quote identities, so only the code is logged.
            logger.debug("Rejected a %s request with 400 %s", endpoint, error.code)
            return error_reply(400, error.code, error.message)
        except ProfileNotFound as error:
            logger.debug("Found no profile for a %s request", endpoint)
            return error_reply(404, "resource_missing", str(error))
        # Event bodies go out with \u escapes, as on the vendor's page, so
        # clients meet both spellings of Vietnamese text.
        return json_reply(200, payload, ascii_only=True)

    def _serve_control(self, path: str, method: str, environ: WSGIEnviron) -> Reply:
        if path == "/_sandbox/health":
            if method != "GET":
                return _method_not_allowed(method, ("GET",))
            return json_reply(200, {"status": "ok"})

        if path == "/_sandbox/stats":
            if method != "GET":
                return _method_not_allowed(method, ("GET",))
            return json_reply(200, self.stats.snapshot())

        if path == "/_sandbox/stats/reset":
            if method != "POST":
                return _method_not_allowed(method, ("POST",))
            self.stats.reset()
            return json_reply(200, self.stats.snapshot())

        if path == "/_sandbox/faults":
            if method == "GET":
                return json_reply(200, {"pending": self.faults.pending()})
            if method == "DELETE":
                cleared = self.faults.clear()
                logger.info("Cleared %d scheduled faults", cleared)
                return json_reply(200, {"cleared": cleared})
            if method == "POST":
                return self._schedule_fault(environ)
            return _method_not_allowed(method, ("GET", "POST", "DELETE"))

        return error_reply(404, "resource_missing", f"Unrecognized sandbox path ({method} {path})")

    def _schedule_fault(self, environ: WSGIEnviron) -> Reply:
        try:
            body = parse_body(_read_body(environ))
            fault = parse_fault(_require(body, "fault", str, None))
        except InvalidRequest as error:
            return error_reply(400, "invalid_request_error", error.message)
        except ValueError as error:
            return error_reply(400, "invalid_request_error", str(error))

        try:
            count = _require(body, "count", int, 1)
            skip = _require(body, "skip", int, 0)
            endpoint = _require(body, "endpoint", str, "any")
        except InvalidRequest as error:
            return error_reply(400, "invalid_request_error", error.message)
        if count < 0 or skip < 0:
            return error_reply(400, "invalid_request_error", "Invalid count or skip: must not be negative")
        if endpoint not in ENDPOINTS:
            return error_reply(
                400, "invalid_request_error", f"Invalid endpoint {endpoint!r}: expected one of {', '.join(ENDPOINTS)}"
            )

        entry = self.faults.add(fault, count=count, endpoint=endpoint, skip=skip)
        logger.info("Scheduled fault %s for %s requests (count %d, skip %d)", fault.name, endpoint, count, skip)
        return json_reply(200, {"scheduled": entry, "pending": self.faults.pending()})


def create_app(
    *, api_key: str = DEMO_API_KEY, latency: float = 0.0, cursor_ttl: float = 600.0
) -> SandboxApp:
    """Create a sandbox WSGI application.

    ``latency`` delays every API request, in seconds. ``cursor_ttl`` is how
    long, in seconds, an events cursor stays valid.
    """
    return SandboxApp(api_key=api_key, latency=latency, cursor_ttl=cursor_ttl)


def _read_body(environ: WSGIEnviron) -> bytes:
    stream = environ["wsgi.input"]
    length_text = environ.get("CONTENT_LENGTH") or ""
    if not length_text:
        # gunicorn sets wsgi.input_terminated, so a chunked body can be read to its end.
        if not environ.get("wsgi.input_terminated"):
            return b""
        raw = stream.read(MAX_BODY_BYTES + 1)
    else:
        try:
            length = int(length_text)
        except ValueError:
            raise InvalidRequest("validation_error", f"Invalid Content-Length {length_text!r}") from None
        if length > MAX_BODY_BYTES:
            raise InvalidRequest("validation_error", f"Request body too large: limit is {MAX_BODY_BYTES} bytes")
        raw = stream.read(length)
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidRequest("validation_error", f"Request body too large: limit is {MAX_BODY_BYTES} bytes")
    return raw


def _require(body: dict[str, Any], field: str, kind: type, default: Any) -> Any:
    """Return a field of a control request, checking its type; a None default makes it required."""
    value = body.get(field, default)
    # bool is a subclass of int in Python, but true is not a count.
    if value is None or isinstance(value, bool) or not isinstance(value, kind):
        raise InvalidRequest("invalid_request_error", f"Invalid {field} {value!r}: expected {kind.__name__}")
    return value


def _method_not_allowed(method: str, allowed: tuple[str, ...]) -> Reply:
    return error_reply(
        405,
        "invalid_request_error",
        f"Method {method} not allowed here: use {' or '.join(allowed)}",
        headers=[("Allow", ", ".join(allowed))],
    )


application = create_app()
