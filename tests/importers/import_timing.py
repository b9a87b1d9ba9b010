"""Timing on a shared, loaded machine: the CPU time of the fastest of several runs, taken
in turn.

CPU time, not wall time: on a machine with more runnable processes than cores, a run longer
than the scheduler's time slice waits for the CPU in proportion to its length while a short
one often fits in one slice, so wall times made a linear 4x input look 8x slower (seen when
CI ran two test suites side by side). Running the inputs to be compared in turn makes both
meet the same moments of a busy machine (caches shared with others); the fastest run of
each is the one least disturbed by it.

Where the cost to catch is Python work per line or per bracket, :func:`python_lines` counts
it instead: the lines of Python a run executes, which no load on the machine changes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any


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


def python_lines(run: Callable[[], object], counted: Callable[[CodeType], bool]) -> int:
    """How many lines of Python ``run`` executes in the functions whose code ``counted``
    accepts (traced with ``sys.settrace``)."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        return local if counted(frame.f_code) else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        run()
    finally:
        sys.settrace(previous)
    return count
