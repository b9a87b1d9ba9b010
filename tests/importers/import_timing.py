"""Timing on a shared, loaded machine: the CPU time of the fastest of several runs, taken
in turn.

CPU time, not wall time: on a machine with more runnable processes than cores, a run longer
than the scheduler's time slice waits for the CPU in proportion to its length while a short
one often fits in one slice, so wall times made a linear 4x input look 8x slower (seen when
CI ran two test suites side by side). Running the inputs to be compared in turn makes both
meet the same moments of a busy machine (caches shared with others); the fastest run of
each is the one least disturbed by it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def fastest_times(*runs: Callable[[], object], budget: float = 0.5) -> list[float]:
    """The fastest time of each of ``runs``, run in turn at least three times each and more
    while they total under ``budget`` seconds (a run of a few milliseconds is timed often
    enough for a quiet moment; a slow one only three times)."""
    best = [float("inf")] * len(runs)
    spent, rounds = 0.0, 0
    while rounds < 3 or (spent < budget and rounds < 200):
        for index, run in enumerate(runs):
            start = time.process_time()
            run()
            took = time.process_time() - start
            best[index] = min(best[index], took)
            spent += took
        rounds += 1
    return best


def fastest_ratio(slow: Callable[[], object], fast: Callable[[], object]) -> float:
    """Fastest time of ``slow`` over fastest time of ``fast`` (see :func:`fastest_times`)."""
    slow_time, fast_time = fastest_times(slow, fast)
    return slow_time / fast_time
