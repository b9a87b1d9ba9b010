"""Records are found by title, author, journal, DOI and year, whatever the case or accents,
in SQL on both databases; and one record can be seen whole (`realist record N`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from realist.cli import cli
from realist.domain.folding import fold
from realist.domain.records import Record
from realist.domain.review import Reviewer
from realist.domain.screening import Decision, ScreeningMode, Stage
from realist.services import dedup, documents, imports, screening
from realist.services.record_view import record_view
from realist.services.records import find_records
from realist.services.reviews import init_review
from realist.store import Store, open_store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store.connect import _alembic_config
from realist.store.schema import record

RIS = """TY  - JOUR
AU  - Müller, Anna
AU  - Ødegård, Per
TI  - Mentoring new teachers in rural schools
T2  - Revista de Saúde Pública
PY  - 2019
DO  - 10.1000/xyz.123
N1  - first note
AB  - An abstract.
ER  -

TY  - JOUR
AU  - Smith, John
TI  - Coaching: a 100% success_rate?
T2  - Journal of Education
PY  - 2021
ER  -

"""


@pytest.fixture
def store(db_target: str, tmp_path: Path) -> Store:
    made = init_review(db_target, "Records", "ann")
    with made.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("bob", "Bob"))
    path = tmp_path / "eric.ris"
    path.write_text(RIS, encoding="utf-8")
    imports.import_file(made, path, source_name="ERIC", searched="2024-03-01", reviewer="ann")
    return made


def _found(store: Store, text: str) -> list[str]:
    return [r.record.title for r in find_records(store, text=text).rows]


FIRST = "Mentoring new teachers in rural schools"
SECOND = "Coaching: a 100% success_rate?"


@pytest.mark.parametrize(
    ("words", "titles"),
    [
        ("muller", [FIRST]),  # an author, without the umlaut
        ("MÜLLER", [FIRST]),
        ("odegard", [FIRST]),  # ø is no accent to Unicode, but is folded too
        ("saude publica", [FIRST]),  # the journal
        ("2021", [SECOND]),  # the year
        ("10.1000/XYZ.123", [FIRST]),  # the DOI, any case
        ("https://doi.org/10.1000/xyz.123", [FIRST]),
        ("smith coaching", [SECOND]),  # every word, anywhere in the record
        ("smith mentoring", []),
        ("100%", [SECOND]),  # % and _ are characters, not wildcards
        ("success_rate", [SECOND]),
        ("s_ccess", []),
        ("teachers", [FIRST]),
    ],
)
def test_search_is_case_and_accent_insensitive(store: Store, words: str, titles: list[str]) -> None:
    assert _found(store, words) == titles


def test_the_cli_and_the_api_search_the_same_way(store: Store) -> None:
    out = CliRunner().invoke(cli, ["--db", store.target, "records", "--search", "muller", "--json"])
    assert [r["title"] for r in json.loads(out.output)] == [FIRST]


@given(st.text(max_size=40))
def test_folding_is_idempotent_and_lower_case(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.lower() or not folded.isascii()


def test_folding_keeps_other_scripts() -> None:
    assert fold("Αθήνα") == "αθηνα"
    assert fold("北京大学") == "北京大学"
    assert fold("Straße Łódź Æsir") == "strasse lodz aesir"


def test_records_stored_before_the_search_column_are_found(db_target: str) -> None:
    """Migration 0008 fills the folded search text of records already in a review."""
    made = init_review(db_target, "Old review", "ann")
    with made.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0006")
        connection.execute(
            sa.text(
                "INSERT INTO record (title, authors, journal, volume, issue, pages, doi, pmid, "
                "issn, abstract, keywords, kind, raw) VALUES (:t, :a, 'Saúde', '', '', '', '', "
                "'', '', '', '[]', 'JOUR', '[]')"
            ),
            {"t": "An old record", "a": json.dumps(["Müller, A"])},
        )
    made.close()
    upgraded = open_store(db_target)  # an older known revision is upgraded on opening
    assert _found(upgraded, "muller saude") == ["An old record"]
    upgraded.close()


# --- one record whole ------------------------------------------------------------------------


def test_one_record_whole(store: Store, tmp_path: Path) -> None:
    view = record_view(store, 1, "ann").as_json()
    assert view["title"] == FIRST and view["authors"] == ["Müller, Anna", "Ødegård, Per"]
    assert view["raw"][:3] == [["TY", "JOUR"], ["AU", "Müller, Anna"], ["AU", "Ødegård, Per"]]
    assert ["N1", "first note"] in view["raw"] and ["AB", "An abstract."] in view["raw"]
    assert view["source"]["name"] == "ERIC" and view["source"]["searched"] == "2024-03-01"
    assert view["batch"]["file"] == "eric.ris" and view["batch"]["line"] == 1
    assert view["batch"]["imported_by"] == "ann"
    assert view["stages"] == {
        "title_abstract": {"outcome": "undecided", "blinded": False, "decisions": []},
        "full_text": {"outcome": "undecided", "blinded": False, "decisions": []},
    }
    assert view["document"] is None and view["duplicate_groups"] == []
    assert list(view) == [
        "id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
        "issn", "abstract", "keywords", "kind", "raw", "source", "batch", "duplicate_of",
        "merged", "duplicate_groups", "stages", "document", "viewer",
    ]  # fmt: skip
    out = CliRunner().invoke(cli, ["--db", store.target, "record", "1"])
    assert out.exit_code == 0, out.output
    assert "Müller, Anna; Ødegård, Per" in out.output and "N1: first note" in out.output
    assert "eric.ris line 1" in out.output


def test_dual_screening_hides_others_decisions_until_you_decide(store: Store) -> None:
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")
    screening.screen(store, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "ann")
    hidden = record_view(store, 1, "bob").as_json()["stages"]["title_abstract"]
    # Not even the fact of ann's vote shows: record 1 reads as record 2, which nobody decided.
    assert hidden == {"outcome": "undecided", "blinded": True, "decisions": []}
    assert record_view(store, 2, "bob").as_json()["stages"]["title_abstract"] == hidden
    mine = record_view(store, 1, "ann").as_json()["stages"]["title_abstract"]
    assert mine["outcome"] == "awaiting_second" and mine["decisions"][0]["reviewer"] == "ann"
    screening.screen(store, 1, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "bob")
    seen = record_view(store, 1, "bob").as_json()["stages"]["title_abstract"]
    assert seen["outcome"] == "conflict" and len(seen["decisions"]) == 2
    out = CliRunner().invoke(cli, ["--db", store.target, "--reviewer", "bob", "record", "1"])
    assert "conflict" in out.output and "ann include" in out.output  # both in: both shown


def test_a_record_shows_its_duplicates_and_its_document(store: Store, tmp_path: Path) -> None:
    with store.transaction() as connection:
        twin = records_repo.insert_record(
            connection,
            Record(title=FIRST, authors=["Müller, Anna"], year=2019, doi="10.1000/xyz.123"),
        )
    dedup.deduplicate(store, "ann")
    kept = record_view(store, 1, "ann")
    merged = record_view(store, twin, "ann")
    keeper_id = merged.keeper.id if merged.keeper else twin
    shown = record_view(store, keeper_id, "ann").as_json()
    assert shown["merged"] and shown["duplicate_groups"][0]["status"] == "merged"
    assert {m["id"] for m in shown["duplicate_groups"][0]["members"]} == {1, twin}
    assert kept.groups and merged.groups
    text = tmp_path / "muller-2019.txt"
    text.write_text("Mentoring new teachers. A study.", encoding="utf-8")
    screening.screen(store, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "ann")
    documents.attach_document(store, text, key="muller-2019", record_id=1, reviewer="ann")
    doc = record_view(store, 1, "ann").as_json()["document"]
    assert doc is not None
    assert (doc["key"], doc["citation"], doc["reference"], doc["included"]) == (
        "muller-2019",
        "Müller and Ødegård 2019",
        None,
        True,
    )


def test_an_unknown_record_is_not_found(store: Store) -> None:
    from realist.errors import NotFound

    with pytest.raises(NotFound, match="no record 99"):
        record_view(store, 99, "ann")


def test_search_column_is_filled_by_every_writer(store: Store) -> None:
    with store.transaction() as connection:
        rid = records_repo.insert_record(connection, Record(title="Éducation", authors=["Ñandú"]))
        stored = connection.execute(
            sa.select(record.c.search_text).where(record.c.id == rid)
        ).scalar_one()
    assert stored == "education\nnandu\n\n\n\n"
