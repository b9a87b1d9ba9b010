"""Coding excerpts to configurations and their parts: the rules the coding service keeps.
Runs on SQLite and (with REALIST_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from realist.domain.coding import Stance
from realist.domain.review import Reviewer
from realist.domain.theory import MechanismKind, Role
from realist.errors import InvalidInput
from realist.services import coding, documents, theories
from realist.services.reviews import init_review
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store.events import list_events

TEXT = "Mothers said peer support helped them feel heard. Some felt judged.\n"
QUOTE = "peer support helped them"


@pytest.fixture
def review(db_target: str, tmp_path: Path) -> Iterator[Store]:
    """A review with a configuration of three parts, a second coder and a coded excerpt."""
    store = init_review(db_target, "Coding", "ann")
    with store.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("bob", "Second coder"))
    theories.add_topic(store, "take_up", "Take-up", "ann")
    coding.create_configuration(
        store,
        "1",
        "take_up",
        "ann",
        contexts=["a mother who wants to talk"],
        mechanisms=[("she feels heard", MechanismKind.REASONING)],
        outcomes=["she stays"],
    )
    path = tmp_path / "study.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(store, path, key="study")
    yield store
    store.close()


def _span() -> tuple[int, int]:
    start = TEXT.index(QUOTE)
    return start, start + len(QUOTE)


def _codings(store: Store) -> list[tuple[str, Role, int | None, Stance, str]]:
    return [
        (c.configuration_identifier, c.role, c.component_position, c.stance, c.reviewer_key)
        for e in coding.list_excerpts(store)
        for c in e.codings
    ]


def _coded_events(store: Store) -> int:
    with store.reading() as connection:
        return sum(e.action == "excerpt.coded" for e in list_events(connection))


def test_the_same_coding_twice_is_refused_and_nothing_is_written(review: Store) -> None:
    excerpt = coding.create_excerpt(review, "study", *_span(), "ann")
    assert excerpt.id is not None
    first = coding.code_excerpt(review, excerpt.id, "1", "ann")
    before = (_codings(review), _coded_events(review))
    with pytest.raises(InvalidInput) as refused:
        coding.code_excerpt(review, excerpt.id, "1", "ann")
    assert str(refused.value) == (
        f"excerpt {excerpt.id} already supports configuration 1 (coding {first.id}, by ann)"
    )
    assert (_codings(review), _coded_events(review)) == before


def test_the_same_part_twice_is_refused_however_the_part_is_named(review: Store) -> None:
    excerpt = coding.create_excerpt(review, "study", *_span(), "ann")
    assert excerpt.id is not None
    made = coding.code_excerpt(
        review, excerpt.id, "1", "ann", role=Role.MECHANISM, stance=Stance.REFINES
    )
    with pytest.raises(InvalidInput, match=r"already refines mechanism 1 of configuration 1"):
        # Position 0 is the part a missing position means: the same target.
        coding.code_excerpt(
            review, excerpt.id, "1", "ann", role=Role.MECHANISM, position=0,
            stance=Stance.REFINES,
        )  # fmt: skip
    assert _codings(review) == [("1", Role.MECHANISM, 0, Stance.REFINES, "ann")]
    assert made.id is not None


def test_a_different_stance_part_or_reviewer_is_a_new_coding(review: Store) -> None:
    excerpt = coding.create_excerpt(review, "study", *_span(), "ann")
    assert excerpt.id is not None
    coding.code_excerpt(review, excerpt.id, "1", "ann")
    coding.code_excerpt(review, excerpt.id, "1", "ann", stance=Stance.REFINES)
    coding.code_excerpt(review, excerpt.id, "1", "ann", role=Role.CONTEXT)
    coding.code_excerpt(review, excerpt.id, "1", "ann", role=Role.OUTCOME)
    coding.code_excerpt(review, excerpt.id, "1", "bob")  # a second coder agrees
    assert sorted(_codings(review)) == sorted(
        [
            ("1", Role.CONFIGURATION, None, Stance.SUPPORTS, "ann"),
            ("1", Role.CONFIGURATION, None, Stance.REFINES, "ann"),
            ("1", Role.CONTEXT, 0, Stance.SUPPORTS, "ann"),
            ("1", Role.OUTCOME, 0, Stance.SUPPORTS, "ann"),
            ("1", Role.CONFIGURATION, None, Stance.SUPPORTS, "bob"),
        ]
    )


def test_a_selection_coded_twice_is_refused_and_its_excerpt_kept_once(review: Store) -> None:
    start, end = _span()
    excerpt, made, new = coding.code_selection(
        review, "study", start, end, QUOTE, "1", "ann", role=Role.OUTCOME
    )
    assert new and made.id is not None
    before = (coding.list_excerpts(review), _coded_events(review))
    with pytest.raises(InvalidInput) as refused:
        coding.code_selection(review, "study", start, end, QUOTE, "1", "ann", role=Role.OUTCOME)
    assert str(refused.value) == (
        f"excerpt {excerpt.id} already supports outcome 1 of configuration 1 "
        f"(coding {made.id}, by ann)"
    )
    assert (coding.list_excerpts(review), _coded_events(review)) == before


def test_merging_keeps_one_of_two_identical_codings(review: Store) -> None:
    """An excerpt coded the same way to two configurations that are merged counts once."""
    coding.create_configuration(
        review, "2", "take_up", "ann", contexts=["a mother who wants to talk"]
    )
    excerpt = coding.create_excerpt(review, "study", *_span(), "ann")
    assert excerpt.id is not None
    coding.code_excerpt(review, excerpt.id, "1", "ann")
    coding.code_excerpt(review, excerpt.id, "2", "ann")
    coding.code_excerpt(review, excerpt.id, "2", "ann", role=Role.CONTEXT)
    coding.code_excerpt(review, excerpt.id, "1", "ann", role=Role.CONTEXT)
    coding.code_excerpt(review, excerpt.id, "2", "bob")
    theories.merge_configurations(review, "2", "1", "ann", "the same idea")
    assert sorted(_codings(review)) == sorted(
        [
            ("1", Role.CONFIGURATION, None, Stance.SUPPORTS, "ann"),
            ("1", Role.CONTEXT, 0, Stance.SUPPORTS, "ann"),
            ("1", Role.CONFIGURATION, None, Stance.SUPPORTS, "bob"),
        ]
    )
    with review.reading() as connection:
        merged = next(e for e in list_events(connection) if e.action == "configuration.merged")
    assert merged.detail["same_as_existing"] == 2
