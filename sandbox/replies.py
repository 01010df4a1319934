"""HTTP responses as plain values, and their delivery to a WSGI server."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(slots=True)
class Reply:
    """A response: status, headers and a body given whole or as chunks to stream."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = JSON_TYPE
    chunks: Iterable[bytes] | None = None
    content_length: int | None = None

    def send(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Start the WSGI response and return the body iterable."""
        phrase = HTTPStatus(self.status).phrase
        length = len(self.body) if self.chunks is None else self.content_length
        headers = [("Content-Type", self.content_type), *self.headers]
        if length is not None:
            headers.append(("Content-Length", str(length)))
        start_response(f"{self.status} {phrase}", headers)
        if self.chunks is not None:
            return self.chunks
        return [self.body]


def json_reply(status: int, payload: Any, *, ascii_only: bool = False, headers: list | None = None) -> Reply:
    """Build a JSON response; ``ascii_only`` escapes non-ASCII text as ``\\uXXXX``."""
    body = json.dumps(payload, ensure_ascii=ascii_only).encode("utf-8")
    return Reply(status, body, list(headers or []))


def error_reply(status: int, code: str, message: str, *, headers: list | None = None) -> Reply:
    """Build an error in the vendor's shape: ``{"error": {"code": ..., "message": ...}}``."""
    return json_reply(status, {"error": {"code": code, "message": message}}, headers=headers)
