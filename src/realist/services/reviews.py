"""Creating a review and reporting where it stands."""

from __future__ import annotations

import getpass
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from realist.domain.review import Review, Reviewer, ReviewerRole
from realist.domain.theory import Verdict
from realist.store import Store, create_store
from realist.store import reviews as reviews_repo
from realist.store.events import append_event
from realist.store.schema import record, screening_decision
from realist.store.schema_analysis import (
    coding,
    configuration,
    document,
    excerpt,
    intervention,
    topic,
)


def init_review(
    target: str | None,
    title: str,
    reviewer_key: str | None = None,
    reviewer_name: str = "",
    question: str = "",
) -> Store:
    """Create an empty review with one owner; refuses a store that already holds one."""
    key = reviewer_key or _login_name()
    store = create_store(target)
    with store.transaction() as connection:
        reviews_repo.insert_review(connection, Review(title=title, question=question.strip()))
        reviews_repo.insert_reviewer(
            connection, Reviewer(key=key, name=reviewer_name or key, role=ReviewerRole.OWNER)
        )
        append_event(connection, "review.created", key, "review", {"title": title})
    return store


def _login_name() -> str:
    try:
        return getpass.getuser() or "owner"
    except (KeyError, OSError):  # no user database entry, e.g. in some containers
        return "owner"


@dataclass
class ReviewStatus:
    """Counts for every stage of the review (the ``status --json`` shape)."""

    title: str
    is_demo: bool
    citation: str
    licence: str
    records: dict[str, int]
    screening: dict[str, dict[str, int]]
    documents: dict[str, Any]
    interventions: int
    configurations: dict[str, Any]
    excerpts: int
    codings: int
    flow: dict[str, int | None]
    problems: list[str] = field(default_factory=list)
    question: str = ""  # the review question (RAMESES item 4)


def _count(connection: sa.Connection, query: sa.Select[Any]) -> int:
    return int(connection.execute(query).scalar() or 0)


def review_status(store: Store) -> ReviewStatus:
    """Counts for every stage, plus the problems `realist check` would report."""
    from realist.services.check import check_review  # the check needs the same counts

    with store.reading() as connection:
        review = reviews_repo.get_review(connection)
        total = _count(connection, sa.select(sa.func.count()).select_from(record))
        merged = _count(
            connection,
            sa.select(sa.func.count())
            .select_from(record)
            .where(record.c.duplicate_of.is_not(None)),
        )
        screening: dict[str, dict[str, int]] = {}
        for stage, decision, n in connection.execute(
            sa.select(
                screening_decision.c.stage,
                screening_decision.c.decision,
                sa.func.count(sa.distinct(screening_decision.c.record_id)),
            ).group_by(screening_decision.c.stage, screening_decision.c.decision)
        ):
            screening.setdefault(stage, {})[decision] = n
        by_type = Counter(
            r[0]
            for r in connection.execute(
                sa.select(document.c.document_type).where(document.c.included.is_(True))
            )
        )
        by_design = Counter(
            r[0] or "unknown"
            for r in connection.execute(
                sa.select(document.c.study_design).where(document.c.included.is_(True))
            )
        )
        configurations: dict[str, Any] = {"total": 0, "by_topic": {}}
        for topic_key, verdict, n in connection.execute(
            sa.select(topic.c.key, configuration.c.verdict, sa.func.count())
            .join(topic, topic.c.id == configuration.c.topic_id)
            .group_by(topic.c.key, configuration.c.verdict)
            .order_by(topic.c.key)
        ):
            entry = configurations["by_topic"].setdefault(topic_key, {"total": 0, "by_verdict": {}})
            entry["total"] += n
            entry["by_verdict"][verdict or "untested"] = n
            configurations["total"] += n
        status = ReviewStatus(
            title=review.title,
            is_demo=review.is_demo,
            citation=review.citation,
            licence=review.licence,
            records={"total": total, "duplicates": merged, "unique": total - merged},
            screening=screening,
            documents={
                "included": sum(by_type.values()),
                "by_type": dict(sorted(by_type.items())),
                "by_design": dict(sorted(by_design.items())),
            },
            interventions=_count(connection, sa.select(sa.func.count()).select_from(intervention)),
            configurations=configurations,
            excerpts=_count(connection, sa.select(sa.func.count()).select_from(excerpt)),
            codings=_count(connection, sa.select(sa.func.count()).select_from(coding)),
            flow=reviews_repo.get_flow_counts(connection),
            question=review.question,
        )
    status.problems = [finding.message for finding in check_review(store)]
    return status


VERDICT_ORDER = [v.value for v in Verdict] + ["untested"]
