"""Background work for prioritised screening: refits that never make a reviewer wait.

A reviewer's decision asks for their queue to be ranked again; the ranking is made here, on
one thread per process, while the reviewer already reads the next card (which uses the
latest ranking there is). Requests for the same queue made while it waits or runs are
coalesced into one more run; one queue is never ranked by two threads at once; the record
of each ranking is written by the same thread, in its own short transaction, never in the
transaction of the decision that asked for it.

Nothing here knows what a ranking is: :mod:`realist.services.prioritising` gives the work.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from realist.store import Store

__all__ = ["Worker"]

log = logging.getLogger(__name__)

Key = TypeVar("Key", bound=Hashable)
MAX_REST = 5.0  # seconds


class Worker(Generic[Key]):
    """Runs ``work(key, store)`` for the keys asked for, one at a time, on its own thread.

    ``run_now`` runs one key's work on the caller's thread instead (a small review, where
    it takes a few milliseconds)."""

    def __init__(
        self, work: Callable[[Key, Store], None], name: str, share: Callable[[], float]
    ) -> None:
        self._work = work
        self._name = name
        self._share = share  # of the time the thread may spend working (0 to 1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pending: dict[Key, Store] = {}  # in the order asked (dicts keep it)
        self._deferred: dict[Key, Store] = {}  # asked for while running: run once more after
        self._running: set[Key] = set()
        self._thread: threading.Thread | None = None
        self.failures: dict[Key, str] = {}  # the latest error of a key's work, until it works

    def request(self, key: Key, store: Store) -> None:
        """Ask for ``key``'s work to be done in the background (once, however often asked)."""
        with self._lock:
            if key in self._running:
                self._deferred[key] = store
            else:
                self._pending[key] = store
            self._start()
            self._changed.notify_all()

    def run_now(self, key: Key, store: Store, wait: float = 5.0) -> bool:
        """Do ``key``'s work on this thread, after the run under way (if any) ends: it may
        have read the store before the change that asked for this one. False (nothing
        done) if that run is still going after ``wait`` seconds."""
        deadline = time.monotonic() + wait
        with self._lock:
            while key in self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            self._running.add(key)
            self._pending.pop(key, None)  # this run does what was asked
        self._run(key, store)
        return True

    def busy(self, key: Key) -> bool:
        with self._lock:
            return key in self._running or key in self._pending or key in self._deferred

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is pending or running (tests; a command that ends). False if
        ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending or self._running or self._deferred:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
            self._thread.start()

    def _run(self, key: Key, store: Store) -> None:
        try:
            self._work(key, store)
            self.failures.pop(key, None)
        except Exception as error:  # a ranking that fails leaves the queue in its last order
            log.warning("ranking %s failed", key, exc_info=True)
            self.failures[key] = f"{type(error).__name__}: {error}"
        finally:
            with self._lock:
                self._running.discard(key)
                again = self._deferred.pop(key, None)
                if again is not None:
                    self._pending[key] = again
                self._changed.notify_all()

    def _next_job(self) -> tuple[Key, Store] | None:
        ready = next((k for k in self._pending if k not in self._running), None)
        if ready is None:
            return None
        self._running.add(ready)
        return ready, self._pending.pop(ready)

    def _loop(self) -> None:
        while True:
            with self._lock:
                job = self._next_job()
                while job is None:
                    if not self._changed.wait(timeout=30.0) and not self._pending:
                        self._thread = None  # idle: the next request starts a thread again
                        return
                    job = self._next_job()
            began = time.monotonic()
            self._run(*job)
            self._rest(time.monotonic() - began)

    def _rest(self, worked: float) -> None:
        """Pause so that the work takes at most its share of the time: the server's own
        requests share the cores (and Python's one lock) with it. Requests that arrive
        meanwhile are coalesced, so a busy queue is refitted every few decisions."""
        share = min(max(self._share(), 0.01), 1.0)
        # At most a few seconds: after a one-off build of a big review's features, say,
        # the first rankings should not wait minutes.
        time.sleep(min(worked * (1.0 - share) / share, MAX_REST))
