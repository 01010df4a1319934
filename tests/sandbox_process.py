"""A standalone PrimeData sandbox in a subprocess, and a client for its control paths."""

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

# Clients of the local sandbox pass trust_env=False, so that a proxy set in
# the environment never carries their requests to another host.
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
_READY_LINE = re.compile(r"PrimeData sandbox listening on (http://\S+)")
STARTUP_SECONDS = 20.0


class SandboxProcess:
    """A ``python -m sandbox`` subprocess on a free port of 127.0.0.1."""

    def __init__(self, log_path: Path, *extra_arguments: str) -> None:
        self.log_path = log_path
        command = [sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", "0", *extra_arguments]
        # The log goes to a file rather than a pipe, because an unread pipe
        # fills up and then blocks the server.
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=REPOSITORY_ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.base_url = self._wait_until_ready()

    def _wait_until_ready(self) -> str:
        """Return the base URL once the server prints it and passes its health check."""
        deadline = time.monotonic() + STARTUP_SECONDS
        base_url = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sandbox exited with {self.process.returncode}:\n{self.log()}")
            if base_url is None:
                match = _READY_LINE.search(self.log())
                base_url = match[1] if match else None
            if base_url is not None:
                try:
                    health = httpx.get(f"{base_url}/_sandbox/health", timeout=1.0, trust_env=False)
                    if health.status_code == 200:
                        return base_url
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sandbox did not become healthy within {STARTUP_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the server with SIGTERM, or SIGKILL after 10 s."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class SandboxControl:
    """A client for the sandbox's control paths: faults and request statistics."""

    def __init__(self, base_url: str) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=5.0, trust_env=False)

    def schedule(self, fault: str, *, count: int = 1, endpoint: str = "any", skip: int = 0) -> dict[str, Any]:
        """Schedule a fault; ``count`` 0 keeps it until cleared."""
        body = {"fault": fault, "count": count, "endpoint": endpoint, "skip": skip}
        response = self._client.post("/_sandbox/faults", json=body)
        response.raise_for_status()
        return response.json()["scheduled"]

    def pending(self) -> list[dict[str, Any]]:
        return self._client.get("/_sandbox/faults").raise_for_status().json()["pending"]

    def clear(self) -> None:
        self._client.delete("/_sandbox/faults").raise_for_status()

    def stats(self) -> dict[str, Any]:
        return self._client.get("/_sandbox/stats").raise_for_status().json()

    def reset_stats(self) -> None:
        self._client.post("/_sandbox/stats/reset").raise_for_status()

    def close(self) -> None:
        self._client.close()
