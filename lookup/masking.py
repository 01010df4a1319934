"""Masking of phone numbers and emails for logs, the audit trail and the admin.

``mask_phone("0912345678")`` returns ``"09******78"`` and
``mask_email("son@example.com")`` returns ``"s***@example.com"``.
``MaskIdentitiesLogFilter`` applies the same masks to every log record that
passes a handler it is installed on, tracebacks included, because the
messages of PrimeData errors may repeat the identities a request carried.
"""

import logging
import re

# Vietnamese numbers (0…, 84…, +84…, legacy 11-digit ones) and any number in
# international form, with the spaces, dots and hyphens people type.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d(?:[ .-]?\d){7,14}|(?:0|84)(?:[ .-]?\d){8,10})(?![\w])")
# ``%40`` covers emails inside URL-encoded query strings.
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)(@|%40)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def mask_phone(value: str) -> str:
    """Keep the first and last two digits: ``0912345678`` becomes ``09******78``."""
    plus = "+" if value.strip().startswith("+") else ""
    digits = re.sub(r"\D", "", value)
    if len(digits) <= 4:
        return plus + "*" * len(digits)
    return f"{plus}{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"


def mask_email(value: str) -> str:
    """Keep the first letter and the domain: ``son@example.com`` becomes ``s***@example.com``."""
    local, at, domain = value.rpartition("@")
    if not at:
        return mask_text(value)
    return f"{local[:1]}***@{domain}"


def mask_text(value: str) -> str:
    """Mask a value of unknown shape, keeping two characters at each end of longer values."""
    if len(value) <= 6:
        return "*" * len(value)
    return f"{value[:2]}{'*' * min(len(value) - 4, 20)}{value[-2:]}"


def mask_identity(name: str, value: str) -> str:
    """Mask ``value`` as identity ``name``; profile ids stay whole because they name no person."""
    if name == "profile_id":
        return value
    if name == "phone_number":
        return mask_phone(value)
    if name == "email":
        return mask_email(value)
    return mask_text(value)


def mask_identities(text: str) -> str:
    """Return ``text`` with every phone number and email in it masked."""
    # Most text contains no email, and a substring test costs far less than the pattern.
    if "@" in text or "%40" in text:
        text = _EMAIL.sub(lambda match: f"{match[1][:1]}***{match[2]}{match[3]}", text)
    return _PHONE.sub(lambda match: mask_phone(match[0]), text)


class MaskIdentitiesLogFilter(logging.Filter):
    """Mask phone numbers and emails in a record's message, traceback and stack.

    The record is changed in place, so handlers that run after this one see
    the masked text too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identities(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identities(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_identities(record.stack_info)
        return True
