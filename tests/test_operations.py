"""What operations rely on: /readyz, the request log line, production settings."""

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter

from customer360 import settings as project_settings

pytestmark = pytest.mark.django_db
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def test_readyz_ready_with_defaults(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "primedata": "ok: in-process sandbox"},
    }


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_readyz_fails_without_cache(client):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["cache"] == "failed: RuntimeError"
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_fails_without_database(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed: OperationalError"


def test_readyz_primedata_down_stays_ready(client, sandbox_server):
    with socket.socket() as probe:  # A port of 127.0.0.1 that nothing listens on.
        probe.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"

    with override_settings(PRIMEDATA_SANDBOX=False, PRIMEDATA_BASE_URL=closed_url):
        down = client.get("/readyz")
    with override_settings(PRIMEDATA_SANDBOX=False, PRIMEDATA_BASE_URL=sandbox_server):
        up = client.get("/readyz")

    assert down.status_code == 200
    assert down.json()["checks"]["primedata"] == "unreachable: ConnectError"
    assert up.json()["checks"]["primedata"] == "ok"


def test_request_finished_line_counts_upstream_calls(agent_client, agent, caplog):
    caplog.set_level(logging.INFO, logger="lookup.request_log")

    agent_client.get("/lookup/", {"phone_number": "0123456789"})

    [record] = [r for r in caplog.records if r.name == "lookup.request_log"]
    assert record.path == "/lookup/"
    assert record.status == 302
    assert record.agent_id == agent.pk
    assert record.upstream_calls == 1
    assert record.duration_ms >= 0
    # The deep link's query string contains the phone number, which stays out of the line.
    assert "0123456789" not in record.getMessage()


def test_json_log_line_fields(agent_client, caplog):
    caplog.set_level(logging.INFO, logger="lookup.request_log")
    agent_client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "lookup.request_log"]
    options = dict(project_settings.LOGGING["formatters"]["json"])
    formatter = JsonFormatter(**{k: v for k, v in options.items() if k != "()"})

    line = formatter.format(record)

    fields = json.loads(line)
    assert "\n" not in line
    assert {"time", "level", "logger", "message", "request_id", "agent_id", "path", "status",
            "duration_ms", "upstream_calls"} <= fields.keys()
    assert fields["level"] == "INFO"
    assert fields["path"] == "/healthz"
    assert fields["upstream_calls"] == 0


def _settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    script = f"import django; django.setup(); from django.conf import settings; print({expression})"
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "LOG_FORMAT", "PRIMEDATA_BASE_URL",
                          "PRIMEDATA_API_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", script],
        env=clean | {"DJANGO_SETTINGS_MODULE": "customer360.settings"} | env,
        cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY and ALLOWED_HOSTS must be set"),
        ({"SECRET_KEY": "s" * 50}, "ALLOWED_HOSTS must be set"),
        ({"ALLOWED_HOSTS": "c360.example"}, "SECRET_KEY must be set"),
    ],
)
def test_production_names_missing_settings(env, missing):
    result = _settings_in_subprocess({"DEBUG": "false"} | env, "settings.DEBUG")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_log_format_by_mode():
    production = {"DEBUG": "false", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "c360.example"}

    assert _settings_in_subprocess(production, "settings.LOG_FORMAT").stdout.strip() == "json"
    assert _settings_in_subprocess(production | {"LOG_FORMAT": "plain"}, "settings.LOG_FORMAT").stdout.strip() == "plain"
    assert _settings_in_subprocess({"DEBUG": "true"}, "settings.LOG_FORMAT").stdout.strip() == "plain"
    wrong = _settings_in_subprocess({"LOG_FORMAT": "xml"}, "settings.LOG_FORMAT")
    assert wrong.returncode != 0
    assert "LOG_FORMAT='xml' is not json or plain" in wrong.stderr
