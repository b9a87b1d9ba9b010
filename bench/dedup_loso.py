"""Thresholds chosen by leave-one-set-out over the labelled sets (``dedup.py --loso``).

For each set held out, every candidate threshold triple of ``GRID`` is run on the other
sets; the triple kept is the one that, with no false positive on any of them and no queue
above 2% of a set's records, gives the best worst set: highest auto-merge sensitivity, then
highest queue recall. Triples that do equally well form a range; the middle of it is kept,
threshold by threshold (the farthest from where the figures change, so the least fitted to
the sets). The held-out set is then run with it and reported: those figures are what the
thresholds do on data they were not chosen on. Last, the same choice over all sets gives
the values Realist ships (``Rules``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from dedup import LabelledSet, removed_by_realist, score
from dedup_score import GOAL_QUEUE_SHARE, HEADER, Score, row
from realist.domain.dedup import Rules, find_duplicates

# Coarse steps, so that no threshold can settle on one set's single pair.
GRID = {
    "title_same": (0.93, 0.95, 0.97),
    "title_close": (0.85, 0.88, 0.90, 0.92),
    "title_review": (0.70, 0.75, 0.80, 0.85),
}


def _candidates(base: Rules) -> list[Rules]:
    found = []
    for same, close, review in itertools.product(*GRID.values()):
        if review <= close <= same:
            found.append(replace(base, title_same=same, title_close=close, title_review=review))
    return found


def _run(data: LabelledSet, rules: Rules) -> Score:
    result = find_duplicates(data.records, rules=rules)
    queued = [(p.a_id, p.b_id) for p in result.pending]
    return score(data, removed_by_realist(result, data.labels), queued)


def _choose(scores: dict[Rules, list[Score]]) -> Rules:
    """The best rules by their worst set, with no false positive anywhere; among rules that
    do equally well, the middle of their range, threshold by threshold (the farthest from
    where the figures start to change, so the least fitted to these sets)."""
    safe = {
        rules: got
        for rules, got in scores.items()
        if all(s.fp == 0 and s.wrong_links == 0 for s in got)
        and all(s.queue_share <= GOAL_QUEUE_SHARE for s in got)
    }
    pool = safe or scores

    def merit(rules: Rules) -> tuple[float, float]:
        got = pool[rules]
        return (min(s.sensitivity for s in got), min(s.queue_recall for s in got))

    best = max(merit(rules) for rules in pool)
    tied = [rules for rules in pool if merit(rules) == best]
    for name in GRID:
        values = sorted({getattr(rules, name) for rules in tied})
        middle = values[len(values) // 2]
        tied = [rules for rules in tied if getattr(rules, name) == middle]
    return tied[0]


def _name(rules: Rules) -> str:
    return (
        f"same {rules.title_same:.2f} close {rules.title_close:.2f} review {rules.title_review:.2f}"
    )


def leave_one_set_out(sets: Sequence[LabelledSet], base: Rules) -> None:
    """Print the thresholds each fold chooses and the held-out figures, then the choice
    over all sets."""
    candidates = _candidates(base)
    print(f"{len(candidates)} threshold triples on {len(sets)} sets ...", flush=True)
    table = {rules: [_run(data, rules) for data in sets] for rules in candidates}
    print()
    header = f"{'held out':<20}{'thresholds (chosen on the others)':<44}{HEADER}"
    print(header)
    print("-" * len(header))
    held: list[tuple[str, Score]] = []
    for k, data in enumerate(sets):
        others = {rules: got[:k] + got[k + 1 :] for rules, got in table.items()}
        chosen = _choose(others)
        got = table[chosen][k]
        held.append((data.name, got))
        print(f"{data.name:<20}{_name(chosen):<44}{row(got)}")
    print()
    print("Goals on each held-out set:")
    for name, got in held:
        print(f"  {name:<20}{got.goals_text()}")
    final = _choose(table)
    print()
    print(f"Chosen over all sets: {_name(final)}")
    for data, got in zip(sets, table[final], strict=True):
        print(f"  {data.name:<20}{row(got)}")
    default = Rules(merge_errata=base.merge_errata)
    if final != default:
        print(f"(Realist's defaults differ: {_name(default)})")
