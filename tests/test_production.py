"""The dashboard as production runs it: two gunicorn instances sharing Redis.

Each test here starts real processes: a standalone PrimeData sandbox, and
two gunicorn instances with production settings (DEBUG false, whitenoise's
manifest storage after ``collectstatic``, JSON logs) that share Redis
database 7 for their cache and sessions, and one SQLite file for agents.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from lookup.masking import mask_phone
from sandbox import DEMO_API_KEY
from tests.sandbox_process import REPOSITORY_ROOT, SandboxControl, SandboxProcess

REDIS_DB7 = "redis://127.0.0.1:6379/7"
AGENT_NAME = "agent-production"
AGENT_PASSWORD = "production pass 42"
FILLER_PHONE = "0938000011"
STARTUP_SECONDS = 30.0
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(tmp_path: Path, sandbox_url: str) -> dict[str, str]:
    """The environment of a production instance, without anything the test runner set."""
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("PRIMEDATA_", "DJANGO_")) and k not in {"DEBUG", "DATABASE_URL", "REDIS_URL"}}
    return inherited | {
        "DEBUG": "false",
        "SECRET_KEY": "production-test-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'agents.sqlite3'}",
        "REDIS_URL": REDIS_DB7,
        "PRIMEDATA_BASE_URL": sandbox_url,
        "PRIMEDATA_API_KEY": DEMO_API_KEY,
        "STATIC_ROOT": str(tmp_path / "static"),
        # The instances sit behind a TLS-terminating proxy, which the test
        # client plays by sending X-Forwarded-Proto (see proxied_browser).
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
    }


def run_manage(env: dict[str, str], *arguments: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *arguments], env=env, cwd=REPOSITORY_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{result.stderr}"
    return result.stdout


class GunicornInstance:
    """``gunicorn -c gunicorn.conf.py`` on a free port of 127.0.0.1, logging to a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "-c", "gunicorn.conf.py", "--bind", self.url.removeprefix("http://")],
                env=env, cwd=REPOSITORY_ROOT, stdout=log, stderr=subprocess.STDOUT,
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0, trust_env=False).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {STARTUP_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory) -> Iterator[tuple[GunicornInstance, GunicornInstance, SandboxControl]]:
    tmp_path = tmp_path_factory.mktemp("production")
    redis.Redis.from_url(REDIS_DB7).flushdb()
    sandbox = SandboxProcess(tmp_path / "sandbox.log")
    env = production_environment(tmp_path, sandbox.base_url)
    run_manage(env, "migrate", "--no-input", "-v0")
    run_manage(env, "collectstatic", "--no-input", "-v0")
    run_manage(env, "shell", "-c",
               "from django.contrib.auth import get_user_model; "
               "from lookup.access import agents_group; "
               f"get_user_model().objects.create_user({AGENT_NAME!r}, password={AGENT_PASSWORD!r})"
               ".groups.add(agents_group())")
    instances = []
    control = SandboxControl(sandbox.base_url)
    try:
        instances.append(GunicornInstance(env, tmp_path / "first.log"))
        instances.append(GunicornInstance(env, tmp_path / "second.log"))
        yield instances[0], instances[1], control
    finally:
        for instance in instances:
            instance.stop()
        control.close()
        sandbox.stop()
        redis.Redis.from_url(REDIS_DB7).flushdb()


def proxied_browser() -> httpx.Client:
    """Return a client that reaches the instances as a TLS-terminating proxy would.

    Production marks the session and CSRF cookies Secure, and httpx keeps
    such cookies off plain HTTP, so a request hook sends them as the
    browser would over HTTPS to the proxy.
    """
    jar: dict[str, str] = {}

    def send_cookies(request: httpx.Request) -> None:
        if jar:
            request.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())

    def keep_cookies(response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]

    return httpx.Client(
        trust_env=False, timeout=20.0, headers={"X-Forwarded-Proto": "https"},
        event_hooks={"request": [send_cookies], "response": [keep_cookies]},
    )


def sign_in(browser: httpx.Client, base_url: str, username: str = AGENT_NAME) -> None:
    login = browser.get(f"{base_url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
    response = browser.post(
        f"{base_url}/accounts/login/",
        data={"username": username, "password": AGENT_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url.replace('http://', 'https://')}/accounts/login/"},
    )
    assert response.status_code == 302, response.text


def test_second_instance_shares_session_and_cache(two_instances):
    first, second, control = two_instances
    control.reset_stats()
    # Cookies do not depend on the port, so one client is one agent's browser
    # on both instances, as behind a load balancer.
    with proxied_browser() as browser:
        sign_in(browser, first.url)
        deep_link = browser.get(f"{first.url}/lookup/", params={"phone_number": FILLER_PHONE})
        assert deep_link.status_code == 302
        profile_path = deep_link.headers["location"]

        profile = browser.get(f"{second.url}{profile_path}")
        timeline = browser.get(f"{second.url}{profile_path}timeline/", headers={"HX-Request": "true"})

    assert profile.status_code == 200, "the second instance did not know the session"
    # Agents see contact details masked unless they hold the full-contact permission.
    assert mask_phone(FILLER_PHONE) in profile.text
    assert timeline.status_code == 200
    # The first instance searched once and prefetched the first timeline
    # page; the second served both pages from the shared cache.
    assert control.stats()["requests"] == {"profiles": 1, "events": 1}


def test_manifest_storage_serves_compressed_files(two_instances):
    first, _second, _control = two_instances
    with proxied_browser() as browser:
        sign_in(browser, first.url)
        search = browser.get(f"{first.url}/")
        profile = browser.get(f"{first.url}/lookup/", params={"q": "0123456789"}, follow_redirects=True)
        timeline = browser.get(f"{profile.url}timeline/")
        pages = [search, profile, timeline]
        static_paths = re.findall(r'(?:src|href)="(/static/[^"]+)"', pages[0].text)
        assets = [browser.get(f"{first.url}{path}", headers={"Accept-Encoding": "gzip"}) for path in static_paths]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert all(f'src="{path}"' in page.text or f'href="{path}"' in page.text
               for page in pages for path in static_paths if path.endswith(".js"))
    assert any(path.endswith(".js") for path in static_paths)
    # Manifest names carry a content hash: app.0123abcd4567.css.
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", path) for path in static_paths), static_paths
    assert all(asset.status_code == 200 for asset in assets)
    assert all(asset.headers.get("content-encoding") == "gzip"
               for asset in assets if asset.headers["content-type"].startswith(("text/", "application/javascript")))


def test_readyz_and_json_logs(two_instances):
    first, _second, _control = two_instances

    ready = httpx.get(f"{first.url}/readyz", trust_env=False, timeout=10.0)

    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "primedata": "ok"}
    finished = [json.loads(line) for line in first.log().splitlines()
                if line.startswith("{") and '"lookup.request_log"' in line]
    assert finished, first.log()
    readyz_line = next(line for line in finished if line["path"] == "/readyz")
    assert readyz_line["level"] == "INFO"
    assert readyz_line["status"] == 200
    assert readyz_line["request_id"] == ready.headers["X-Request-ID"]
    assert {"time", "message", "agent_id", "duration_ms", "upstream_calls"} <= readyz_line.keys()
    assert FILLER_PHONE not in first.log()
