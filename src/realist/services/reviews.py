"""Creating a review and reporting where it stands."""

from __future__ import annotations

import getpass
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from realist.domain.identifiers import segment_problem
from realist.domain.prisma import PrismaCounts
from realist.domain.review import Review, Reviewer, ReviewerRole
from realist.errors import InvalidInput
from realist.services.counts import review_counts
from realist.store import Store, create_store
from realist.store import reviews as reviews_repo
from realist.store.events import append_event


def init_review(
    target: str | None,
    title: str,
    reviewer_key: str | None = None,
    reviewer_name: str = "",
    question: str = "",
) -> Store:
    """Create an empty review with one owner; refuses a store that already holds one."""
    key = reviewer_key or _login_name()
    problem = segment_problem(key, "reviewer key")
    if problem:
        raise InvalidInput(problem)
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
    """Counts for every stage of the review (the ``status --json`` shape, docs/CLI.md).

    Every figure comes from :func:`realist.services.counts.review_counts`, as the
    dashboard's, the PRISMA diagram's and the reports' do.
    """

    title: str
    is_demo: bool
    citation: str
    licence: str
    records: dict[str, int]
    screening: dict[str, dict[str, Any]]
    documents: dict[str, Any]
    interventions: int
    configurations: dict[str, Any]
    excerpts: int
    codings: int
    flow: dict[str, int | None]
    problems: list[str] = field(default_factory=list)
    question: str = ""  # the review question (RAMESES item 4)
    # Title/abstract screening against the stopping rule (services.screening_progress).
    stopping: dict[str, Any] = field(default_factory=dict)


def acting_reviewer(store: Store, reviewer: str | None) -> str:
    """The key of the reviewer named, or of the owner when none is (who a command acts as)."""
    with store.reading() as connection:
        return reviews_repo.resolve_reviewer(connection, reviewer)[0]


def review_title(store: Store) -> str:
    """The review's title (what a page's header shows), in one short read."""
    with store.reading() as connection:
        return reviews_repo.get_review(connection).title


def review_status(
    store: Store, *, problems: bool = True, shown_to: str | None = None
) -> ReviewStatus:
    """Counts for every stage, plus (unless ``problems`` is False, as for the terminal's
    quick look) the problems `realist check` would report. Votes per reviewer are those
    ``shown_to`` may see (see :func:`realist.services.counts.review_counts`)."""
    counts = review_counts(store, shown_to)
    with store.reading() as connection:
        review = reviews_repo.get_review(connection)
    included = counts.included_documents
    by_type = Counter(d.document_type.value for d in included)
    by_design = Counter(d.study_design.value if d.study_design else "unknown" for d in included)
    by_status = Counter(d.status.value for d in counts.documents if d.status)
    configurations: dict[str, Any] = {"total": 0, "by_topic": {}}
    for topic_key, verdicts in counts.configurations.items():
        total = sum(verdicts.values())
        configurations["by_topic"][topic_key] = {"total": total, "by_standing": verdicts}
        configurations["total"] += total
    status = ReviewStatus(
        title=review.title,
        is_demo=review.is_demo,
        citation=review.citation,
        licence=review.licence,
        records={
            "total": counts.records_total,
            "duplicates": counts.records_merged,
            "unique": counts.records_unique,
        },
        screening={stage.value: c.as_json() for stage, c in counts.stages.items()},
        documents={
            "included": len(included),
            "by_type": dict(sorted(by_type.items())),
            "by_design": dict(sorted(by_design.items())),
            "by_status": dict(sorted(by_status.items())),
        },
        interventions=counts.interventions,
        configurations=configurations,
        excerpts=counts.excerpts,
        codings=counts.codings,
        flow=_flow_json(counts.flow),
        question=review.question,
    )
    from realist.services.screening_progress import stopping_progress

    status.stopping = stopping_progress(store, shown_to or None).as_json()
    if problems:
        from realist.services.check import check_review  # it reads most of the review

        status.problems = [finding.message for finding in check_review(store)]
    return status


FLOW_SUMMARY = (
    "database_results",
    "register_results",
    "website_results",
    "organisation_results",
    "citations_results",
    "other_sources_results",
    "duplicates",
    "other_duplicates",
    "records_screened",
    "records_excluded",
    "records_awaiting",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "other_sought_reports",
    "other_notretrieved_reports",
    "other_assessed",
    "new_reports",
    "new_studies",
)
"""The PRISMA boxes ``status`` shows (per-source and per-reason parts are in ``prisma``)."""


def _flow_json(flow: PrismaCounts) -> dict[str, int | None]:
    found: dict[str, int | None] = {name: getattr(flow, name) for name in FLOW_SUMMARY}
    found["dbr_excluded"] = flow.dbr_excluded_total
    found["other_excluded"] = flow.other_excluded_total
    return found
