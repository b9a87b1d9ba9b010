"""One record whole (/records/{id}) and the search strategy (/records/strategy)."""

from __future__ import annotations

from realist.domain.screening import Decision, ScreeningMode, Stage
from realist.services import screening
from realist.services import search_strategy as strategy
from realist.store import Store
from web.conftest import Client
from web.kit import ESCAPED, SCRIPT, csrf_of, token


def test_a_record_page_and_its_json_twin(client_for: Client, web_review: Store) -> None:
    client = client_for()
    data = client.get("/api/records/2").json()
    assert data["title"] == "Second study" and data["source"]["name"] == "Scopus"
    assert data["raw"][0] == ["TY", "JOUR"] and data["batch"]["line"] == data["batch"]["line"]
    page = client.get("/records/2").text
    assert "Second study" in page and "As imported" in page and "Scopus" in page
    assert '<a href="/api/records/2">' in page
    assert client.get("/records/999").status_code == 404
    assert client.get("/api/records/999").json() == {"error": "no record 999 in this review"}


def test_the_list_and_the_screening_card_link_to_the_record(client_for: Client) -> None:
    client = client_for()
    assert 'href="/records/2"' in client.get("/records").text
    card = client.get("/screening/card").text
    assert 'href="/records/1">Record 1</a>' in card


def test_the_record_page_keeps_dual_screening_blind(client_for: Client, web_review: Store) -> None:
    screening.set_screening_mode(web_review, ScreeningMode.DUAL, "owner")
    screening.screen(web_review, 2, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "owner")
    bob = client_for("bob")
    stage = bob.get("/api/records/2").json()["stages"]["title_abstract"]
    assert stage == {"outcome": "undecided", "blinded": True, "decisions": []}
    page = bob.get("/records/2").text
    assert "not shown until you decide it" in page and "Excluded" not in page
    owner = client_for().get("/api/records/2").json()["stages"]["title_abstract"]
    assert owner["decisions"][0]["decision"] == "exclude"


def test_imported_text_on_the_record_page_is_text(client_for: Client) -> None:
    html = client_for().get("/records/1").text
    assert SCRIPT not in html and ESCAPED in html


def test_the_search_box_finds_by_author_and_year(client_for: Client) -> None:
    client = client_for()
    found = client.get("/api/records", params={"q": "author 2001"}).json()["records"]
    assert [r["title"] for r in found] == ["Second study"]


def test_the_search_strategy_page(client_for: Client, web_review: Store) -> None:
    client = client_for()
    csrf = token(client)
    form = {"csrf_token": csrf, "name": "Scopus", "kind": "database", "limits": "English",
            "search_string": f"TITLE-ABS({SCRIPT})", "searched": "2024-03"}  # fmt: skip
    done = client.post("/records/strategy/sources", follow_redirects=False, data=form)
    assert done.status_code == 303
    refused = client.post("/records/strategy/sources", data={
        "csrf_token": csrf, "name": "Scopus", "searched": "31/12/2024"})  # fmt: skip
    assert refused.status_code == 400 and "&#39;31/12/2024&#39; is not accepted" in refused.text
    client.post("/api/strategy/blocks", json={"name": "Mentoring", "terms": ["mentor*", "coach*"]},
                headers={"X-CSRF-Token": csrf})  # fmt: skip
    client.post("/records/strategy/question", data={"csrf_token": csrf, "question": "Why?"})
    data = client.get("/api/strategy").json()
    assert data["question"] == "Why?" and data["query"] == "(mentor* OR coach*)"
    assert data["sources"][0] | {"search_string": ""} == {
        "name": "Scopus", "kind": "database", "searched": "2024-03", "search_string": "",
        "limits": "English", "note": "", "batches": 1, "records": 3,
    }  # fmt: skip
    page = client.get("/records/strategy").text
    assert SCRIPT not in page and ESCAPED in page
    assert "mentor* OR coach*" in page and "Searched 2024-03" in page
    assert "Change Scopus" in page  # an editor's form
    assert "Change Scopus" not in client_for("vic").get("/records/strategy").text
    assert strategy.source_summaries(web_review)[0].source.limits == "English"


def test_the_import_form_refuses_a_bad_date_before_uploading(client_for: Client) -> None:
    client = client_for()
    answer = client.post(
        "/api/records/import",
        files={"file": ("x.ris", b"TY  - JOUR\nTI  - T\nER  - \n", "text/plain")},
        data={"searched": "yesterday"},
        headers={"X-CSRF-Token": token(client)},
    )
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("searched 'yesterday' is not accepted")


def test_adding_never_replaces_what_exists(client_for: Client, web_review: Store) -> None:
    strategy.set_source(web_review, "Scopus", "owner", search_string="TITLE(mentor*)")
    strategy.set_concept_block(web_review, "Mentoring", "owner", terms=["mentor*"])
    client = client_for()
    csrf = token(client)
    again = client.post("/records/strategy/sources",
                        data={"csrf_token": csrf, "name": "Scopus", "new": "true"})  # fmt: skip
    assert again.status_code == 400 and "already a source" in again.text
    block = client.post("/records/strategy/blocks",
                        data={"csrf_token": csrf, "name": "Mentoring", "new": "true"})  # fmt: skip
    assert block.status_code == 400 and "already a concept block" in block.text
    data = client.get("/api/strategy").json()
    assert data["sources"][0]["search_string"] == "TITLE(mentor*)"
    assert data["concept_blocks"] == [{"name": "Mentoring", "terms": ["mentor*"]}]


def test_a_decision_is_made_or_changed_from_the_record_page(client_for: Client) -> None:
    client = client_for()
    page = client.get("/records/1").text
    assert "Decide this record, or change your decision" in page
    token_ = csrf_of(page)
    for decision in ("include", "exclude"):
        done = client.post(
            "/records/1/decide",
            data={"stage": "title_abstract", "decision": decision, "csrf_token": token_},
            follow_redirects=True,
        )
        assert done.status_code == 200
    assert "Saved: Title and abstract: excluded (changed from included)." in done.text
    assert client.get("/api/records/1").json()["stages"]["title_abstract"]["outcome"] == "exclude"
