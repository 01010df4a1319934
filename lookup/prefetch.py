"""Background threads that fetch what an agent will ask for next.

Each process keeps a small thread pool, created on first use and again after
a fork (gunicorn forks workers, and threads do not survive a fork). A task
carries the submitting request's id, so its log lines name that request, but
its upstream calls are counted apart from the request it came from, which has
usually finished by then.

A task runs in its pool thread's own context, not in a copy of the
request's. Django keeps each thread's cache connection in a context
variable. In a copied context every task would open, and then drop, a new
connection to Redis.
"""

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from lookup import request_log
from lookup.middleware import current_request_id

logger = logging.getLogger(__name__)

# Each task is one PrimeData call that mostly waits on the network.
MAX_THREADS = 8

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_pending: set[Future] = set()


def submit(task: Callable[..., object], *arguments: object) -> None:
    """Run ``task(*arguments)`` in the background; its exceptions are logged."""
    future = _get_executor().submit(_run, current_request_id.get(), task, arguments)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def wait_idle(timeout: float = 30.0) -> None:
    """Wait until every submitted task has finished (tests and shutdown)."""
    with _lock:
        pending = set(_pending)
    wait(pending, timeout=timeout)


def _run(request_id: str, task: Callable[..., object], arguments: tuple[object, ...]) -> None:
    token = current_request_id.set(request_id)
    try:
        with request_log.counting_upstream_calls():
            task(*arguments)
    except Exception:
        logger.exception("Background prefetch failed")
    finally:
        current_request_id.reset(token)


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def _get_executor() -> ThreadPoolExecutor:
    global _executor, _executor_pid
    with _lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="prefetch")
            _executor_pid = os.getpid()
            _pending.clear()
        return _executor
