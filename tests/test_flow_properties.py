"""PRISMA's arithmetic holds on every output, for any review (issue 10, section 1).

Reviews are generated (sources of every kind, duplicates within and across arms, single and
dual screening, conflicts and resolutions, full-text exclusions, reports not retrieved),
built through the services into a real store, and every output that shows a flow figure is
checked: the counts themselves, ``status``, the dashboard's JSON, the diagram (SVG), the
PRISMA2020 CSV, the RAMESES checklist and the whole-review report. The expected figures are
worked out here from the generated review itself, not read back from the code under test.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realist.domain.flow import RecordFlow, flow_counts
from realist.domain.prisma import PrismaCounts, consistency_problems
from realist.domain.review import Reviewer, ReviewerRole, SourceKind
from realist.domain.screening import (
    CriterionKind,
    Decision,
    Outcome,
    ScreeningDecision,
    ScreeningMode,
    Stage,
    settle,
)
from realist.errors import InvalidInput
from realist.reports.prisma_csv import from_prisma2020_csv
from realist.reports.rameses import assess
from realist.services import dedup, screening
from realist.services.counts import review_counts
from realist.services.imports import import_file
from realist.services.reporting import gather, render_report
from realist.services.reviews import init_review, review_status
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.web import WebConfig, create_app

PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL", "")
OTHER_KINDS = [k for k in SourceKind if k.other_method]
DBR_KINDS = [SourceKind.DATABASE, SourceKind.REGISTER]
REASONS = {"E1": "Not hypertension", "E2": "Not home visits"}


# --- the pure flow: any facts give counts whose identities hold ------------------------------

outcomes = st.sampled_from(list(Outcome))
facts = st.builds(
    RecordFlow,
    source=st.sampled_from(["A", "B", "C"]),
    kind=st.sampled_from(list(SourceKind)),
    removed=st.booleans(),
    title_abstract=outcomes,
    full_text=outcomes,
    reason=st.sampled_from([None, *REASONS.values()]),
)


def identities(c: PrismaCounts) -> list[tuple[str, int, int]]:
    """(what, left, right) for every identity of the flow, per arm, as the issue states
    them (with what still waits subtracted, 0 once screening is done)."""
    n = lambda v: v or 0  # noqa: E731 - unknown boxes of an unused kind add nothing
    dbr_in = n(c.database_results) + n(c.register_results)
    other_in = n(c.website_results) + n(c.organisation_results) + n(c.citations_results)
    other_in += n(c.other_sources_results)
    return [
        ("identified - removed = screened", dbr_in - n(c.duplicates), n(c.records_screened)),
        (
            "screened - excluded - awaiting = sought",
            n(c.records_screened) - n(c.records_excluded) - n(c.records_awaiting),
            n(c.dbr_sought_reports),
        ),
        (
            "sought - not retrieved - awaiting = assessed",
            n(c.dbr_sought_reports) - n(c.dbr_notretrieved_reports) - n(c.dbr_awaiting_reports),
            n(c.dbr_assessed),
        ),
        (
            "other identified - removed - awaiting = sought",
            other_in
            - n(c.other_duplicates)
            - n(c.other_records_excluded)
            - n(c.other_records_awaiting),
            n(c.other_sought_reports),
        ),
        (
            "other sought - not retrieved - awaiting = assessed",
            n(c.other_sought_reports)
            - n(c.other_notretrieved_reports)
            - n(c.other_awaiting_reports),
            n(c.other_assessed),
        ),
        (
            "assessed - excluded = included (both arms)",
            n(c.dbr_assessed)
            - n(c.dbr_excluded_total)
            + n(c.other_assessed)
            - n(c.other_excluded_total),
            n(c.new_reports),
        ),
    ]


@settings(max_examples=400, deadline=None)
@given(st.lists(facts, max_size=40))
def test_flow_identities_hold_for_any_records(records: list[RecordFlow]) -> None:
    counts = flow_counts(records)
    assert consistency_problems(counts) == []
    for what, left, right in identities(counts):
        assert left == right, what
    assert (counts.database_results or 0) + (counts.register_results or 0) + (
        counts.other_identified or 0
    ) == len(records)
    done = [r for r in records if not r.removed]
    settled = [r for r in done if r.title_abstract in (Outcome.INCLUDED, Outcome.MAYBE)]
    if all(r.title_abstract in (Outcome.INCLUDED, Outcome.MAYBE, Outcome.EXCLUDED) for r in done):
        # Nothing waits: PRISMA's own identities, literally.
        assert not counts.records_awaiting and not counts.other_records_awaiting
        assert len(settled) == (counts.dbr_sought_reports or 0) + (counts.other_sought_reports or 0)


# --- generated reviews, through the real store and every output --------------------------


@dataclass
class Plan:
    """A generated review: sources, hand merges, screening by up to three people."""

    mode: ScreeningMode
    sources: list[tuple[SourceKind, int]]  # kind, number of records
    merges: list[tuple[int, int]]  # (keep, duplicate) as positions among all records
    first: dict[tuple[int, str], Decision] = field(default_factory=dict)
    second: dict[tuple[int, str], tuple[Decision, str | None]] = field(default_factory=dict)
    resolve: list[tuple[int, Decision]] = field(default_factory=list)


DECISIONS = st.sampled_from([Decision.INCLUDE, Decision.EXCLUDE, Decision.MAYBE])
FULL = st.sampled_from(
    [
        (Decision.INCLUDE, None),
        (Decision.EXCLUDE, "E1"),
        (Decision.EXCLUDE, "E2"),
        (Decision.NOT_RETRIEVED, None),
        (Decision.MAYBE, None),
    ]
)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    kinds = st.sampled_from(DBR_KINDS) | st.sampled_from(OTHER_KINDS)
    sources = draw(st.lists(st.tuples(kinds, st.integers(1, 5)), min_size=1, max_size=4))
    total = sum(n for _, n in sources)
    pairs = st.tuples(st.integers(0, total - 1), st.integers(0, total - 1))
    plan = Plan(
        mode=draw(st.sampled_from(list(ScreeningMode))),
        sources=sources,
        merges=draw(st.lists(pairs, max_size=4)),
    )
    people = ["ann", "ben"] if plan.mode is ScreeningMode.DUAL else ["ann"]
    for n in range(total):
        for who in people:
            if draw(st.integers(0, 5)):  # mostly decided; some left waiting
                plan.first[(n, who)] = draw(DECISIONS)
            if draw(st.integers(0, 5)):
                plan.second[(n, who)] = draw(FULL)
    plan.resolve = draw(st.lists(st.tuples(st.integers(0, total - 1), DECISIONS), max_size=3))
    return plan


def _ris(prefix: str, n: int) -> str:
    return "".join(
        f"TY  - JOUR\nAU  - Author{prefix}{i}, A\nTI  - Study {prefix} number {i}\n"
        f"PY  - {2000 + i}\nER  - \n\n"
        for i in range(n)
    )


def build(plan: Plan, where: Path) -> tuple[Store, list[int]]:
    """The review the plan describes; returns it and the record ids in import order."""
    store = init_review(str(where / "review.realist"), "Generated", "ann")
    with store.transaction() as connection:
        for key in ("ben", "cara"):
            reviews_repo.insert_reviewer(connection, Reviewer(key, key, ReviewerRole.REVIEWER))
    screening.set_screening_mode(store, plan.mode, "ann")
    for code, text in REASONS.items():
        screening.add_criterion(store, code, "population", CriterionKind.EXCLUSION, text, "ann")
    for i, (kind, n) in enumerate(plan.sources):
        path = where / f"source{i}.ris"
        path.write_text(_ris(f"s{i}x", n))
        import_file(store, path, source_name=f"Source {i}", source_kind=kind, reviewer="ann")
    ids = list(range(1, sum(n for _, n in plan.sources) + 1))
    for keep, duplicate in plan.merges:
        # The same record, or one merged already, is refused: a person could not do it either.
        with contextlib.suppress(InvalidInput):
            dedup.merge_records(store, ids[keep], ids[duplicate], "ann")
    for stage, votes in ((Stage.TITLE_ABSTRACT, plan.first), (Stage.FULL_TEXT, plan.second)):
        for (n, who), vote in sorted(votes.items()):
            decision, reason = vote if isinstance(vote, tuple) else (vote, None)
            # Not eligible at this stage (merged, or not through title/abstract): refused.
            with contextlib.suppress(InvalidInput):
                screening.screen(store, ids[n], stage, decision, who, reason)
        if stage is Stage.TITLE_ABSTRACT:
            for n, decision in plan.resolve:
                with contextlib.suppress(InvalidInput):  # no conflict on that record
                    screening.resolve_conflict(store, ids[n], stage, decision, "cara")
    return store, ids


def expected_flow(store: Store) -> list[RecordFlow]:
    """The facts worked out independently: settle() in Python over every decision (the
    store settles them in SQL), arms from the sources' kinds."""
    with store.reading() as connection:
        import sqlalchemy as sa

        from realist.store.schema import import_batch, record, source
        from realist.store.screening import list_decisions

        mode = reviews_repo.get_review(connection).screening_mode
        rows = connection.execute(
            sa.select(record.c.id, record.c.duplicate_of, source.c.name, source.c.kind)
            .join(import_batch, import_batch.c.id == record.c.batch_id)
            .join(source, source.c.id == import_batch.c.source_id)
            .order_by(record.c.id)
        ).all()
        by_stage: dict[Stage, dict[int, list[ScreeningDecision]]] = {s: {} for s in Stage}
        for stage in Stage:
            for d in list_decisions(connection, stage):
                by_stage[stage].setdefault(d.record_id, []).append(d)
        found = []
        for r in rows:
            first = settle(by_stage[Stage.TITLE_ABSTRACT].get(r.id, []), mode)
            second_decisions = by_stage[Stage.FULL_TEXT].get(r.id, [])
            second = settle(second_decisions, mode)
            reason = None
            if second is Outcome.EXCLUDED:
                cited = [d for d in second_decisions if d.criterion_code]
                cited.sort(key=lambda d: (d.resolves_conflict, d.id or 0))
                reason = REASONS[cited[-1].criterion_code] if cited else None  # type: ignore[index]
            found.append(
                RecordFlow(r.name, SourceKind(r.kind), r.duplicate_of is not None, first, second,
                           reason)
            )  # fmt: skip
        return found


