"""Opaque, signed paging cursors for the events endpoint.

A cursor carries the position of the next page, the profile it belongs to, a
fingerprint of the filters that produced it and the time it was issued. An
HMAC over those fields keeps clients from editing them. The signing key
derives from the API key rather than from a random secret, so that every
process serving the same key accepts the others' cursors.
"""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

_SIGNATURE_BYTES = 16


class CursorRejected(ValueError):
    """A cursor that is malformed, forged, expired or used with other filters."""


@dataclass(frozen=True, slots=True)
class CursorPosition:
    """The position, profile and filter fingerprint that a valid cursor carries."""

    profile_id: str
    fingerprint: str
    offset: int


class CursorCodec:
    """Issue and check cursors; ``ttl`` is the cursor lifetime in seconds."""

    def __init__(self, api_key: str, ttl: float, clock: Callable[[], float] = time.time) -> None:
        self._key = hashlib.sha256(b"sandbox cursor key\x00" + api_key.encode()).digest()
        self._ttl = ttl
        self._clock = clock

    def issue(self, position: CursorPosition) -> str:
        payload = json.dumps(
            [position.profile_id, position.fingerprint, position.offset, round(self._clock(), 3)],
            separators=(",", ":"),
        ).encode()
        signature = hmac.digest(self._key, payload, "sha256")[:_SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(payload + signature).decode().rstrip("=")

    def read(self, token: str) -> CursorPosition:
        """Check a token and return its position; raises CursorRejected."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            raise CursorRejected("Invalid cursor: it is not a cursor this API issued") from None
        payload, signature = raw[:-_SIGNATURE_BYTES], raw[-_SIGNATURE_BYTES:]
        expected = hmac.digest(self._key, payload, "sha256")[:_SIGNATURE_BYTES]
        if len(raw) <= _SIGNATURE_BYTES or not hmac.compare_digest(signature, expected):
            raise CursorRejected("Invalid cursor: it is not a cursor this API issued")

        profile_id, fingerprint, offset, issued_at = json.loads(payload)
        if self._clock() - issued_at > self._ttl:
            raise CursorRejected("Cursor expired: request the first page again")
        return CursorPosition(profile_id, fingerprint, offset)


def filters_fingerprint(
    include: frozenset[str] | None,
    start: str | None,
    end: str | None,
    sort: str | None,
    limit: int,
) -> str:
    """Digest the filters that a cursor is bound to; ``start`` and ``end`` are canonical UTC text."""
    text = json.dumps([sorted(include) if include else None, start, end, sort, limit])
    return hashlib.sha256(text.encode()).hexdigest()[:16]
