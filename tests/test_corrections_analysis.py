"""Correcting the analysis side of a review: documents, excerpts, codings, topics,
configurations and reviewers. Each rule of what a deletion takes with it, or is refused
for, has a test here. Runs on SQLite and (with REALIST_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from realist.domain.coding import Stance
from realist.domain.documents import DocumentType, StudyDesign, key_problem
from realist.domain.events import Event
from realist.domain.review import ReviewerRole
from realist.domain.screening import CriterionKind
from realist.domain.theory import MechanismKind, Role
from realist.errors import InvalidInput, NotFound
from realist.services import (
    accounts,
    coding,
    document_edits,
    documents,
    excerpt_edits,
    interventions,
    memos,
    queries,
    reviewers,
    screening,
    theories,
    theory_edits,
)
from realist.services.reviews import init_review
from realist.store import Store
from realist.store.events import list_events
from realist.store.schema_analysis import coding as coding_table
from realist.store.schema_analysis import component, excerpt_intervention, memo

TEXT = "Mothers said peer support helped them feel heard. Some felt judged by volunteers.\n"


def _events(store: Store) -> list[Event]:
    with store.reading() as connection:
        return list_events(connection)


def _count(store: Store, table: sa.Table) -> int:
    with store.reading() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


@pytest.fixture
def review(db_target: str, tmp_path: Path) -> Iterator[Store]:
    """Two topics, configuration 1 (three parts) and 2, a document with two coded excerpts
    (one case-coded to intervention 1) and a memo on configuration 1."""
    store = init_review(db_target, "Corrections", "ann")
    reviewers.add_reviewer(store, "bob", None, name="Bob Coder")
    theories.add_topic(store, "take_up", "Take-up", None)
    theories.add_topic(store, "harms", "Harms", None, negative=True)
    coding.create_configuration(
        store, "1", "take_up", None,
        contexts=["a mother who wants to talk"],
        mechanisms=[("she feels heard", MechanismKind.REASONING)],
        outcomes=["she stays"],
    )  # fmt: skip
    coding.create_configuration(store, "2", "take_up", None, title="Judged")
    path = tmp_path / "study.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(store, path, key="study", title="A study")
    interventions.set_intervention(
        store, 1, None, attributes={"country": "UK"}, documents=["study"]
    )
    first = coding.create_excerpt(store, "study", 0, 49, "bob", interventions=[1], quote=TEXT[:49])
    second = coding.create_excerpt(store, "study", 50, 80, "ann")
    coding.code_excerpt(store, first.id or 0, "1", "bob", role=Role.MECHANISM, position=0)
    coding.code_excerpt(store, first.id or 0, "2", "ann", stance=Stance.REFINES)
    coding.code_excerpt(store, second.id or 0, "2", "ann", stance=Stance.REFUTES)
    memos.write_memo(store, "1", "Heard is the key word.", None)
    yield store
    store.close()


def _excerpts(store: Store) -> list[int]:
    return [e.id or 0 for e in coding.list_excerpts(store)]


# --- documents ------------------------------------------------------------------------------


def test_document_keys_are_safe_words() -> None:
    assert key_problem("thapa-2020") is None and key_problem("smith_2019.b") is None
    for bad in ("a/b", "..", "a..b", "with space", "", "-lead", "x" * 101):
        assert key_problem(bad), bad


def test_a_document_is_renamed_and_everything_follows_its_key(review: Store) -> None:
    document_edits.rename_document(review, "study", "thapa-2020", None)
    assert [e.document_key for e in coding.list_excerpts(review)] == ["thapa-2020"] * 2
    items, _ = interventions.list_interventions(review)
    assert items[0].document_keys == ["thapa-2020"]
    assert queries.search(review, "heard")[0].document_key == "thapa-2020"
    with pytest.raises(NotFound):
        documents.show_document(review, "study")
    assert _events(review)[0].detail == {"from": "study", "to": "thapa-2020"}
    for bad in ("../etc", "a b", "x/y"):
        with pytest.raises(InvalidInput, match="not a usable document key"):
            document_edits.rename_document(review, "thapa-2020", bad, None)


def test_a_second_document_cannot_take_a_key_in_use(review: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Other text.", encoding="utf-8")
    documents.attach_document(review, other, key="other")
    with pytest.raises(InvalidInput, match="already has the key 'study'"):
        document_edits.rename_document(review, "other", "study", None)


def test_a_document_title_type_and_design_are_edited(review: Store) -> None:
    changed = document_edits.edit_document(
        review, "study", None, title="Thapa 2020", document_type=DocumentType.THESIS,
        study_design=StudyDesign.QUALITATIVE,
    )  # fmt: skip
    assert (changed.title, changed.document_type, changed.study_design) == (
        "Thapa 2020", DocumentType.THESIS, StudyDesign.QUALITATIVE,
    )  # fmt: skip
    assert _events(review)[0].detail["before"] == {
        "title": "A study", "document_type": "peer_reviewed_article", "study_design": None,
    }  # fmt: skip
    cleared = document_edits.edit_document(review, "study", None, unknown_design=True)
    assert cleared.study_design is None
    with pytest.raises(InvalidInput, match="nothing to change"):
        document_edits.edit_document(review, "study", None, title="Thapa 2020")


def test_deleting_a_document_with_excerpts_needs_force_and_takes_everything(
    review: Store,
) -> None:
    with pytest.raises(InvalidInput, match=r"2 excerpts with 3 codings.*--force"):
        document_edits.delete_document(review, "study", None)
    done = document_edits.delete_document(review, "study", None, force=True)
    assert (done.versions, done.files, done.excerpts, done.codings) == (1, 1, 2, 3)
    assert done.interventions == [1]
    assert documents.list_documents(review) == [] and coding.list_excerpts(review) == []
    assert _count(review, coding_table) == 0 and _count(review, excerpt_intervention) == 0
    assert queries.search(review, "heard") == []  # nothing left in the search index
    items, _ = interventions.list_interventions(review)
    assert items[0].document_keys == []  # the intervention stays, without the document
    assert _events(review)[0].action == "document.deleted"


# --- excerpts and codings -------------------------------------------------------------------


def test_deleting_an_excerpt_removes_its_codings_and_case_coding(review: Store) -> None:
    first, second = _excerpts(review)
    assert excerpt_edits.delete_excerpt(review, first, None) == 2
    assert _excerpts(review) == [second]
    assert _count(review, coding_table) == 1 and _count(review, excerpt_intervention) == 0
    assert [h.kind for h in queries.search(review, "heard")] == ["document"]
    event = _events(review)[0]
    assert event.action == "excerpt.deleted" and event.detail["text"] == TEXT[:49]
    assert [c["configuration"] for c in event.detail["codings"]] == ["1", "2"]
    assert theories.show_theory(review, "1").evidence["excerpts"] == 0


def test_an_excerpt_gets_a_unique_label_that_names_it(review: Store) -> None:
    first, second = _excerpts(review)
    excerpt_edits.label_excerpt(review, first, "E101", None)
    assert coding.get_excerpt(review, "E101").id == first
    with pytest.raises(InvalidInput, match="already has the label 'E101'"):
        excerpt_edits.label_excerpt(review, second, "E101", None)
    with pytest.raises(InvalidInput, match="not only digits"):
        excerpt_edits.label_excerpt(review, second, "12", None)
    excerpt_edits.label_excerpt(review, "E101", "", None)
    assert coding.get_excerpt(review, first).label == ""


def test_a_coding_changes_stance_and_part_and_stays_its_coders(review: Store) -> None:
    first, _ = _excerpts(review)
    (on_one,) = [
        c for c in coding.get_excerpt(review, first).codings if c.configuration_identifier == "1"
    ]
    assert on_one.id is not None
    changed = excerpt_edits.recode(
        review, on_one.id, "ann", stance=Stance.REFUTES, role=Role.OUTCOME
    )
    assert (changed.role, changed.component_position, changed.stance, changed.reviewer_key) == (
        Role.OUTCOME, 0, Stance.REFUTES, "bob",
    )  # fmt: skip
    event = _events(review)[0]
    assert (event.actor, event.detail["before"], event.detail["after"]) == (
        "ann",
        {"role": "mechanism", "position": 0, "stance": "supports"},
        {"role": "outcome", "position": 0, "stance": "refutes"},
    )
    whole = excerpt_edits.recode(review, on_one.id, None, role=Role.CONFIGURATION)
    assert whole.component_position is None
    with pytest.raises(InvalidInput, match="has no context number 3"):
        excerpt_edits.recode(review, on_one.id, None, role=Role.CONTEXT, position=2)
    with pytest.raises(InvalidInput, match="already says that"):
        excerpt_edits.recode(review, on_one.id, None, stance=Stance.REFUTES)


def test_uncode_removes_one_coding(review: Store) -> None:
    first, _ = _excerpts(review)
    coding_id = coding.get_excerpt(review, first).codings[0].id or 0
    coding.uncode(review, coding_id, None)
    assert len(coding.get_excerpt(review, first).codings) == 1
    with pytest.raises(NotFound):
        coding.uncode(review, coding_id, None)


# --- topics and configurations --------------------------------------------------------------


def test_a_topic_is_renamed_reordered_and_marked(review: Store) -> None:
    theory_edits.edit_topic(
        review, "harms", None, new_key="negative_impact", name="Negative impact"
    )
    theory_edits.edit_topic(review, "negative_impact", None, position=0, negative=False)
    assert [(t.key, t.position, t.negative) for t in theories.list_topics(review)] == [
        ("negative_impact", 0, False), ("take_up", 1, False),
    ]  # fmt: skip
    assert _events(review)[0].detail == {
        "before": {"negative": True, "position": 1}, "after": {"negative": False, "position": 0},
    }  # fmt: skip
    with pytest.raises(InvalidInput, match="already exists"):
        theory_edits.edit_topic(review, "take_up", None, new_key="negative_impact")
    with pytest.raises(InvalidInput, match="no spaces"):
        theory_edits.edit_topic(review, "take_up", None, new_key="take up")


def test_a_topic_with_configurations_is_refused_or_moves_them(review: Store) -> None:
    theory_edits.delete_topic(review, "harms", None)  # empty: goes
    theories.add_topic(review, "harms", "Harms", None)
    with pytest.raises(InvalidInput, match=r"2 configurations: 1, 2; move them"):
        theory_edits.delete_topic(review, "take_up", None)
    assert theory_edits.delete_topic(review, "take_up", None, move_to="harms") == ["1", "2"]
    assert [(t.configuration.identifier, t.topic.key) for t in theories.list_theories(review)] == [
        ("1", "harms"), ("2", "harms"),
    ]  # fmt: skip
    assert [t.position for t in theories.list_topics(review)] == [0]


def test_a_configuration_is_renamed_with_its_codings_memo_and_history(review: Store) -> None:
    view = theory_edits.rename_configuration(review, "1", "C1", None)
    assert view.evidence["excerpts"] == 1
    assert view.history[-1].why == "identifier 1 renamed C1"
    assert [m.text for m in memos.memo_history(review, "C1")] == ["Heard is the key word."]
    assert memos.memo_history(review, "1") == []
    with pytest.raises(InvalidInput, match="already exists"):
        theory_edits.rename_configuration(review, "C1", "2", None)
    with pytest.raises(NotFound):
        theories.show_theory(review, "1")


def test_deleting_a_configuration_with_codings_needs_force(review: Store) -> None:
    with pytest.raises(InvalidInput, match=r"2 codings of 2 excerpts.*--force"):
        theory_edits.delete_configuration(review, "2", None)
    theories.edit_configuration(review, "1", None, "tighter", statement="If heard, then stays")
    with pytest.raises(InvalidInput, match=r"1 coding of 1 excerpt"):
        theory_edits.delete_configuration(review, "1", None)
    assert theory_edits.delete_configuration(review, "1", None, force=True) == 1
    assert [t.configuration.identifier for t in theories.list_theories(review)] == ["2"]
    assert _count(review, component) == 0 and _count(review, memo) == 0
    assert len(_excerpts(review)) == 2  # the excerpts stay, coded to what is left
    event = _events(review)[0]
    assert event.action == "configuration.deleted"
    assert event.detail["history"][0]["why"] == "tighter"
    assert event.detail["memos"][0]["text"] == "Heard is the key word."
    assert event.detail["codings"][0]["role"] == "mechanism"
    # The identifier is free again, and a new configuration does not inherit the memo.
    coding.create_configuration(review, "1", "take_up", None)
    assert memos.memo_history(review, "1") == []


# --- reviewers ------------------------------------------------------------------------------


def test_a_reviewer_with_work_is_retired_not_deleted(review: Store) -> None:
    with pytest.raises(InvalidInput, match=r"\(1 excerpt, 1 coding\): retire them instead"):
        reviewers.delete_reviewer(review, "bob", None)
    reviewers.retire_reviewer(review, "bob", None)
    with pytest.raises(InvalidInput, match="'bob' is retired"):
        coding.create_excerpt(review, "study", 0, 5, "bob")
    assert [e.reviewer_key for e in coding.list_excerpts(review)] == ["bob", "ann"]
    listed = {p.key: p for p in reviewers.list_reviewers(review)}
    assert listed["bob"].retired and listed["bob"].work == {"excerpts": 1, "codings": 1}
    reviewers.retire_reviewer(review, "bob", None, retired=False)
    coding.create_excerpt(review, "study", 0, 5, "bob")


def test_a_reviewer_without_work_is_deleted_and_cannot_sign_in(review: Store) -> None:
    accounts.add_account(review, "cat", "a long password", role=ReviewerRole.VIEWER)
    assert accounts.authenticate(review, "cat", "a long password") is not None
    reviewers.retire_reviewer(review, "cat", None)
    assert accounts.authenticate(review, "cat", "a long password") is None
    reviewers.delete_reviewer(review, "cat", None)
    assert "cat" not in [p.key for p in reviewers.list_reviewers(review)]
    assert _events(review)[0].action == "reviewer.deleted"


def test_a_reviewer_is_renamed_and_changes_role(review: Store) -> None:
    changed = reviewers.edit_reviewer(review, "bob", None, name="Robert", role=ReviewerRole.OWNER)
    assert (changed.name, changed.role) == ("Robert", ReviewerRole.OWNER)
    actions = [e.action for e in _events(review)[:2]]
    assert actions == ["reviewer.role_set", "reviewer.renamed"]


def test_the_last_active_owner_stays(review: Store) -> None:
    with pytest.raises(InvalidInput, match="cannot retire yourself"):
        reviewers.retire_reviewer(review, "ann", "ann")
    with pytest.raises(InvalidInput, match="only active owner"):
        reviewers.retire_reviewer(review, "ann", "bob")
    with pytest.raises(InvalidInput, match="at least one owner"):
        reviewers.edit_reviewer(review, "ann", None, role=ReviewerRole.VIEWER)
    reviewers.edit_reviewer(review, "bob", None, role=ReviewerRole.OWNER)
    reviewers.retire_reviewer(review, "ann", "bob")
    # A retired owner does not count: bob cannot be demoted now.
    with pytest.raises(InvalidInput, match="at least one owner"):
        reviewers.edit_reviewer(review, "bob", "bob", role=ReviewerRole.REVIEWER)
    # The owner acting by default is now bob, the one who can act.
    screening.add_highlight_terms(review, ["peer"], CriterionKind.INCLUSION, None)
    assert _events(review)[0].actor == "bob"