_N = re.compile(r"\(n = ([\d,]+)\)")


def svg_boxes(svg: str) -> dict[str, list[int]]:
    """Each box of the diagram and the counts its lines state, in order."""
    root = ET.fromstring(svg)
    boxes: dict[str, list[int]] = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        key = g.get("data-box")
        if key:
            text = " ".join(t.text or "" for t in g.iter("{http://www.w3.org/2000/svg}text"))
            boxes[key] = [int(m.replace(",", "")) for m in _N.findall(text)]
    return boxes


def check_every_output(store: Store) -> PrismaCounts:
    counts = review_counts(store)
    flow = counts.flow
    # The counts: what the data says, identity by identity, per arm.
    assert flow == flow_counts(expected_flow(store), _sources(store), studies=flow.new_studies), (
        "the store's counts differ from the facts worked out independently"
    )
    assert consistency_problems(flow) == []
    for what, left, right in identities(flow):
        assert left == right, what
    # Stages count records, each in exactly one outcome; votes are apart from them.
    standing = counts.records_unique
    ta, ft = counts.stages[Stage.TITLE_ABSTRACT], counts.stages[Stage.FULL_TEXT]
    assert ta.records == standing == sum(ta.outcomes.values())
    passed = ta.outcomes[Outcome.INCLUDED] + ta.outcomes[Outcome.MAYBE]
    assert ft.records == passed == sum(ft.outcomes.values())
    assert (flow.records_screened or 0) + (flow.other_sought_reports or 0) + (
        flow.other_records_excluded or 0
    ) + (flow.other_records_awaiting or 0) == standing
    # status and the dashboard show the same figures (votes as the owner, ann, sees them).
    status = review_status(store, shown_to="ann")
    assert status.flow["records_screened"] == flow.records_screened
    assert status.flow["dbr_notretrieved_reports"] == flow.dbr_notretrieved_reports
    assert status.screening["title_abstract"]["records"] == ta.records
    app = create_app(WebConfig(target=store.target), store=store)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        board = client.get("/api/dashboard").json()
        assert board["status"]["flow"] == status.flow
        assert board["status"]["screening"] == status.screening
        assert PrismaCounts(**client.get("/api/prisma").json()) == flow
    # The diagram states the same numbers, box by box.
    boxes = svg_boxes(render_report(store, "prisma", "svg").content)  # type: ignore[arg-type]
    assert boxes["records_screened"][0] == flow.records_screened
    assert boxes["records_excluded"] == [flow.records_excluded]
    assert boxes["dbr_sought_reports"][0] == flow.dbr_sought_reports
    assert boxes["dbr_notretrieved_reports"] == [flow.dbr_notretrieved_reports]
    assert boxes["dbr_assessed"] == [flow.dbr_assessed]
    assert boxes["other_sought_reports"][0] == flow.other_sought_reports
    assert boxes["other_assessed"] == [flow.other_assessed]
    assert boxes["new_studies"][-1] == flow.new_reports
    assert sum(boxes["dbr_excluded"]) == flow.dbr_excluded_total
    # The CSV reads back to the same counts.
    assert from_prisma2020_csv(render_report(store, "prisma", "csv").content) == flow  # type: ignore[arg-type]
    # RAMESES item 12 and the whole-review report say the same.
    item = dict((i.number, a) for i, a in assess(gather(store)))[12]
    assert f"records screened: {flow.records_screened}" in item.supplied
    assert f"new reports: {flow.new_reports}" in item.supplied
    review = render_report(store, "review", "html").content
    assert isinstance(review, str)
    figures = re.findall(r"<svg.*?</svg>", review, re.S)
    assert [b for b in map(svg_boxes, figures) if "records_screened" in b] == [boxes]
    return flow


