"""Scoring shared by the deduplication benchmarks (``dedup.py``, ``dedup_scale.py``).

Truth is a work number per record (index = record id). Two figures matter to a reviewer:

* **auto-merge sensitivity**, as the published comparisons score it (see the benchmarks
  README): a duplicate that the certain groups remove is a true positive, a duplicate left
  standing a false negative; a removed record whose work has no record left standing (or a
  removed unique record) is a false positive;
* **queue recall**: the same count after a person has worked through the review queue,
  confirming every queued pair that truly is one work and separating the rest. A duplicate
  is *reached* when merges and truly-same queued pairs join it to another record of its
  work; for each work with k records joined into c parts, k - c duplicates are reached and
  c - 1 are missed. Queue recall = reached / duplicates. With no false merges, queue recall
  is never below sensitivity, and equals it when the queue is empty.

The queue's size is its number of pairs, and that number as a share of the records.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# The goals of issue 12, on every shared set and on generated data.
GOAL_SENSITIVITY = 0.995
GOAL_QUEUE_RECALL = 0.999
GOAL_QUEUE_SHARE = 0.02


@dataclass
class Score:
    """Counts and rates for one run on one labelled set."""

    records: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    wrong_links: int = 0  # removed records whose keeper is a different work (stricter check)
    reached: int = 0  # duplicates merged, or joined through truly-same queued pairs
    missed: int = 0  # duplicates neither merged nor queued
    queued: int = 0  # pairs in the review queue
    queued_same: int = 0  # queued pairs whose two records are one work

    @property
    def duplicates(self) -> int:
        return self.tp + self.fn

    @property
    def sensitivity(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else 1.0

    @property
    def queue_recall(self) -> float:
        return self.reached / (self.reached + self.missed) if self.reached + self.missed else 1.0

    @property
    def queue_share(self) -> float:
        return self.queued / self.records if self.records else 0.0

    def goals(self) -> dict[str, bool]:
        """Each goal and whether this run meets it."""
        return {
            "0 FP": self.fp == 0 and self.wrong_links == 0,
            f"sens>={GOAL_SENSITIVITY}": self.sensitivity >= GOAL_SENSITIVITY,
            f"qrec>={GOAL_QUEUE_RECALL}": self.queue_recall >= GOAL_QUEUE_RECALL,
            f"queue<={GOAL_QUEUE_SHARE:.0%}": self.queue_share <= GOAL_QUEUE_SHARE,
        }

    def goals_text(self) -> str:
        return " ".join(f"{name}:{'ok' if met else 'NO'}" for name, met in self.goals().items())


def score(
    work: Sequence[Hashable],
    removed: Mapping[int, int],
    queued: Iterable[tuple[int, int]] = (),
) -> Score:
    """Score one run: ``work[i]`` is record i's work, ``removed`` maps each record the
    certain groups removed to the record it was merged into, ``queued`` lists review pairs."""
    n = len(work)
    result = Score(records=n)
    members: dict[Hashable, list[int]] = {}
    for i, w in enumerate(work):
        members.setdefault(w, []).append(i)
    for group in members.values():
        standing = sum(1 for i in group if i not in removed)
        if len(group) == 1:
            if standing:
                result.tn += 1
            else:
                result.fp += 1
        elif standing == 0:
            result.fp += 1
            result.tp += len(group) - 1
        else:
            result.tn += 1
            result.fn += standing - 1
            result.tp += len(group) - standing
    result.wrong_links = sum(1 for i, keeper in removed.items() if work[i] != work[keeper])

    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    for i, keeper in removed.items():
        join(i, keeper)
    for a, b in queued:
        result.queued += 1
        if work[a] == work[b]:
            result.queued_same += 1
            join(a, b)
    for group in members.values():
        if len(group) > 1:
            parts = len({root(i) for i in group})
            result.reached += len(group) - parts
            result.missed += parts - 1
    return result


HEADER = (
    f"{'records':>8}{'dups':>6}{'sens':>8}{'spec':>8}{'FP':>4}{'wrong':>6}{'FN':>5}"
    f"{'q-recall':>9}{'missed':>7}{'queue':>6}{'q %':>7}{'q same':>7}"
)


def row(s: Score) -> str:
    """The figures of ``HEADER`` for one score."""
    return (
        f"{s.records:>8}{s.duplicates:>6}{s.sensitivity:>8.4f}{s.specificity:>8.4f}{s.fp:>4}"
        f"{s.wrong_links:>6}{s.fn:>5}{s.queue_recall:>9.4f}{s.missed:>7}{s.queued:>6}"
        f"{s.queue_share:>7.2%}{s.queued_same:>7}"
    )
