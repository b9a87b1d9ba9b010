"""One coding per excerpt, target, stance and coder, held by the database: two server
processes that both pass the service's check cannot both insert the same coding, and the
second is told so (InvalidInput) rather than failing. Runs on SQLite and (with
REALIST_TEST_DATABASE_URL) on PostgreSQL, where the race is a real one."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from realist.domain.coding import Coding, Stance
from realist.domain.theory import MechanismKind, Role
from realist.errors import InvalidInput
from realist.services import coding, documents, theories
from realist.services.reviews import init_review
from realist.store import Store, open_store
from realist.store import coding as coding_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import list_events

TEXT = "Mothers said peer support helped them feel heard. Some felt judged.\n"


@pytest.fixture
def review(db_target: str, tmp_path: Path) -> Iterator[Store]:
    store = init_review(db_target, "Races", "ann")
    theories.add_topic(store, "take_up", "Take-up", "ann")
    coding.create_configuration(
        store, "1", "take_up", "ann", contexts=["a mother"],
        mechanisms=[("she feels heard", MechanismKind.REASONING)],
    )  # fmt: skip
    path = tmp_path / "study.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(store, path, key="study")
    coding.create_excerpt(store, "study", 14, 38, "ann")
    yield store
    store.close()


def _ids(store: Store) -> tuple[int, int, int]:
    """(excerpt, configuration, ann) ids."""
    [item] = coding.list_excerpts(store)
    with store.reading() as connection:
        config_id = theory_repo.configuration_id(connection, "1")
    with store.transaction() as connection:
        _, ann = reviews_repo.resolve_reviewer(connection, "ann")
    assert item.id is not None
    return item.id, config_id, ann


@pytest.mark.parametrize("role", [Role.CONFIGURATION, Role.MECHANISM])
def test_the_database_refuses_a_second_copy_of_a_coding(review: Store, role: Role) -> None:
    """The whole configuration (no component) has its own unique index, since NULLs never
    conflict in a unique constraint."""
    excerpt, config_id, ann = _ids(review)
    position = None if role is Role.CONFIGURATION else 0
    item = Coding("1", role, position, Stance.SUPPORTS, "ann")
    with review.transaction() as connection:
        coding_repo.insert_coding(connection, excerpt, config_id, item, ann)
    with pytest.raises(sa.exc.IntegrityError), review.transaction() as connection:
        coding_repo.insert_coding(connection, excerpt, config_id, item, ann)
    assert len(coding.get_excerpt(review, excerpt).codings) == 1


def test_two_processes_coding_the_same_at_once_make_one_coding(review: Store) -> None:
    """Another process (its own store) inserts the coding and holds its transaction open
    while this one codes the same: this one waits, is refused as a repeat, and leaves
    nothing behind (one coding, one event)."""
    excerpt, config_id, ann = _ids(review)
    other = open_store(review.target)
    outcome: list[BaseException | None] = []

    def code_here() -> None:
        try:
            coding.code_excerpt(review, excerpt, "1", "ann")
            outcome.append(None)
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    try:
        with other.transaction() as connection:
            item = Coding("1", Role.CONFIGURATION, None, Stance.SUPPORTS, "ann")
            coding_repo.insert_coding(connection, excerpt, config_id, item, ann)
            worker = threading.Thread(target=code_here)
            worker.start()
            time.sleep(1.0)  # let it pass its check and reach its insert (it waits there)
        worker.join(timeout=60)
    finally:
        other.close()
    assert not worker.is_alive()
    [error] = outcome
    assert isinstance(error, InvalidInput), repr(error)
    assert "already supports configuration 1" in str(error)
    assert len(coding.get_excerpt(review, excerpt).codings) == 1
    with review.reading() as connection:
        assert not any(e.action == "excerpt.coded" for e in list_events(connection))
