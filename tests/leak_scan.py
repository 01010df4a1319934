"""A pytest plugin that scans the whole suite's responses and log lines for leaks.

Every response Django's handler returns (test client and live server alike)
is searched for API keys, and every log line, formatted as the console
handler of settings.LOGGING prints it, for API keys and for the sandbox's
phone numbers and emails unmasked. A test whose responses or logs leak fails
in its teardown, and the run fails at the end if anything leaked outside a
test. Streaming bodies (static files) are not read; their headers are.
"""

import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

SANDBOX_KEY = "sandbox-demo-key"


@dataclass(frozen=True)
class Leak:
    test: str
    where: str
    secret: str


class LeakScanner:
    """The secrets to look for and the leaks found so far."""

    def __init__(self) -> None:
        self.secrets: set[str] = {SANDBOX_KEY}
        self.identity_patterns: list[re.Pattern[str]] = []
        self.leaks: list[Leak] = []
        self.current_test = "(outside any test)"
        self.responses_scanned = 0
        self.log_lines_scanned = 0
        self._lock = threading.Lock()

    def watch_secret(self, secret: str) -> None:
        """Look for ``secret`` in every later response and log line."""
        self.secrets.add(secret)

    def watch_identities(self, phones: set[str], emails: set[str]) -> None:
        spellings = set()
        for phone in phones:
            spellings.add(phone)
            if phone.startswith("0"):
                spellings.add("+84" + phone[1:])
        self.identity_patterns = [
            re.compile(rf"(?<!\d){re.escape(spelling)}(?!\d)") for spelling in sorted(spellings)
        ] + [re.compile(re.escape(email), re.IGNORECASE) for email in sorted(emails)]

    def scan_response(self, label: str, text: str) -> None:
        with self._lock:
            self.responses_scanned += 1
            self._record(label, [secret for secret in self.secrets if secret in text])

    def scan_log_line(self, line: str) -> None:
        with self._lock:
            self.log_lines_scanned += 1
            found = [secret for secret in self.secrets if secret in line]
            found += [match[0] for pattern in self.identity_patterns if (match := pattern.search(line))]
            self._record(f"log line {line[:200]!r}", found)

    def leaks_of(self, test: str) -> list[Leak]:
        with self._lock:
            return [leak for leak in self.leaks if leak.test == test]

    def _record(self, where: str, found: list[str]) -> None:
        self.leaks.extend(Leak(self.current_test, where, secret) for secret in found)


scanner = LeakScanner()


class _RecordingHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            scanner.scan_log_line(self.format(record))
        except Exception:  # noqa: BLE001 - a broken record must not hide the others
            self.handleError(record)


def _install_response_scan() -> None:
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response

    def get_response(self, request):  # type: ignore[no-untyped-def]
        response = original(self, request)
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        body = b"" if response.streaming else response.content
        text = headers + "\n" + body.decode("utf-8", "replace")
        scanner.scan_response(f"response to {request.method} {request.path} ({response.status_code})", text)
        return response

    BaseHandler.get_response = get_response


def _install_log_scan() -> None:
    from lookup.masking import MaskIdentitiesLogFilter

    root = logging.getLogger()
    console = next(
        handler for handler in root.handlers
        if any(isinstance(item, MaskIdentitiesLogFilter) for item in handler.filters)
    )
    recorder = _RecordingHandler()
    recorder.filters = list(console.filters)
    recorder.setFormatter(console.formatter)
    root.addHandler(recorder)


def _watch_demo_identities() -> None:
    from sandbox.fixtures import build_profiles

    phones: set[str] = set()
    emails: set[str] = set()
    for profile in build_profiles(datetime.now(UTC)):
        phones.update(profile.identity.get("phone_number", []))
        emails.update(profile.identity.get("email", []))
    scanner.watch_identities(phones, emails)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # pytest-django has configured Django by now, so settings.LOGGING is live.
    import django

    django.setup()
    _install_response_scan()
    _install_log_scan()
    _watch_demo_identities()


@pytest.fixture(autouse=True)
def _leak_scan(request: pytest.FixtureRequest):
    scanner.current_test = request.node.nodeid
    yield scanner
    leaks = scanner.leaks_of(request.node.nodeid)
    scanner.current_test = "(outside any test)"
    if leaks:
        pytest.fail("Leaked: " + "; ".join(f"{leak.secret!r} in {leak.where}" for leak in leaks))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if scanner.leaks and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    terminalreporter.write_line(
        f"leak scan: {scanner.responses_scanned} responses and {scanner.log_lines_scanned} "
        f"log lines scanned, {len(scanner.leaks)} leaks"
    )
    for leak in scanner.leaks:
        terminalreporter.write_line(f"LEAK {leak.secret!r} in {leak.where} during {leak.test}")
