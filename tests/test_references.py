"""One way to cite where a work was published, wherever a record's source is printed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from realist.cli import cli
from realist.domain.bibliography import source_reference
from realist.services import dedup, imports
from realist.services.reviews import init_review
from realist.web import WebConfig, create_app


def test_missing_parts_leave_no_empty_punctuation() -> None:
    assert source_reference("Confl Health", 2020, "", "", "") == "Confl Health 2020"
    assert source_reference("Confl Health", 2020, "14", "2", "45-52") == (
        "Confl Health 2020;14(2):45-52"
    )
    assert source_reference("Confl Health", 2020, "14", "", "") == "Confl Health 2020;14"
    assert source_reference("Confl Health", None, "", "3", "1-9") == "Confl Health;(3):1-9"
    assert source_reference("Confl Health", 2020, "", "", "45-52") == "Confl Health 2020:45-52"
    assert source_reference("", None, "", "", "7") == "p. 7"
    assert source_reference(" ", None, " ", " ", " ") == ""


RIS = "".join(  # the same title by different authors: a pair for a person to judge
    f"TY  - JOUR\nAU  - {author}\nTI  - Peer support for refugee mothers in camps\n"
    "JO  - Confl Health\nPY  - 2020\nER  - \n\n"
    for author in ("Okafor, N", "Smith, J")
)


def test_the_duplicate_card_and_page_cite_the_source_cleanly(
    db_target: str, tmp_path: Path
) -> None:
    store = init_review(db_target, "t", "ann")
    path = tmp_path / "search.ris"
    path.write_text(RIS)
    imports.import_file(store, path, source_name="Scopus")
    dedup.deduplicate(store, None)
    assert len(dedup.review_queue(store)) == 1
    result = CliRunner().invoke(
        cli, ["--db", db_target, "dedup", "--review"], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert "Confl Health 2020" in result.output
    assert "():" not in result.output and "Confl Health 2020 (" not in result.output
    app = create_app(WebConfig(target=db_target), store=store)
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    page = client.get("/records/duplicates").text
    assert "Confl Health 2020</dd>" in page and "():" not in page
    assert client.get("/api/duplicates").json()["queue"][0]["first"]["source"] == (
        "Confl Health 2020"
    )
    store.close()
