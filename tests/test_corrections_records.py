"""Correcting the screening side of a review: criteria, highlight terms, import batches.
Each rule of what a deletion takes with it, or is refused for, has a test here. Runs on
SQLite and (with REALIST_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from realist.domain.events import Event
from realist.domain.records import DuplicateStatus
from realist.domain.review import SourceKind
from realist.domain.screening import CriterionKind, Decision, Stage
from realist.errors import InvalidInput, NotFound
from realist.services import batches, criteria, dedup, documents, imports, prisma, screening
from realist.services.reporting import render_report
from realist.services.reviews import init_review
from realist.store import Store
from realist.store import screening as screening_repo
from realist.store.events import list_events
from realist.store.schema import duplicate_group, duplicate_member, record, screening_decision


def ris(*items: tuple[str, str]) -> str:
    """A RIS file: one journal article per (title, DOI)."""
    return "".join(
        f"TY  - JOUR\nAU  - Author, A{n}\nTI  - {title}\nPY  - {2000 + n}\nJO  - Journal\n"
        f"DO  - {doi}\nAB  - About {title}.\nER  - \n\n"
        for n, (title, doi) in enumerate(items)
    )


SHARED = [("Peer support for new mothers", "10.1/a"), ("Telephone support trial", "10.1/b")]
OWN = [("Doula care in rural areas", "10.1/c")]


@pytest.fixture
def review(db_target: str) -> Iterator[Store]:
    store = init_review(db_target, "Corrections", "ann")
    screening.add_criterion(
        store, "E-POP", "population", CriterionKind.EXCLUSION, "Not perinatal", None
    )
    screening.add_criterion(
        store, "E-PPO", "population", CriterionKind.EXCLUSION, "Not perinatl", None
    )
    screening.add_criterion(store, "E-SET", "setting", CriterionKind.EXCLUSION, "Inpatient", None)
    yield store
    store.close()


def _import(
    store: Store, tmp_path: Path, name: str, items: list[tuple[str, str]], **kw: object
) -> int:
    path = tmp_path / name
    path.write_text(ris(*items), encoding="utf-8")
    done = imports.import_file(store, path, force=True, **kw)  # type: ignore[arg-type]
    assert done.batch_id is not None
    return done.batch_id


def _events(store: Store) -> list[Event]:
    """The event log, newest first."""
    with store.reading() as connection:
        return list_events(connection)


def _ids(store: Store, batch_id: int) -> list[int]:
    with store.reading() as connection:
        query = sa.select(record.c.id).where(record.c.batch_id == batch_id).order_by(record.c.id)
        return [int(r[0]) for r in connection.execute(query)]


def _nothing_dangles(store: Store) -> None:
    """Every merged record points at a standing record; every group has a keeper among
    its members and at least two of them."""
    with store.reading() as connection:
        rows = connection.execute(sa.select(record.c.id, record.c.duplicate_of)).all()
        standing = {r.id for r in rows if r.duplicate_of is None}
        assert all(r.duplicate_of in standing for r in rows if r.duplicate_of is not None)
        for group in connection.execute(sa.select(duplicate_group)).all():
            members = set(
                connection.execute(
                    sa.select(duplicate_member.c.record_id).where(
                        duplicate_member.c.group_id == group.id
                    )
                ).scalars()
            )
            assert group.keeper_id in members and len(members) >= 2


# --- criteria -------------------------------------------------------------------------------


def test_a_typo_criterion_nobody_cites_is_deleted(review: Store) -> None:
    criteria.delete_criterion(review, "E-PPO", None)
    assert [c.code for c in screening.criteria(review, retired=True)] == ["E-POP", "E-SET"]
    last = _events(review)[0]
    assert last.action == "criterion.deleted"
    assert last.detail["criterion"]["text"] == "Not perinatl"


def test_a_cited_criterion_is_refused_then_replaced_decision_by_decision(
    review: Store, tmp_path: Path
) -> None:
    batch = _import(review, tmp_path, "a.ris", SHARED + OWN, source_name="Scopus")
    first, second, third = _ids(review, batch)
    screening.screen(review, first, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None, "E-PPO")
    screening.screen(review, second, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None, "E-PPO")
    with pytest.raises(InvalidInput, match=r"reason of 2 decisions \(records .*retire it"):
        criteria.delete_criterion(review, "E-PPO", None)
    with pytest.raises(InvalidInput, match="cannot replace itself"):
        criteria.delete_criterion(review, "E-PPO", None, replace_with="E-PPO")
    done = criteria.delete_criterion(review, "E-PPO", None, replace_with="E-POP")
    assert done.replaced_by == "E-POP" and [m["record"] for m in done.moved] == [first, second]
    with review.reading() as connection:
        cited = {d.record_id: d.criterion_code for d in screening_repo.list_decisions(connection)}
    last = _events(review)[0]
    assert cited == {first: "E-POP", second: "E-POP"}
    assert last.action == "criterion.deleted" and len(last.detail["moved"]) == 2
    assert third  # untouched


def test_a_retired_criterion_stays_cited_but_is_no_longer_offered(
    review: Store, tmp_path: Path
) -> None:
    batch = _import(review, tmp_path, "a.ris", SHARED + OWN, source_name="Scopus")
    first, second, _ = _ids(review, batch)
    screening.screen(review, first, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None, "E-PPO")
    criteria.retire_criterion(review, "E-PPO", None)
    assert "E-PPO" not in [c.code for c in screening.criteria(review)]
    view = screening.screening_view(review, Stage.TITLE_ABSTRACT, None)
    assert "E-PPO" not in [c.code for c in view.criteria]
    listed = {c.code: c.retired for c in screening.criteria(review, retired=True)}
    assert listed["E-PPO"] is True
    with pytest.raises(InvalidInput, match="retired"):
        screening.screen(review, second, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None, "E-PPO")
    table = render_report(review, "eligibility", "md").content
    assert isinstance(table, str) and "Not perinatl" in table and "retired" in table
    criteria.retire_criterion(review, "E-PPO", None, retired=False)
    screening.screen(review, second, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None, "E-PPO")


def test_a_criterion_is_edited_and_decisions_follow_its_new_code(
    review: Store, tmp_path: Path
) -> None:
    batch = _import(review, tmp_path, "a.ris", OWN, source_name="Scopus")
    (only,) = _ids(review, batch)
    screening.screen(review, only, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None, "E-PPO")
    changed = criteria.edit_criterion(
        review, "E-PPO", None, new_code="E-AGE", dimension="age", text="Not adults"
    )
    assert (changed.code, changed.dimension, changed.text) == ("E-AGE", "age", "Not adults")
    with review.reading() as connection:
        assert screening_repo.list_decisions(connection)[0].criterion_code == "E-AGE"
    last = _events(review)[0]
    assert last.detail["before"] == {
        "code": "E-PPO",
        "dimension": "population",
        "text": "Not perinatl",
    }
    with pytest.raises(InvalidInput, match="stays an exclusion"):
        criteria.edit_criterion(review, "E-AGE", None, kind=CriterionKind.INCLUSION)
    with pytest.raises(InvalidInput, match="already used"):
        criteria.edit_criterion(review, "E-AGE", None, new_code="E-POP")
    with pytest.raises(InvalidInput, match="nothing to change"):
        criteria.edit_criterion(review, "E-AGE", None, text="Not adults")


def test_highlight_terms_are_removed_and_an_unknown_one_is_named(review: Store) -> None:
    screening.add_highlight_terms(review, ["peer*", "doula"], CriterionKind.INCLUSION, None)
    screening.add_highlight_terms(review, ["inpatient"], CriterionKind.EXCLUSION, None)
    assert criteria.remove_highlight_terms(review, ["doula", "inpatient"], None) == 2
    assert screening.highlight_terms(review) == {
        CriterionKind.INCLUSION: ["peer*"],
        CriterionKind.EXCLUSION: [],
    }
    with pytest.raises(NotFound, match=r"'nurse' is not highlighted \(terms: peer\*\)"):
        criteria.remove_highlight_terms(review, ["nurse"], None)


# --- import batches -------------------------------------------------------------------------


def test_batches_are_listed_with_file_source_and_who(review: Store, tmp_path: Path) -> None:
    _import(review, tmp_path, "scopus.ris", SHARED, source_name="Scopus", searched="2020-03-15")
    (listed,) = batches.list_batches(review)
    assert (listed.filename, listed.source, listed.source_kind, listed.format) == (
        "scopus.ris", "Scopus", SourceKind.DATABASE, "ris",
    )  # fmt: skip
    assert (listed.searched, listed.records, listed.problems, listed.imported_by) == (
        "2020-03-15", 2, 0, "ann",
    )  # fmt: skip


def test_deleting_a_batch_takes_its_records_and_decisions(review: Store, tmp_path: Path) -> None:
    keep = _import(review, tmp_path, "a.ris", OWN, source_name="Scopus")
    gone = _import(review, tmp_path, "b.ris", SHARED, source_name="Medline")
    for rid in _ids(review, gone):
        screening.screen(review, rid, Stage.TITLE_ABSTRACT, Decision.INCLUDE, None)
    done = batches.delete_batch(review, gone, None)
    assert (done.records, done.decisions, done.source_removed) == (2, 2, True)
    assert [b.id for b in batches.list_batches(review)] == [keep]
    with review.reading() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(screening_decision)).scalar()
            == 0
        )
    counts = prisma.prisma_counts(review)
    assert counts.database_results == 1
    assert counts.database_specific_results == {"Scopus": 1}  # Medline was only this batch


def test_deleting_a_keeper_batch_stands_up_the_duplicates_of_other_batches(
    review: Store, tmp_path: Path
) -> None:
    first = _import(review, tmp_path, "a.ris", SHARED, source_name="Scopus")
    second = _import(review, tmp_path, "b.ris", SHARED + OWN, source_name="Medline")
    run = dedup.deduplicate(review)
    assert run.merged_records == 2
    kept = _ids(review, first)
    others = _ids(review, second)
    with review.reading() as connection:
        merged = dict(
            connection.execute(
                sa.select(record.c.id, record.c.duplicate_of).where(
                    record.c.duplicate_of.is_not(None)
                )
            ).all()
        )
    assert set(merged.values()) == set(kept)  # the first batch's records are the keepers
    screening.screen(review, kept[0], Stage.TITLE_ABSTRACT, Decision.INCLUDE, None)
    done = batches.delete_batch(review, first, None)
    assert done.stood_up == {others[0]: [], others[1]: []}
    _nothing_dangles(review)
    with review.reading() as connection:
        standing = connection.execute(
            sa.select(sa.func.count()).select_from(record).where(record.c.duplicate_of.is_(None))
        ).scalar()
        groups = connection.execute(
            sa.select(sa.func.count()).select_from(duplicate_group)
        ).scalar()
    assert standing == 3 and groups == 0  # each group had one record of each batch
    counts = prisma.prisma_counts(review)
    assert (counts.database_results, counts.duplicates) == (3, 0)
    nxt = screening.next_record(review, Stage.TITLE_ABSTRACT, None)
    assert nxt.progress.total == 3  # the stood-up records are screened again
    deleted = [e for e in _events(review) if e.action == "batch.deleted"]
    assert deleted[0].detail["stood_up"][0]["replaced_by"] == others[0]


def test_a_deleted_keeper_hands_its_group_to_the_lowest_surviving_record(
    review: Store, tmp_path: Path
) -> None:
    first = _import(review, tmp_path, "a.ris", SHARED, source_name="Scopus")
    second = _import(review, tmp_path, "b.ris", SHARED, source_name="Medline")
    third = _import(review, tmp_path, "c.ris", SHARED, source_name="Embase")
    dedup.deduplicate(review)
    done = batches.delete_batch(review, first, None)
    b, c = _ids(review, second), _ids(review, third)
    assert done.stood_up == {b[0]: [c[0]], b[1]: [c[1]]}
    _nothing_dangles(review)
    with review.reading() as connection:
        groups = connection.execute(sa.select(duplicate_group)).all()
    assert {g.keeper_id for g in groups} == set(b)
    assert all(g.status == DuplicateStatus.MERGED for g in groups)
    counts = prisma.prisma_counts(review)
    assert (counts.database_results, counts.duplicates) == (4, 2)
    # The mended groups can still be undone: the third batch's records stand again.
    for g in groups:
        dedup.undo_merge(review, g.id, None)
    _nothing_dangles(review)
    assert prisma.prisma_counts(review).duplicates == 0


def test_a_pending_pair_that_loses_a_record_is_removed(review: Store, tmp_path: Path) -> None:
    first = _import(
        review,
        tmp_path,
        "a.ris",
        [("Peer support for new mothers: a trial", "")],
        source_name="Scopus",
    )
    _import(
        review,
        tmp_path,
        "b.ris",
        [("Peer support for new mothers - a trial of it", "")],
        source_name="Medline",
    )
    with review.transaction() as connection:  # a pair queued for a person, as dedup queues it
        a, b = connection.execute(sa.select(record.c.id).order_by(record.c.id)).scalars().all()
        group = connection.execute(
            duplicate_group.insert().values(
                keeper_id=a,
                confidence=0.8,
                status=DuplicateStatus.PENDING,
                reason="title",
                created_at="2026-01-01",
            )
        ).inserted_primary_key[0]
        connection.execute(
            duplicate_member.insert(),
            [{"group_id": group, "record_id": a}, {"group_id": group, "record_id": b}],
        )
    done = batches.delete_batch(review, first, None)
    assert done.groups_removed == 1
    assert dedup.review_queue(review) == []
    _nothing_dangles(review)


def test_a_batch_with_documents_is_refused_naming_them(review: Store, tmp_path: Path) -> None:
    batch = _import(review, tmp_path, "a.ris", SHARED, source_name="Scopus")
    rid = _ids(review, batch)[0]
    text = tmp_path / "paper.txt"
    text.write_text("Peer support helped.", encoding="utf-8")
    documents.attach_document(review, text, key="thapa-2020", record_id=rid)
    with pytest.raises(
        InvalidInput, match=rf"documents are attached to its records: thapa-2020 \(record {rid}\)"
    ):
        batches.delete_batch(review, batch, None)
    assert len(_ids(review, batch)) == 2  # nothing went


def test_a_batch_moves_to_another_source_and_prisma_follows(review: Store, tmp_path: Path) -> None:
    right = _import(review, tmp_path, "a.ris", SHARED, source_name="Scopus")
    wrong = _import(review, tmp_path, "b.ris", OWN, source_name="Scopsu")
    moved = batches.move_batch(review, wrong, "Scopus", None)
    assert moved.old_source_removed and moved.source_kind is SourceKind.DATABASE
    counts = prisma.prisma_counts(review)
    assert counts.database_specific_results == {"Scopus": 3}
    # A wrong --source-kind: the source of one batch changes kind, PRISMA moves the box.
    web = _import(
        review, tmp_path, "c.ris", [("A website page", "10.1/w")], source_name="Charity site"
    )
    batches.move_batch(review, web, "Charity site", None, kind=SourceKind.WEBSITE)
    counts = prisma.prisma_counts(review)
    assert counts.database_results == 3 and counts.website_results == 1
    with pytest.raises(InvalidInput, match="1 other batch:"):
        batches.move_batch(review, right, "Scopus", None, kind=SourceKind.REGISTER)
    with pytest.raises(InvalidInput, match="already in"):
        batches.move_batch(review, right, "Scopus", None)
    with pytest.raises(NotFound, match="no import batch 99"):
        batches.move_batch(review, 99, "Scopus", None)
