"""Fault injection: the fault names, the schedule of pending faults and the faulty responses.

Fault names:

- ``latency-<ms>``: wait that many milliseconds, then respond normally.
- ``429``, ``429-retry-after-<s>``, ``429-retry-after-date-<s>``: rate
  limited, without Retry-After, with it in seconds, or with it as an
  HTTP-date ``s`` seconds ahead.
- ``<code>-json``, ``<code>-html``, ``<code>-empty`` for code 500, 502, 503
  or 504: a server error with a JSON error body, a gateway's HTML page or no
  body. ``503-retry-after-<s>`` and ``503-retry-after-date-<s>`` add
  Retry-After to a JSON 503.
- ``malformed-json``, ``truncated-json``, ``wrong-shape``: a 200 whose body
  is not JSON, is cut in half, or is JSON without ``data``.
- ``reset``: the connection is reset (TCP RST) before any response.
- ``hang``: the request is read and never gets a response, for up to 60 s or until
  the client goes away.
- ``drip``: a 200 whose body arrives one byte every 0.5 s for about 60 s.
- ``duplicate-boundary``: an events page requested with a cursor starts
  with the previous page's last event.

``reset``, ``hang`` and ``drip`` need the real socket of the standalone
server. In-process, as under ``httpx.WSGITransport``, they answer 502.
"""

import email.utils
import errno
import json
import logging
import math
import re
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.replies import Reply, error_reply, json_reply

logger = logging.getLogger(__name__)

FAULT_FORMS = (
    "latency-<ms>",
    "429",
    "429-retry-after-<s>",
    "429-retry-after-date-<s>",
    "<code>-json",
    "<code>-html",
    "<code>-empty",
    "503-retry-after-<s>",
    "503-retry-after-date-<s>",
    "malformed-json",
    "truncated-json",
    "wrong-shape",
    "reset",
    "hang",
    "drip",
    "duplicate-boundary",
)
ENDPOINTS = ("profiles", "events", "any")

HANG_SECONDS = 60.0
DRIP_INTERVAL = 0.5
DRIP_BYTES = 120

_BODY_FAULTS = ("malformed-json", "truncated-json", "wrong-shape")
_SOCKET_FAULTS = ("reset", "hang", "drip")
_PLAIN_FAULTS = _BODY_FAULTS + _SOCKET_FAULTS + ("duplicate-boundary",)

_LATENCY = re.compile(r"latency-(\d{1,6})")
_RATE_LIMITED = re.compile(r"(429|503)-retry-after-(date-)?(\d{1,5})")
_SERVER_ERROR = re.compile(r"(500|502|503|504)-(json|html|empty)")


@dataclass(frozen=True, slots=True)
class Fault:
    """A parsed fault name.

    ``kind`` is ``latency``, ``status`` (a 429 or 5xx response) or the name
    itself for the other faults. ``retry_after`` is in seconds.
    """

    name: str
    kind: str
    status: int | None = None
    body_form: str = "json"
    retry_after: int | None = None
    retry_after_is_date: bool = False
    latency: float = 0.0

    @property
    def needs_socket(self) -> bool:
        return self.kind in _SOCKET_FAULTS

    @property
    def changes_body(self) -> bool:
        return self.kind in _BODY_FAULTS or self.kind == "drip"


def parse_fault(name: str) -> Fault:
    """Parse a fault name; raises ValueError that lists the accepted forms."""
    if name in _PLAIN_FAULTS:
        return Fault(name, name)
    if name == "429":
        return Fault(name, "status", status=429)
    if match := _LATENCY.fullmatch(name):
        return Fault(name, "latency", latency=int(match[1]) / 1000)
    if match := _RATE_LIMITED.fullmatch(name):
        return Fault(
            name, "status", status=int(match[1]), retry_after=int(match[3]), retry_after_is_date=bool(match[2])
        )
    if match := _SERVER_ERROR.fullmatch(name):
        return Fault(name, "status", status=int(match[1]), body_form=match[2])
    raise ValueError(f"Unknown fault {name!r}: expected one of {', '.join(FAULT_FORMS)}")


@dataclass(slots=True)
class _Entry:
    fault: Fault
    endpoint: str
    remaining: int | None
    skip: int

    def describe(self) -> dict[str, Any]:
        count = 0 if self.remaining is None else self.remaining
        return {"fault": self.fault.name, "endpoint": self.endpoint, "count": count, "skip": self.skip}


