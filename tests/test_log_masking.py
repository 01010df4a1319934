"""Every log handler of settings.LOGGING masks phone numbers and emails."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest

from lookup.masking import MaskIdentitiesLogFilter

DEMO_PHONE = "0901234567"
DEMO_EMAIL = "awkward@example.com"


@contextmanager
def captured_stream(logger_name: str) -> Iterator[StringIO]:
    """Point the handlers that ``logger_name`` itself holds at a buffer for the block."""
    handlers = [
        handler for handler in logging.getLogger(logger_name).handlers
        if isinstance(handler, logging.StreamHandler)
    ]
    assert handlers, f"logger {logger_name!r} has no stream handler"
    buffer = StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def configured_handlers() -> Iterator[tuple[str, logging.Handler]]:
    """Yield every handler of the root and named loggers, leaving out pytest's capture handlers."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            yield logger.name, handler


def test_console_masks_phone_and_email():
    with captured_stream("") as output:
        logging.getLogger("lookup.views").warning("PrimeData rejected %s and %s", DEMO_PHONE, DEMO_EMAIL)

    line = output.getvalue()
    assert "PrimeData rejected 09******67 and a***@example.com" in line
    assert DEMO_PHONE not in line
    assert DEMO_EMAIL not in line


def test_django_server_masks_deep_link_query():
    # runserver logs each request line as this message with these arguments.
    request_line = f"GET /lookup/?phone_number={DEMO_PHONE}&email=awkward%40example.com HTTP/1.1"

    with captured_stream("django.server") as output:
        logging.getLogger("django.server").info('"%s" %s %s', request_line, 302, 0)

    line = output.getvalue()
    assert '"GET /lookup/?phone_number=09******67&email=a***%40example.com HTTP/1.1" 302 0' in line
    assert DEMO_PHONE not in line
    assert "awkward%40" not in line


def test_django_request_errors_reach_masked_console():
    with captured_stream("") as output:
        logging.getLogger("django.request").error("Internal Server Error: /lookup/?email=%s", DEMO_EMAIL)

    line = output.getvalue()
    assert "Internal Server Error: /lookup/?email=a***@example.com" in line
    assert DEMO_EMAIL not in line


@pytest.mark.parametrize("name", ["django", "django.server", "django.request", "lookup", "httpx"])
def test_handlers_on_logger_path_mask(name):
    # Loggers print through their own handlers and those of their ancestors.
    logger = logging.getLogger(name)
    reached = []
    while logger:
        reached.extend(handler for handler in logger.handlers if not type(handler).__module__.startswith("_pytest"))
        logger = logger.parent if logger.propagate else None

    assert reached
    for handler in reached:
        assert any(isinstance(item, MaskIdentitiesLogFilter) for item in handler.filters), handler


def test_no_configured_handler_lacks_masking():
    unmasked = [
        (name, handler) for name, handler in configured_handlers()
        if not isinstance(handler, logging.NullHandler)
        and not any(isinstance(item, MaskIdentitiesLogFilter) for item in handler.filters)
    ]

    assert unmasked == []
