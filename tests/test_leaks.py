"""Nothing leaks: masking, cache and referrer headers, the API key, production settings."""

import logging
import re
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from lookup import upstream
from lookup.masking import MaskIdentitiesLogFilter, mask_email, mask_identities, mask_phone
from lookup.models import AuditRecord
from lookup.primedata import PrimeDataClient
from sandbox import create_app
from tests.leak_scan import LeakScanner, scanner

DUC_PROFILE = "2Q5OFD0h3NdANoqIJhHzTnto3ay"
ROOT = Path(__file__).resolve().parent.parent


def test_mask_phone_keeps_two_digits_each_end():
    assert mask_phone("0912345678") == "09******78"
    assert mask_phone("+84 912 345 678") == "+84*******78"


def test_mask_email_keeps_first_letter_and_domain():
    assert mask_email("son@example.com") == "s***@example.com"


def test_mask_identities_in_text():
    text = "lookup of 0912 345 678, +84912345678 and Son.Le@Example.com in 2Q5OFD0h3NdANoqIJhHzTnto3ay"

    assert mask_identities(text) == (
        "lookup of 09******78, +84*******78 and S***@Example.com in 2Q5OFD0h3NdANoqIJhHzTnto3ay"
    )


def test_log_filter_masks_message_arguments_and_traceback():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "vendor said %s", ("no 0912345678",), None)
    try:
        raise ValueError("email awkward@example.com unknown")
    except ValueError:
        record.exc_info = sys.exc_info()

    MaskIdentitiesLogFilter().filter(record)

    assert record.getMessage() == "vendor said no 09******78"
    assert "awkward@example.com" not in record.exc_text
    assert "a***@example.com" in record.exc_text


def test_logged_error_is_masked_by_console_filter(caplog):
    # The console handler of settings.LOGGING masks the record in place, so
    # pytest's capture, which runs after it, sees the masked text too.
    logging.getLogger("lookup.views").warning("PrimeData rejected %s", "awkward@example.com")

    assert "awkward@example.com" not in caplog.text
    assert "a***@example.com" in caplog.text


def test_scanner_finds_key_and_identities():
    probe = LeakScanner()
    probe.watch_secret("pd_live_probe")
    probe.watch_identities({"0901234567"}, {"an@example.com"})

    probe.scan_response("page", "x-api-key: pd_live_probe")
    probe.scan_log_line("search +84901234567 and AN@example.com")
    probe.scan_log_line("masked 09******67 and a***@example.com and 20901234567")

    assert [leak.secret for leak in probe.leaks] == ["pd_live_probe", "+84901234567", "AN@example.com"]


def test_suite_scan_is_live(agent_client):
    before = (scanner.responses_scanned, scanner.log_lines_scanned)

    agent_client.get("/lookup/", {"email": "nobody@example.com"})

    assert scanner.responses_scanned > before[0]
    assert scanner.log_lines_scanned > before[1]


@pytest.mark.django_db
def test_real_looking_key_never_reaches_browser_or_log(agent_client, monkeypatch, caplog):
    key = "pd_live_7Hq2mZx9Kc4Vb8Nw3Rt6Yp1Ls5"
    scanner.watch_secret(key)
    # The sandbox expects its demo key, so this key is rejected with a 401
    # and every page below goes through the authentication-failure path.
    client = PrimeDataClient(
        upstream.SANDBOX_BASE_URL, key, transport=httpx.WSGITransport(app=create_app()), deadline=2.0
    )
    monkeypatch.setattr(upstream, "_client", client)
    monkeypatch.setattr(upstream, "_client_pid", os.getpid())

    responses = [
        agent_client.get(f"/profiles/{DUC_PROFILE}/"),
        agent_client.get(f"/profiles/{DUC_PROFILE}/timeline/", headers={"HX-Request": "true"}),
        agent_client.get("/lookup/", {"phone_number": "0901234567"}),
        agent_client.post("/", {"q": "awkward@example.com"}),
    ]
    client.close()

    for response in responses:
        assert response.status_code == 502
        assert key not in response.content.decode()
        assert key not in str(response.headers)
    assert key not in caplog.text
    assert AuditRecord.objects.filter(outcome="upstream_error").count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("url", [f"/profiles/{DUC_PROFILE}/", f"/profiles/{DUC_PROFILE}/timeline/",
                                 "/lookup/?phone_number=0900000099", "/"])
def test_customer_pages_are_not_stored(agent_client, url):
    response = agent_client.get(url)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_frame_ancestors_allow_listed_crm_outside_admin(agent_client, settings):
    settings.LOOKUP_FRAME_ANCESTORS = ["https://crm.example.vn"]

    page = agent_client.get("/")
    admin = agent_client.get("/admin/login/")

    assert "frame-ancestors 'self' https://crm.example.vn" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page
    assert admin["X-Frame-Options"] == "DENY"
    assert "crm.example.vn" not in admin["Content-Security-Policy"]


@pytest.mark.django_db
def test_frames_denied_by_default(agent_client):
    response = agent_client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_templates_have_no_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "<style" not in text, template
        assert " style=" not in text, template
        assert not re.search(r"\son[a-z]+=", text), template
        for line in text.splitlines():
            if "<script" in line:
                assert " src=" in line, f"{template}: {line.strip()}"


def run_check_deploy(**extra):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "false",
        "SECRET_KEY": "k7#Vd9!qZ2xR@w4mT8^pL6&nB3*hF5$yJ1%cG0sE-uA" * 2,
        "ALLOWED_HOSTS": "c360.example.vn",
        "DJANGO_SETTINGS_MODULE": "customer360.settings",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = run_check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_behind_tls_proxy_with_crm_frames():
    result = run_check_deploy(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", LOOKUP_FRAME_ANCESTORS="https://crm.example.vn"
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_reports_disabled_ssl_redirect():
    result = run_check_deploy(SECURE_SSL_REDIRECT="false")

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
