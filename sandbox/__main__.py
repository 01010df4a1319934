"""Run the sandbox as a standalone HTTP server under gunicorn.

    python -m sandbox --host 127.0.0.1 --port 8100 [--latency-ms N] [--api-key K] [--threads N]

One worker process with many threads serves every request, so the request
counters and the fault schedule are shared by all clients. The server
prints one line with its URL once it listens; ``--port 0`` picks a free port.
"""

import argparse
import logging
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from sandbox.app import DEMO_API_KEY, SandboxApp, create_app

# Seconds that a stopping worker waits for open requests, such as a
# ``hang`` fault, before it ends them.
GRACEFUL_TIMEOUT = 3
KEEPALIVE_SECONDS = 30


class SandboxServer(BaseApplication):
    """gunicorn configured in code: a gthread worker serving one SandboxApp."""

    def __init__(self, settings: dict[str, Any], app_options: dict[str, Any]) -> None:
        self._settings = settings
        self._app_options = app_options
        self._app: SandboxApp | None = None
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._settings.items():
            self.cfg.set(name, value)
        self.cfg.set("when_ready", _announce)
        self.cfg.set("worker_exit", self._stop_app)

    def load(self) -> SandboxApp:
        # Runs in the worker process, where the app and its state live.
        self._app = create_app(**self._app_options)
        return self._app

    def _stop_app(self, arbiter: Any, worker: Any) -> None:
        # gunicorn calls worker_exit in the worker process, after its loop
        # ends but before Python joins the request threads, so ending
        # hangs and drips here lets the process exit at once.
        if self._app is not None:
            self._app.stop()


def _announce(arbiter: Any) -> None:
    for listener in arbiter.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        if ":" in host:
            host = f"[{host}]"
        print(f"PrimeData sandbox listening on http://{host}:{port}", flush=True)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Serve the PrimeData Profile API sandbox with Vietnamese demo data.",
    )

    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8100, help="TCP port; 0 picks a free one (default: %(default)s)")
    parser.add_argument(
        "--latency-ms", type=int, default=0, help="delay added to every API request, in milliseconds (default: 0)"
    )
    parser.add_argument(
        "--api-key", default=DEMO_API_KEY, help="value that x-api-key must carry (default: %(default)s)"
    )
    parser.add_argument(
        "--threads", type=int, default=32, help="request threads of the single worker (default: %(default)s)"
    )
    parser.add_argument(
        "--cursor-ttl",
        type=float,
        default=600.0,
        help="seconds an events cursor stays valid (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="level of the sandbox's own log lines on stderr (default: %(default)s)",
    )

    arguments = parser.parse_args(argv)
    if arguments.threads < 1:
        parser.error("--threads must be at least 1")
    if arguments.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    return arguments


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    logging.basicConfig(
        level=arguments.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    host = f"[{arguments.host}]" if ":" in arguments.host else arguments.host
    settings = {
        "bind": f"{host}:{arguments.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": arguments.threads,
        "keepalive": KEEPALIVE_SECONDS,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "proc_name": "primedata-sandbox",
        # gunicorn 25.1 and later open a control socket at a fixed path
        # under $XDG_RUNTIME_DIR or $HOME, which two sandboxes would share.
        "control_socket_disable": True,
        "loglevel": "warning",
        "errorlog": "-",
    }
    app_options = {
        "api_key": arguments.api_key,
        "latency": arguments.latency_ms / 1000,
        "cursor_ttl": arguments.cursor_ttl,
    }
    SandboxServer(settings, app_options).run()


if __name__ == "__main__":
    main()