def _sources(store: Store) -> list[tuple[str, SourceKind]]:
    return [(s.name, s.kind) for s in _search(store).sources]


def _search(store: Store):  # type: ignore[no-untyped-def]
    with store.reading() as connection:
        return reviews_repo.get_search(connection)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans())
def test_every_output_of_a_generated_review_adds_up(tmp_path: Path, plan: Plan) -> None:
    if PG_URL:
        pytest.skip("builds SQLite files of its own; the PostgreSQL run checks the fixed review")
    where = Path(tempfile.mkdtemp(dir=tmp_path))
    store, _ = build(plan, where)
    try:
        check_every_output(store)
    finally:
        store.close()


def test_the_issues_review_adds_up(db_target: str, tmp_path: Path) -> None:
    """The reported case, on SQLite and PostgreSQL: 40 identified, 16 duplicates of which two
    came from hand searching; dual screening with conflicts resolved; not retrieved."""
    store = init_review(db_target, "CHW home visits", "ann")
    with store.transaction() as connection:
        for key in ("ben", "cara"):
            reviews_repo.insert_reviewer(connection, Reviewer(key, key, ReviewerRole.REVIEWER))
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")
    for code, text in REASONS.items():
        screening.add_criterion(store, code, "population", CriterionKind.EXCLUSION, text, "ann")
    for i, (name, kind, n) in enumerate(
        [("PubMed", SourceKind.DATABASE, 14), ("Scopus", SourceKind.DATABASE, 12),
         ("CINAHL", SourceKind.DATABASE, 8), ("Hand search", SourceKind.OTHER, 4),
         ("Citations", SourceKind.CITATION, 2)]
    ):  # fmt: skip
        path = tmp_path / f"{i}.ris"
        path.write_text(_ris(f"s{i}x", n))
        import_file(store, path, source_name=name, source_kind=kind, reviewer="ann")
    # 14 duplicates in the databases (records 15-28 repeat 1-14), 2 among the hand search.
    for n in range(14):
        dedup.merge_records(store, n + 1, n + 15, "ann")
    dedup.merge_records(store, 1, 35, "ann")
    dedup.merge_records(store, 2, 36, "ann")
    standing = [r for r in range(1, 41) if not 15 <= r <= 28 and r not in (35, 36)]
    assert len(standing) == 24
    for n, rid in enumerate(standing):
        ann = Decision.INCLUDE if n % 2 == 0 else Decision.EXCLUDE
        ben = ann if n % 5 else Decision.MAYBE  # a few conflicts
        screening.screen(store, rid, Stage.TITLE_ABSTRACT, ann, "ann")
        screening.screen(store, rid, Stage.TITLE_ABSTRACT, ben, "ben")
    for rid, _ in screening.conflicts(store, Stage.TITLE_ABSTRACT):
        assert rid.id is not None
        screening.resolve_conflict(store, rid.id, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "cara")
    for rid in screening_ids(store):
        choice = Decision.NOT_RETRIEVED if rid % 7 == 0 else Decision.INCLUDE
        reason = None
        if rid % 3 == 0 and choice is Decision.INCLUDE:
            choice, reason = Decision.EXCLUDE, "E1"
        for who in ("ann", "ben"):
            screening.screen(store, rid, Stage.FULL_TEXT, choice, who, reason)
    flow = check_every_output(store)
    assert (flow.database_results, flow.other_identified) == (34, 6)
    assert (flow.duplicates, flow.other_duplicates, flow.records_screened) == (14, 2, 20)
    assert flow.other_sources_results == 4 and flow.website_results is None
    counts = review_counts(store)
    ta = counts.stages[Stage.TITLE_ABSTRACT]
    assert ta.records == 24 and ta.waiting == 0
    assert sum(ta.votes["ann"].values()) == sum(ta.votes["ben"].values()) == 24
    store.close()


def screening_ids(store: Store) -> list[int]:
    """Records through title/abstract, in id order."""
    found = []
    while True:
        nxt = screening.next_record(store, Stage.FULL_TEXT, "ann", found[-1] if found else None)
        if nxt.record is None or (nxt.record.id in found):
            return found
        assert nxt.record.id is not None
        found.append(nxt.record.id)
