"""Background threads that fetch what an agent will ask for next.

Each process keeps a small thread pool, created on first use and again after
a fork (gunicorn forks workers, and threads do not survive a fork). A task
runs in a copy of the submitting request's context, so its log lines carry
that request's id, but its upstream calls are counted apart from the request
it came from, which has usually finished by then.
"""

import contextvars
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from lookup import request_log

logger = logging.getLogger(__name__)

# Each task is one PrimeData call that mostly waits on the network.
MAX_THREADS = 8

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_pending: set[Future] = set()


def submit(task: Callable[..., object], *arguments: object) -> None:
    """Run ``task(*arguments)`` in the background; its exceptions are logged."""
    context = contextvars.copy_context()
    future = _get_executor().submit(context.run, _run, task, arguments)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def wait_idle(timeout: float = 30.0) -> None:
    """Wait until every submitted task has finished (tests and shutdown)."""
    with _lock:
        pending = set(_pending)
    wait(pending, timeout=timeout)


def _run(task: Callable[..., object], arguments: tuple[object, ...]) -> None:
    with request_log.counting_upstream_calls():
        try:
            task(*arguments)
        except Exception:
            logger.exception("Background prefetch failed")


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
