"""Where title/abstract screening stands against the stopping rule: relevant records found,
records screened, the recall curve and the rule's verdict with its stated confidence
(:mod:`realist.domain.stopping`), for `realist status` and the dashboard.

A queue's progress is read as its ranking learns (:func:`queue_reading.visible`): in single
screening everyone's decisions; in dual screening the acting reviewer's own, in the order
they made them, with a record's label as that reviewer may see it, so that no figure
reveals a vote still blind to them. A record is relevant when its label is include or maybe.
The total is the records standing (merged duplicates not counted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from realist.domain import stopping
from realist.domain.screening import ScreeningMode, Stage
from realist.domain.screening_order import ORDER_WORDS, ScreeningOrder
from realist.errors import InvalidInput
from realist.services import queue_reading as inputs
from realist.settings import setting
from realist.store import Store
from realist.store import ranking as ranking_repo
from realist.store import reviews as reviews_repo

STAGE = Stage.TITLE_ABSTRACT


@dataclass(frozen=True)
class StoppingProgress:
    order: ScreeningOrder  # the queue's order now (the test assumes prioritised)
    whose: str  # "everyone's" (single screening) or a reviewer's key (dual)
    found: list[int]  # relevant records found after each record screened, in order
    verdict: stopping.StoppingVerdict

    @property
    def caveat(self) -> str:
        """What the reader should know before relying on the verdict."""
        if self.order is ScreeningOrder.PRIORITISED:
            return ""
        return (
            f"the queue is in {ORDER_WORDS[self.order]}: the test assumes a prioritised "
            "order and is not to be relied on in another"
        )

    def as_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "stage": STAGE.value,
            "order": self.order.value,
            "whose": self.whose,
            "screened": v.screened,
            "total": v.total,
            "relevant_found": v.relevant_found,
            "since_last_relevant": v.since_last_relevant,
            "target_recall": v.settings.target_recall,
            "confidence": v.settings.confidence,
            "p_value": round(v.p_value, 6),
            "may_stop": v.may_stop,
            "statement": v.statement,
            "caveat": self.caveat,
        }


def stopping_settings() -> stopping.StoppingSettings:
    """The rule's target recall and confidence: REALIST_STOPPING_TARGET_RECALL and
    REALIST_STOPPING_CONFIDENCE (realist.settings), each 0.95 unless set."""
    values = {}
    for name in ("stopping_target_recall", "stopping_confidence"):
        try:
            values[name] = float(setting(name))
        except ValueError:
            raise InvalidInput(f"REALIST_{name.upper()} must be a number such as 0.95") from None
    chosen = stopping.StoppingSettings(
        target_recall=values["stopping_target_recall"],
        confidence=values["stopping_confidence"],
    )
    problems = chosen.problems()
    if problems:
        raise InvalidInput("stopping rule settings: " + "; ".join(problems))
    return chosen


def stopping_progress(store: Store, reviewer: str | None) -> StoppingProgress:
    """Title/abstract screening's progress for ``reviewer``'s queue, and the verdict."""
    chosen = stopping_settings()
    with store.reading() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        mode = reviews_repo.get_review(connection).screening_mode
        rows = inputs.decisions(connection, STAGE)
        standing = set(inputs.standing_ids(connection).tolist())
        order = ranking_repo.get_orders(connection)[STAGE].order
    whose = None if mode is ScreeningMode.SINGLE else who
    seen = inputs.visible(rows, STAGE, whose)
    first: dict[int, int] = {}  # when each record was first decided in this queue's sense
    for row_id, record_id, reviewer_id, _, _ in rows:
        if whose is None or reviewer_id == whose:
            first.setdefault(record_id, row_id)
    screened = sorted((r for r in seen.decided if r in standing), key=lambda r: first[r])
    labels = np.asarray([seen.labels.get(r, 0) for r in screened], dtype=np.int64)
    verdict = stopping.verdict(labels, len(standing), chosen)
    return StoppingProgress(
        order=order,
        whose="everyone's" if whose is None else key,
        found=np.cumsum(labels).astype(int).tolist(),
        verdict=verdict,
    )
