"""When prioritised screening may stop: a test with a stated confidence, not a counter.

The rule is the hypergeometric test of Callaghan and Müller-Hansen (2020, "Statistical
stopping criteria for automated screening in systematic reviews", Systematic Reviews 9:273),
known as BUSCAR. Its null hypothesis is that recall is still *below* the target. Take the
last m records screened, for every m: if ranking were no better than random from that point
on, those m records were a random draw from themselves plus everything not yet screened. If
recall were below the target, that urn would hold at least K relevant records, where K is the
smallest number that would make the target missed. The chance of drawing as few relevant
records as were seen in the m is a hypergeometric tail; the p-value is the smallest over m.
Screening may stop when p < 1 − confidence: "with 95% confidence at least 95% of the
relevant records have been found".

The test assumes only that the ranking is at least as good as random order on the records
not yet screened, which prioritised screening makes conservative (it shows likely records
first). It needs no random sample, so no screening effort is spent on one. Checked after
every decision it is a test repeated many times: on synthetic rankings that are no better
than random order, recall reached the target in 85% of runs instead of 95%; with a relevant
record twice as likely as an irrelevant one to come next, in all of them
(tests/test_ranking.py). A review screened in file or random order should not rely on it.

A run of consecutive exclusions is shown beside it as a plain count; it is never called a
stopping rule (it carries no confidence).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class StoppingSettings:
    target_recall: float = 0.95
    confidence: float = 0.95

    def problems(self) -> list[str]:
        found = []
        if not 0 < self.target_recall < 1:
            found.append("the target recall must be between 0 and 1 (e.g. 0.95)")
        if not 0 < self.confidence < 1:
            found.append("the confidence must be between 0 and 1 (e.g. 0.95)")
        return found


DEFAULT_STOPPING = StoppingSettings()


@dataclass(frozen=True)
class Windows:
    """The windows the test tries, one per entry: the last ``size`` records screened,
    holding ``relevant`` relevant records, drawn (under the null hypothesis) from an ``urn``
    of themselves and the unscreened records holding at least ``missing_at_least`` relevant
    ones."""

    relevant: IntArray
    size: IntArray
    urn: IntArray
    missing_at_least: IntArray


def windows(labels: IntArray, total: int, target_recall: float) -> Windows:
    """The windows that matter after screening ``labels`` (in order) out of ``total``.

    The last m records, for every m, are BUSCAR's windows; only the longest window holding
    each count r of relevant records can give the smallest p-value (one more irrelevant
    record in a window of the same count only makes "so few relevant" less likely), so
    those found + 1 windows are tried: m runs up to just before the r+1-th relevant record
    from the end. tests/test_ranking.py checks this equals trying every m."""
    screened, found = len(labels), int(labels.sum())
    size = np.append(np.flatnonzero(labels[::-1]), screened)
    relevant = np.arange(found + 1)
    tried = size > 0
    size, relevant = size[tried], relevant[tried]
    # Smallest number of relevant records in the urn (the window plus the unscreened) for
    # which recall would be below the target: found outside the window stays found.
    missing_at_least = np.floor(found / target_recall + 1 - (found - relevant)).astype(np.int64)
    return Windows(relevant, size, total - screened + size, missing_at_least)


def p_value(labels_in_order: Sequence[int] | np.ndarray, total: int, target_recall: float) -> float:
    """The p-value of "recall is below ``target_recall``" after screening records whose
    labels (1 relevant, 0 not) are ``labels_in_order`` in the order screened, out of
    ``total`` records. 1.0 when nothing relevant has been found (nothing to test against)."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    screened = len(labels)
    found = int(labels.sum())
    if found == 0 or screened == 0:
        return 1.0
    if screened > total:
        raise ValueError(f"{screened} records screened out of only {total}")
    from scipy.stats import hypergeom  # (loaded only when there is something to test)

    w = windows(labels, total, target_recall)
    p = hypergeom.cdf(w.relevant, w.urn, np.minimum(w.missing_at_least, w.urn), w.size)
    # An urn too small to hold that many relevant records rules the hypothesis out.
    p[w.missing_at_least > w.urn] = 0.0
    return float(np.min(p))


@dataclass(frozen=True)
class StoppingVerdict:
    """Where a screening stands against the rule, in words a reviewer can quote."""

    may_stop: bool
    p_value: float
    relevant_found: int
    screened: int
    total: int
    since_last_relevant: int  # a plain count, not a rule
    settings: StoppingSettings

    @property
    def statement(self) -> str:
        target = f"{self.settings.target_recall:.0%}"
        confidence = f"{self.settings.confidence:.0%}"
        if self.screened >= self.total:
            return "Every record has been screened."
        if self.relevant_found == 0:
            return (
                "No relevant record found yet: the stopping test needs at least one "
                "before it can say anything."
            )
        if self.may_stop:
            return (
                f"With {confidence} confidence at least {target} of the relevant records "
                f"have been found (p = {self.p_value:.3f}); screening may stop."
            )
        return (
            f"Not yet: the test cannot say with {confidence} confidence that {target} of "
            f"the relevant records have been found (p = {self.p_value:.3f}, needs below "
            f"{1 - self.settings.confidence:.2f})."
        )


def verdict(
    labels_in_order: Sequence[int] | np.ndarray,
    total: int,
    settings: StoppingSettings = DEFAULT_STOPPING,
) -> StoppingVerdict:
    """The rule applied to the labels in screening order (1 relevant, 0 not) out of
    ``total`` records."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    found = int(labels.sum())
    relevant_at = np.flatnonzero(labels)
    since = len(labels) - 1 - int(relevant_at[-1]) if found else len(labels)
    # All screened: nothing left to miss; nothing found: nothing to test against.
    everything = len(labels) >= total
    p = 0.0 if found and everything else p_value(labels, total, settings.target_recall)
    return StoppingVerdict(
        may_stop=bool(found and p < 1 - settings.confidence) or everything,
        p_value=p,
        relevant_found=found,
        screened=len(labels),
        total=total,
        since_last_relevant=since,
        settings=settings,
    )


def first_stop(
    labels_in_order: Sequence[int] | np.ndarray,
    total: int,
    settings: StoppingSettings = DEFAULT_STOPPING,
    stride: int | None = None,
    test: Callable[[np.ndarray, int, float], float] = p_value,
) -> int:
    """The number of records screened when the rule first lets screening stop, for a
    simulation that knows every label; ``total`` when it never does. Tested every
    ``stride`` records (default: about 500 tests per run) and then record by record back
    over the last stride, so the answer is where a reviewer checking after every decision
    would have stopped whenever the test stays passed once passed (the usual case).
    ``test`` is the p-value (:func:`p_value`; bench/stopping_bias.py passes variants)."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    alpha = 1 - settings.confidence
    step = stride or max(1, math.ceil(len(labels) / 500))
    previous = 0
    for end in [*range(step, len(labels), step), len(labels)]:
        if test(labels[:end], total, settings.target_recall) < alpha:
            for exact in range(previous + 1, end + 1):
                if test(labels[:exact], total, settings.target_recall) < alpha:
                    return exact
        previous = end
    return total
