"""Why a record comes now: the reasons a screening card shows (the queue's order, the
record's score and the terms that pushed it up), the same in the web app and the terminal.
Imported text is untrusted: callers escape every word of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from realist.domain import ranking
from realist.domain.records import Record
from realist.domain.screening import ScreeningMode, Stage
from realist.domain.screening_order import ORDER_WORDS, ScreeningOrder
from realist.reports.wording import counted
from realist.services.prioritising import QueueOrder, Ranking, explanation
from realist.services.ranking_inputs import record_text

__all__ = ["COLD_SCORE", "MODEL_SCORE", "NOT_RANKED", "Why", "why"]

NOT_RANKED = (
    "Not ranked yet (new, or taken back since the ranking was made): records like it come "
    "after the ranked ones until the next ranking."
)


@dataclass(frozen=True)
class Why:
    """What a screening card says about its place in the queue: "Ranked by: {words} —
    {basis}", then the record's score and the terms that pushed it up."""

    order: ScreeningOrder
    basis: str  # how the queue is ordered right now
    score: float | None = None  # for display, 0 to 1
    score_means: str = ""
    terms: list[str] = field(default_factory=list)  # what pushed the score up
    note: str = ""  # about this record (e.g. not ranked yet)

    @property
    def words(self) -> str:
        return ORDER_WORDS[self.order]


MODEL_SCORE = (
    "the model's score from 0 to 1, higher for records like those included; not a probability"
)
COLD_SCORE = "similarity from 0 to 1 to the review's inclusion terms, criteria and concept blocks"


def why(queue: QueueOrder, record: Record, mode: ScreeningMode) -> Why:
    """The card's reasons for ``record``: the queue's order, the record's score and the
    terms of its text that pushed the score up (the model's, or the cold start's)."""
    made = queue.ranking
    order = queue.order
    if order is ScreeningOrder.FILE:
        return Why(order, "the order the records were imported in")
    if made is None:
        if queue.failed:
            return Why(order, f"the ranking could not be made ({queue.failed}): file order")
        if order is ScreeningOrder.RANDOM:
            return Why(order, "the random order is being drawn: file order until it is ready")
        return Why(order, "the ranking is being prepared: file order until it is ready")
    assert record.id is not None
    place = made.position(record.id)
    note = "" if place is not None else NOT_RANKED
    if made.kind == "random":
        return Why(order, f"seed {made.seed}", note=note)
    basis = _basis(made, mode)
    if place is None or made.model is None or made.features is None:
        return Why(order, basis, note=note)
    text = record_text(record.title, record.abstract, record.keywords)
    found = explanation(made, record.id, text)
    if found is None:
        return Why(order, basis, note=NOT_RANKED)
    terms = [r.term for r in found.reasons]
    if made.kind == "model":
        return Why(order, basis, round(ranking.unit_interval(found.score), 2), MODEL_SCORE, terms)
    return Why(order, basis, round(max(0.0, min(1.0, found.score)), 2), COLD_SCORE, terms)


def _basis(made: Ranking, mode: ScreeningMode) -> str:
    whose = "everyone's" if mode is ScreeningMode.SINGLE else "yours and those revealed to you"
    maybe = "; a maybe counts as an include" if made.stage is Stage.TITLE_ABSTRACT else ""
    counts = f"{counted(made.included, 'include')} and {counted(made.excluded, 'exclude')}"
    if made.kind == "model":
        return f"a model trained on {counts} (decisions: {whose}{maybe})"
    start = f"no model yet (it needs at least one include and one exclude; so far {counts})"
    if made.has_query:
        return (
            f"{start}: cold start, by similarity to the review's inclusion terms, inclusion "
            "criteria and search concept blocks"
        )
    return f"{start}, and no inclusion terms, criteria or concept blocks to start from: file order"