class FaultSchedule:
    """Faults waiting for requests, in the order they were scheduled.

    A request takes the first entry whose endpoint matches. While that
    entry still has requests to skip, the request goes through unharmed and
    later entries are not consulted. Safe to share between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []

    def add(self, fault: Fault, *, count: int = 1, endpoint: str = "any", skip: int = 0) -> dict[str, Any]:
        """Schedule a fault for ``count`` requests (0 means until cleared) after ``skip`` requests."""
        entry = _Entry(fault, endpoint, count or None, skip)
        with self._lock:
            self._entries.append(entry)
            return entry.describe()

    def clear(self) -> int:
        """Drop every pending fault and return how many there were."""
        with self._lock:
            cleared = len(self._entries)
            self._entries.clear()
            return cleared

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [entry.describe() for entry in self._entries]

    def take(self, endpoint: str) -> Fault | None:
        """Return the fault for the next request to ``endpoint``, or None for a normal response."""
        with self._lock:
            for entry in self._entries:
                if entry.endpoint not in (endpoint, "any"):
                    continue
                if entry.skip > 0:
                    entry.skip -= 1
                    return None
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._entries.remove(entry)
                return entry.fault
            return None


def status_reply(fault: Fault) -> Reply:
    """Build the 429 or 5xx response of a ``status`` fault."""
    headers = []
    if fault.retry_after is not None:
        if fault.retry_after_is_date:
            # Round up, because an HTTP-date has whole seconds and must not
            # promise less waiting than asked for.
            value = email.utils.formatdate(math.ceil(time.time()) + fault.retry_after, usegmt=True)
        else:
            value = str(fault.retry_after)
        headers.append(("Retry-After", value))

    if fault.status == 429:
        return error_reply(429, "rate_limit_error", "Too many requests hit the API too quickly.", headers=headers)
    if fault.body_form == "html":
        page = (
            f"<!DOCTYPE html>\n<html><head><title>{fault.status} Gateway error</title></head>\n"
            f"<body><h1>{fault.status} Gateway error</h1><p>The upstream service did not answer "
            f"properly.</p></body></html>\n"
        )
        return Reply(fault.status, page.encode(), headers, content_type="text/html; charset=utf-8")
    if fault.body_form == "empty":
        return Reply(fault.status, b"", headers, content_type="text/plain; charset=utf-8")
    message = f"Something went wrong on PrimeData's side (sandbox fault {fault.name})."
    return error_reply(fault.status, "api_error", message, headers=headers)


def degraded_reply(fault: Fault) -> Reply:
    """Stand in with a 502 for a socket fault when no real socket is available."""
    message = f"Sandbox fault {fault.name!r} needs the standalone server, so the in-process sandbox returns 502."
    return error_reply(502, "api_error", message)


def change_body(fault: Fault, reply: Reply, stop: threading.Event) -> Reply:
    """Turn a normal response into the 200 with a broken or slow body that ``fault`` describes."""
    if fault.kind == "malformed-json":
        # A trailing comma before the closing brace: a classic producer bug.
        broken = reply.body.rstrip()[:-1] + b",}"
        return Reply(200, broken)
    if fault.kind == "truncated-json":
        return Reply(200, reply.body[: len(reply.body) // 2])
    if fault.kind == "wrong-shape":
        payload = json.loads(reply.body)
        return json_reply(200, {"success": True, "result": payload.get("data", payload)})
    if fault.kind == "drip":
        return Reply(200, chunks=_drip(reply.body, stop), content_length=DRIP_BYTES + len(reply.body))
    raise ValueError(f"fault {fault.name!r} does not change a body")


def _drip(body: bytes, stop: threading.Event) -> Iterator[bytes]:
    # Leading whitespace keeps the body valid JSON, so a client that waits
    # out the whole drip still gets a usable response.
    for _ in range(DRIP_BYTES):
        yield b" "
        if stop.wait(DRIP_INTERVAL):
            return
    yield body


def reset_connection(sock: socket.socket) -> None:
    """Abort the connection with a TCP RST and raise ConnectionResetError.

    A zero linger time makes close() send RST instead of FIN. gunicorn
    treats ConnectionResetError as a client that went away and logs it at
    debug level only.
    """
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    raise ConnectionResetError(errno.ECONNRESET, "connection reset by sandbox fault 'reset'")


def hang_connection(sock: socket.socket, stop: threading.Event, limit: float = HANG_SECONDS) -> None:
    """Keep the request unanswered until the client leaves, ``limit`` passes or the server stops.

    Always raises BrokenPipeError, so that gunicorn closes the connection
    without writing a response.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and not stop.is_set():
        readable, _, _ = select.select([sock], [], [], 0.25)
        if not readable:
            continue
        try:
            peeked = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            break
        if not peeked:
            break
        # The client sent more bytes without waiting. Sleeping keeps the
        # loop from spinning on a socket that stays readable.
        stop.wait(0.25)
    raise BrokenPipeError(errno.EPIPE, "request left unanswered by sandbox fault 'hang'")
