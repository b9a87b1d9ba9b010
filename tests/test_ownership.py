"""Whose work may be changed: a reviewer changes and deletes only their own codings,
excerpts and appraisals; an owner may change anyone's, and the event says whose it was.
Enforced in the services, so the CLI, the web pages and the API all keep it. Runs on
SQLite and (with REALIST_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from realist.domain.appraisal import MMATAnswer
from realist.domain.coding import Grade, Stance
from realist.domain.documents import StudyDesign
from realist.domain.review import ReviewerRole
from realist.domain.theory import MechanismKind, Role
from realist.errors import InvalidInput, NotPermitted
from realist.services import (
    coding,
    document_edits,
    documents,
    excerpt_edits,
    memos,
    reviewers,
    theories,
    theory_edits,
)
from realist.services.reviews import init_review
from realist.store import Store
from realist.store.events import list_events

TEXT = "Mothers said peer support helped them feel heard. Some felt judged.\n"


@pytest.fixture
def review(db_target: str, tmp_path: Path) -> Iterator[Store]:
    """A review owned by ``own`` with two reviewers, ``ann`` and ``bob``, a configuration
    of three parts and a document; ``ann`` has made an excerpt, coded and appraised it."""
    store = init_review(db_target, "Ownership", "own")
    reviewers.add_reviewer(store, "ann", "own")
    reviewers.add_reviewer(store, "bob", "own")
    theories.add_topic(store, "take_up", "Take-up", "own")
    coding.create_configuration(
        store,
        "1",
        "take_up",
        "own",
        contexts=["a mother who wants to talk"],
        mechanisms=[("she feels heard", MechanismKind.REASONING)],
        outcomes=["she stays"],
    )
    path = tmp_path / "study.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(store, path, key="study")
    excerpt = coding.create_excerpt(store, "study", 14, 38, "ann")
    coding.code_excerpt(store, excerpt.id or 0, "1", "ann")
    coding.appraise_excerpt(store, excerpt.id or 0, "ann", Grade.HIGH, Grade.MODERATE, "ann's")
    yield store
    store.close()


def _excerpt(store: Store) -> int:
    [item] = coding.list_excerpts(store)
    assert item.id is not None
    return item.id


def _coding(store: Store, reviewer: str) -> int:
    [found] = [c.id for c in coding.get_excerpt(store, _excerpt(store)).codings if
               c.reviewer_key == reviewer]  # fmt: skip
    assert found is not None
    return found


def _events(store: Store) -> list[tuple[str, str, dict[str, object]]]:
    """Every event, oldest first."""
    with store.reading() as connection:
        return [(e.action, e.actor, dict(e.detail)) for e in reversed(list_events(connection))]


def test_a_reviewer_cannot_delete_anothers_coding_and_nothing_is_written(review: Store) -> None:
    ann = _coding(review, "ann")
    before = _events(review)
    with pytest.raises(NotPermitted, match=r"coding \d+ is ann's work: only ann or an owner"):
        coding.uncode(review, ann, "bob")
    assert _coding(review, "ann") == ann
    assert _events(review) == before


def test_a_reviewer_cannot_overwrite_anothers_appraisal_note(review: Store) -> None:
    excerpt = _excerpt(review)
    with pytest.raises(NotPermitted, match=r"the appraisal of excerpt \d+ is ann's work"):
        coding.appraise_excerpt(review, excerpt, "bob", Grade.LOW, Grade.LOW, "bob's")
    kept = coding.get_excerpt(review, excerpt)
    assert (kept.relevance, kept.rigour, kept.note) == (Grade.HIGH, Grade.MODERATE, "ann's")


def test_an_owner_may_and_the_event_says_whose_work_it_was(review: Store) -> None:
    excerpt = _excerpt(review)
    ann = _coding(review, "ann")
    coding.appraise_excerpt(review, excerpt, "own", Grade.LOW, None, "owner's reading")
    coding.uncode(review, ann, "own")
    assert coding.get_excerpt(review, excerpt).note == "owner's reading"
    assert coding.get_excerpt(review, excerpt).codings == []
    appraised, uncoded = _events(review)[-2:]
    assert appraised[:2] == ("excerpt.appraised", "own")
    assert appraised[2]["of"] == "ann" and appraised[2]["note"] == "owner's reading"
    assert uncoded[:2] == ("excerpt.uncoded", "own")
    assert uncoded[2]["of"] == "ann" and uncoded[2]["stance"] == "supports"


def test_a_reviewer_changes_their_own_work_and_the_event_names_nobody_else(review: Store) -> None:
    excerpt = _excerpt(review)
    coding.appraise_excerpt(review, excerpt, "ann", None, Grade.HIGH, "ann again")
    coding.code_excerpt(review, excerpt, "1", "bob")  # coding ann's excerpt: bob's own work
    excerpt_edits.recode(review, _coding(review, "bob"), "bob", stance=Stance.REFINES)
    coding.uncode(review, _coding(review, "bob"), "bob")
    coding.uncode(review, _coding(review, "ann"), "ann")
    for action, _, detail in _events(review)[-5:]:
        assert "of" not in detail and "others" not in detail, action


def test_every_other_way_to_change_anothers_coding_or_excerpt_is_refused(review: Store) -> None:
    excerpt = _excerpt(review)
    ann = _coding(review, "ann")
    before = (coding.list_excerpts(review), _events(review))
    refused = [
        lambda: excerpt_edits.recode(review, ann, "bob", stance=Stance.REFUTES),
        lambda: excerpt_edits.label_excerpt(review, excerpt, "E9", "bob"),
        lambda: excerpt_edits.delete_excerpt(review, excerpt, "bob"),
        lambda: document_edits.delete_document(review, "study", "bob", force=True),
        lambda: theory_edits.delete_configuration(review, "1", "bob", force=True),
    ]
    for attempt in refused:
        with pytest.raises(NotPermitted, match="ann"):
            attempt()
    assert (coding.list_excerpts(review), _events(review)) == before


def test_deleting_ones_own_excerpt_that_holds_anothers_coding_is_refused(
    review: Store,
) -> None:
    mine = coding.create_excerpt(review, "study", 50, 66, "bob")
    assert mine.id is not None
    coding.code_excerpt(review, mine.id, "1", "ann", role=Role.OUTCOME)
    with pytest.raises(NotPermitted, match=r"excerpt \d+ \(with its codings\) is ann's work"):
        excerpt_edits.delete_excerpt(review, mine.id, "bob")
    assert excerpt_edits.delete_excerpt(review, mine.id, "own") == 1
    action, actor, detail = _events(review)[-1]
    assert (action, actor, detail["others"]) == ("excerpt.deleted", "own", ["ann", "bob"])


def test_an_owner_deleting_a_document_or_configuration_names_whose_work_went(
    review: Store,
) -> None:
    theory_edits.delete_configuration(review, "1", "own", force=True)
    assert _events(review)[-1][2]["of"] == "ann"
    document_edits.delete_document(review, "study", "own", force=True)
    assert _events(review)[-1][2]["of"] == "ann"


def test_a_demoted_owner_loses_the_right_at_once(review: Store) -> None:
    reviewers.edit_reviewer(review, "bob", "own", role=ReviewerRole.OWNER)
    coding.appraise_excerpt(review, _excerpt(review), "bob", None, None, "bob as owner")
    reviewers.edit_reviewer(review, "bob", "own", role=ReviewerRole.REVIEWER)
    with pytest.raises(NotPermitted):
        coding.uncode(review, _coding(review, "ann"), "bob")


def test_an_mmat_appraisal_by_another_reviewer_replaces_nothing_of_anns(review: Store) -> None:
    yes = [MMATAnswer.YES, MMATAnswer.YES]
    five = [MMATAnswer.YES] * 5
    documents.appraise_mmat(review, "study", StudyDesign.QUALITATIVE, yes, five, "ann", "a")
    documents.appraise_mmat(review, "study", StudyDesign.QUALITATIVE, yes, five, "bob", "b")
    kept = {(m.reviewer_key, m.note) for m in documents.mmat_table(review)}
    assert kept == {("ann", "a"), ("bob", "b")}


def test_a_memo_version_by_another_reviewer_keeps_the_first_and_says_whose_it_follows(
    review: Store,
) -> None:
    memos.write_memo(review, "1", "ann's memo", "ann")
    memos.write_memo(review, "1", "bob's memo", "bob")
    history = memos.memo_history(review, "1")
    assert [(m.reviewer_key, m.text) for m in history] == [
        ("ann", "ann's memo"),
        ("bob", "bob's memo"),
    ]
    assert _events(review)[-1][2]["follows"] == {"version": history[0].version, "of": "ann"}


def test_a_refused_change_is_not_mistaken_for_bad_input(review: Store) -> None:
    """The web answers NotPermitted with 403, bad input with 400: they stay apart."""
    assert not issubclass(NotPermitted, InvalidInput)


def test_editing_away_a_part_takes_its_codings_only_with_a_word_and_the_right(
    review: Store,
) -> None:
    """An edit that leaves a role fewer parts removes the last ones, with their codings
    (by cascade): bob may not remove ann's that way, and when the owner does, the event
    keeps each coding and names whose it was."""
    excerpt = _excerpt(review)
    made = coding.code_excerpt(review, excerpt, "1", "ann", role=Role.OUTCOME)
    before = (coding.list_excerpts(review), _events(review))
    with pytest.raises(NotPermitted, match="ann's work"):
        theories.edit_configuration(review, "1", "bob", "fewer outcomes", set_parts={
            Role.OUTCOME: []})  # fmt: skip
    assert (coding.list_excerpts(review), _events(review)) == before
    theories.edit_configuration(review, "1", "own", "no outcome", set_parts={Role.OUTCOME: []})
    assert made.id not in {c.id for c in coding.get_excerpt(review, excerpt).codings}
    action, actor, detail = _events(review)[-1]
    assert (action, actor, detail["of"]) == ("configuration.edited", "own", "ann")
    assert detail["codings_removed"] == [
        {"coding": made.id, "excerpt": excerpt, "role": "outcome", "position": 0,
         "stance": "supports", "reviewer": "ann"}
    ]  # fmt: skip


def test_editing_the_wording_of_a_part_keeps_everyones_codings(review: Store) -> None:
    excerpt = _excerpt(review)
    coding.code_excerpt(review, excerpt, "1", "ann", role=Role.OUTCOME)
    theories.edit_configuration(review, "1", "bob", "clearer", set_parts={
        Role.OUTCOME: ["she keeps coming"]})  # fmt: skip
    assert len(coding.get_excerpt(review, excerpt).codings) == 2
    assert "codings_removed" not in _events(review)[-1][2]


def test_deleting_a_configuration_with_anothers_memo_needs_an_owner(review: Store) -> None:
    coding.uncode(review, _coding(review, "ann"), "ann")  # no codings left: only the memo
    memos.write_memo(review, "1", "ann's thinking", "ann")
    with pytest.raises(NotPermitted, match="memo of configuration 1 is ann's work"):
        theory_edits.delete_configuration(review, "1", "bob")
    theory_edits.delete_configuration(review, "1", "own")
    action, _, detail = _events(review)[-1]
    assert (action, detail["of"]) == ("configuration.deleted", "ann")
