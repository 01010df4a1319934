"""Ending a response read at the call's deadline, from one timer thread per process.

A read can block for the attempt's whole read timeout, which was fixed when
the attempt began, so a read that starts just before the deadline could
block for nearly that long after it. The watchdog shuts the response's
socket down at the deadline, which makes the read return at once.

Every upstream call arms a watchdog, so the timers share one thread. A
thread of its own for each call cost about 0.2 ms of CPU per call.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Self

import httpx


class Alarm:
    """A callback that the timer thread runs at its time, unless it was cancelled first."""

    __slots__ = ("_callback", "_cancelled", "_lock")

    def __init__(self, callback: Callable[[], None]) -> None:
        self._callback = callback
        self._cancelled = False
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Cancel the alarm. Once this returns, the callback has run or never will."""
        with self._lock:
            self._cancelled = True

    def fire(self) -> None:
        """Run the callback, unless the alarm was cancelled."""
        with self._lock:
            if not self._cancelled:
                self._cancelled = True
                self._callback()


class TimerThread:
    """One daemon thread that fires alarms at their times.

    A cancelled alarm stays in the queue until it reaches the front, so
    cancelling costs no wake-up. The thread sleeps until the earliest alarm
    that is not cancelled, and a new alarm wakes it only when it is due
    earlier than that.
    """

    def __init__(self) -> None:
        self._reset()

    def schedule(self, seconds: float, callback: Callable[[], None]) -> Alarm:
        """Run ``callback`` after ``seconds``, unless the returned alarm is cancelled first."""
        alarm = Alarm(callback)
        due = time.monotonic() + max(seconds, 0.0)
        with self._condition:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="primedata-watchdog", daemon=True)
                self._thread.start()
            if not self._queue or due < self._queue[0][0]:
                self._condition.notify()
            heapq.heappush(self._queue, (due, next(self._order), alarm))
        return alarm

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._queue: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while True:
            self._next_due().fire()

    def _next_due(self) -> Alarm:
        with self._condition:
            while True:
                while self._queue and self._queue[0][2].cancelled:
                    heapq.heappop(self._queue)
                if not self._queue:
                    self._condition.wait()
                    continue
                due, _order, alarm = self._queue[0]
                delay = due - time.monotonic()
                if delay <= 0:
                    heapq.heappop(self._queue)
                    return alarm
                self._condition.wait(delay)


_timers = TimerThread()
# A forked child, such as a gunicorn worker, gets the queue but not the thread.
os.register_at_fork(after_in_child=_timers._reset)


class Watchdog:
    """Shut the response's socket down when the time left for the call runs out.

    A response without a socket, as from an in-process transport, is left alone.
    """

    def __init__(self, response: httpx.Response, seconds: float) -> None:
        self.fired = False
        self._seconds = seconds
        stream = response.extensions.get("network_stream")
        stream_socket = stream.get_extra_info("socket") if stream is not None else None
        self._socket = stream_socket if isinstance(stream_socket, socket.socket) else None
        self._alarm: Alarm | None = None

    def __enter__(self) -> Self:
        if self._socket is not None:
            self._alarm = _timers.schedule(self._seconds, self._fire)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._alarm is not None:
            self._alarm.cancel()

    def _fire(self) -> None:
        assert self._socket is not None
        self.fired = True
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            # The connection closed on its own meanwhile.
            pass
