"""Keeping signals away from the I/O threads obstore starts during its calls."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def signals_blocked() -> Iterator[None]:
    """Block every signal in this thread while an obstore call runs, then restore the mask.

    obstore's runtime threads are started inside its calls and inherit the caller's mask;
    started like this, they never take a signal meant for the main thread. Celery's soft time
    limit and shutdown signals must land there: caught by a runtime thread, they left a
    sleeping task running into the hard kill, after which the worker pool hung. A signal
    that arrives meanwhile waits until the call returns.
    """
    # Windows has no signal masks (nor Celery's prefork pool)
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
