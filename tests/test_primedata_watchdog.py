"""The timer thread that every upstream call's watchdog shares."""

import os
import threading
import time

import pytest

from lookup.primedata import watchdog
from lookup.primedata.watchdog import TimerThread


def test_alarm_fires_after_delay():
    timers = TimerThread()
    fired = threading.Event()
    started = time.monotonic()

    timers.schedule(0.05, fired.set)

    assert fired.wait(2.0)
    assert time.monotonic() - started >= 0.05


def test_cancelled_alarm_never_fires():
    timers = TimerThread()
    fired = threading.Event()

    timers.schedule(0.05, fired.set).cancel()

    assert not fired.wait(0.3)


def test_earlier_alarm_wakes_sleeping_thread():
    timers = TimerThread()
    late, early = threading.Event(), threading.Event()
    timers.schedule(1.0, late.set)
    # The thread now sleeps until the late alarm, a second away.
    time.sleep(0.05)

    timers.schedule(0.05, early.set)

    assert early.wait(0.5)
    assert not late.is_set()
    assert late.wait(2.0)


# The child touches only the timer, whose lock it replaces after the fork.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_forked_child_fires_alarm():
    # A gunicorn worker is a forked child, without the parent's timer thread.
    fired = threading.Event()
    watchdog._timers.schedule(0.01, fired.set)
    assert fired.wait(2.0)

    child = os.fork()
    if child == 0:
        in_child = threading.Event()
        watchdog._timers.schedule(0.01, in_child.set)
        os._exit(0 if in_child.wait(2.0) else 1)
    _pid, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
