"""Keys that appear in web addresses: a '/' or a '..' is refused where a name is made
(issue 11). Such names used to be accepted and then unreachable, and a configuration named
``..`` linked to the dashboard (the browser removes ``..`` from ``/theories/..``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from realist.domain.identifiers import segment_problem, usable_segment
from realist.domain.screening import CriterionKind
from realist.errors import InvalidInput
from realist.interchange.zips import deterministic_zip
from realist.services import accounts, coding, reviewers, screening, theories, theory_edits
from realist.services.check import check_review
from realist.services.criteria import edit_criterion
from realist.services.interchange import import_qdpx
from realist.services.reviews import init_review
from realist.store import Store
from realist.store.schema import criterion, reviewer
from realist.store.schema_analysis import configuration
from realist.web import WebConfig, create_app
from web.kit import LOCAL

UNREACHABLE = ["a/b", "..", ".", "a\\b", "/", "x\ny"]
FIXTURE = Path(__file__).parent / "fixtures" / "refi" / "nvivo_like"


@pytest.fixture
def store(db_target: str) -> Store:
    made = init_review(db_target, "Names", "owner")
    theories.add_topic(made, "uptake", "Uptake", None)
    screening.add_criterion(made, "E-POP", "population", CriterionKind.EXCLUSION, "Not", None)
    coding.create_configuration(made, "C1", "uptake", None, title="First")
    return made


@pytest.mark.parametrize("name", UNREACHABLE)
def test_names_that_no_address_reaches_are_refused_where_they_are_made(
    store: Store, name: str
) -> None:
    attempts = [
        lambda: coding.create_configuration(store, name, "uptake", None),
        lambda: theories.split_configuration(
            store, "C1", name, [], None, "why"
        ),  # refused before the parts are looked at
        lambda: theory_edits.rename_configuration(store, "C1", name, None),
        lambda: theories.add_topic(store, name, "A topic", None),
        lambda: theory_edits.edit_topic(store, "uptake", None, new_key=name),
        lambda: screening.add_criterion(
            store, name, "population", CriterionKind.EXCLUSION, "Text", None
        ),
        lambda: edit_criterion(store, "E-POP", None, new_code=name),
        lambda: accounts.add_account(store, name, "a long enough password"),
        lambda: reviewers.add_reviewer(store, name, None),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput):
            attempt()
    assert [c.configuration.identifier for c in theories.list_theories(store)] == ["C1"]
    store.close()


def test_a_new_review_refuses_an_owner_key_with_a_slash(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="reviewer key"):
        init_review(str(tmp_path / "r.realist"), "Names", "ann/smith")


def test_the_rule_names_the_problem() -> None:
    assert segment_problem("N9", "x") is None
    assert segment_problem("a?b #1 %", "x") is None  # quoted in every link
    assert "'/'" in (segment_problem("a/b", "configuration identifier") or "")
    assert "folder" in (segment_problem("..", "topic key") or "")
    assert usable_segment("Context/Mechanism", "code") == "Context-Mechanism"
    assert usable_segment("..", "code") == "code"


def test_check_lists_names_stored_before_the_rule(store: Store) -> None:
    with store.transaction() as connection:
        connection.execute(configuration.update().values(identifier=".."))
        connection.execute(criterion.update().values(code="E/POP"))
        connection.execute(reviewer.update().where(reviewer.c.key == "owner").values(key="o/w"))
    found = {f.subject: f.message for f in check_review(store) if f.kind == "name"}
    assert set(found) == {"configuration:..", "criterion:E/POP", "reviewer:o/w"}
    assert "realist rename configuration '..' NEW" in found["configuration:.."]
    store.close()


def test_an_identifier_with_odd_characters_is_linked_quoted_and_reachable(store: Store) -> None:
    coding.create_configuration(store, "a?b#c%", "uptake", None, title="Odd")
    client = TestClient(create_app(WebConfig(target=store.target), store=store), LOCAL)
    board = client.get("/theories").text
    assert f'href="/theories/{quote("a?b#c%", safe="")}"' in board
    page = client.get(f"/theories/{quote('a?b#c%', safe='')}")
    assert page.status_code == 200 and "Odd" in page.text
    store.close()


def test_qdpx_codes_with_a_slash_become_reachable_configurations(
    store: Store, tmp_path: Path
) -> None:
    project = (FIXTURE / "project.qde").read_text(encoding="utf-8")
    project = project.replace('name="Peer credibility"', 'name="Peer/credibility"')
    assert "Peer/credibility" in project
    members = [("project.qde", project.encode())]
    members += [(f"sources/{p.name}", p.read_bytes()) for p in (FIXTURE / "sources").iterdir()]
    path = tmp_path / "slash.qdpx"
    path.write_bytes(deterministic_zip(members))
    import_qdpx(store, path, None)
    identifiers = [c.configuration.identifier for c in theories.list_theories(store)]
    assert "Peer-credibility" in identifiers
    assert not any(segment_problem(i, "x") for i in identifiers)
    with store.reading() as connection:
        keys = connection.execute(sa.select(reviewer.c.key)).scalars().all()
    assert not any(segment_problem(k, "x") for k in keys)
    store.close()
