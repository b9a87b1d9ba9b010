"""Correcting a review in the browser's pages and through the JSON API: every object's
page has its edit and delete controls, each form post and API call reaches the service,
and a refusal comes back as a message that says why (400)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from realist.domain.screening import Decision, Stage
from realist.services import coding, dedup, documents, imports, reviewers, screening, theories
from realist.store import Store
from web.conftest import Client
from web.kit import PASSWORD, csrf_of, ris, sign_in, token

TEXT = "Mothers said peer support helped them feel heard. Some felt judged.\n"


def _form(client: TestClient, path: str, **fields: str) -> Response:
    data = {**fields, "csrf_token": token(client)}
    return client.post(path, data=data, follow_redirects=True)


def _api(client: TestClient, method: str, path: str, **kw: Any) -> Response:
    return client.request(method, path, headers={"X-CSRF-Token": token(client)}, **kw)


def _coded(store: Store, tmp_path: Path) -> int:
    """A document 'study' with one excerpt coded to configuration 1 of topic take_up."""
    theories.add_topic(store, "take_up", "Take-up", "owner")
    coding.create_configuration(store, "1", "take_up", "owner", contexts=["a mother"])
    path = tmp_path / "study.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(store, path, key="study", title="A study", record_id=1)
    item = coding.create_excerpt(store, "study", 13, 25, "owner", quote="peer support")
    assert item.id is not None
    coding.code_excerpt(store, item.id, "1", "bob")
    return item.id


def test_criteria_are_edited_retired_replaced_and_deleted(
    client_for: Client, web_review: Store
) -> None:
    client = client_for()
    page = client.get("/screening/criteria").text
    assert "E-POP" in page and "Not perinatal" in page and "Delete" in page
    assert "/screening/criteria" in client.get("/screening").text  # linked from screening
    _form(client, "/screening/criteria", code="E-PPO", dimension="population", text="Not perinatl")
    screening.screen(web_review, 1, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "owner", "E-PPO")
    refused = _form(client, "/screening/criteria/E-PPO/delete")
    assert refused.status_code == 400
    assert "reason of 1 decision (records 1)" in refused.text
    done = _form(client, "/screening/criteria/E-PPO/retire", retired="true")
    assert "Criterion retired" in done.text
    card = client.get("/screening/card").text
    assert 'value="E-PPO"' not in card and 'value="E-POP"' in card  # not offered any more
    done = _form(client, "/screening/criteria/E-PPO/delete", replace_with="E-POP")
    assert "its decisions now cite the one you chose" in done.text
    data = client.get("/api/criteria").json()
    assert [(c["code"], c["cited"]) for c in data["criteria"]] == [("E-POP", 1)]
    edited = _api(client, "PATCH", "/api/criteria/E-POP", json={"text": "Not about birth"})
    assert edited.json()["criteria"][0]["text"] == "Not about birth"
    gone = _api(client, "DELETE", "/api/criteria/E-POP")
    assert gone.status_code == 400 and "retire it" in gone.json()["error"]


def test_terms_are_added_and_removed(client_for: Client) -> None:
    client = client_for()
    _form(client, "/screening/terms", terms="doula, nurse*", kind="exclusion")
    assert client.get("/api/criteria").json()["terms"]["exclusion"] == ["doula", "nurse*"]
    _form(client, "/screening/terms/remove", term="doula", kind="exclusion")
    removed = _api(client, "DELETE", "/api/terms", params={"term": "nurse*"})
    assert removed.json()["terms"] == {"inclusion": ["peer*", "script"], "exclusion": []}


def test_batches_are_moved_and_deleted_with_what_stands_again(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    path = tmp_path / "again.ris"
    path.write_text(ris("Second study", "Another one"))
    imports.import_file(web_review, path, source_name="Medlin")
    client = client_for()
    page = client.get("/records/batches").text
    assert "search.ris" in page and "Medlin" in page and "Delete batch 2" in page
    assert "/records/batches" in client.get("/records").text  # a tab of the records area
    moved = _form(client, "/records/batches/2/move", source="Medline", source_kind="database")
    assert "Batch moved" in moved.text and "Medlin " not in moved.text
    listed = client.get("/api/batches").json()["batches"]
    assert [(b["id"], b["source"], b["records"]) for b in listed] == [
        (1, "Scopus", 3),
        (2, "Medline", 2),
    ]
    dedup.deduplicate(web_review, "owner")  # "Second study" of batch 2 merges into batch 1's
    deleted = _form(client, "/records/batches/1/delete")
    assert "3 records with 0 screening decisions" in deleted.text
    assert "Record 4" in deleted.text and "stand again" in deleted.text
    assert client.get("/api/records").json()["total"] == 2


def test_a_batch_with_a_document_is_refused_naming_it(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    _coded(web_review, tmp_path)
    client = client_for()
    refused = _api(client, "DELETE", "/api/batches/1")
    assert refused.status_code == 400
    assert "study (record 1)" in refused.json()["error"]


def test_a_document_is_edited_renamed_and_deleted(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    _coded(web_review, tmp_path)
    client = client_for()
    assert "/documents/study/edit" in client.get("/documents/study").text
    page = client.get("/documents/study/edit").text
    assert "1 excerpt" in page and "Record 1" in page
    saved = _form(
        client,
        "/documents/study/edit",
        title="Thapa 2020",
        document_type="thesis",
        study_design="qualitative",
    )
    assert "Document saved." in saved.text
    renamed = _form(client, "/documents/study/rename", new_key="thapa-2020")
    assert str(renamed.url).endswith("/documents/thapa-2020/edit?saved=renamed")
    bad = _form(client, "/documents/thapa-2020/rename", new_key="../etc")
    assert bad.status_code == 400 and "not a usable document key" in bad.text
    patched = _api(client, "PATCH", "/api/documents/thapa-2020", json={"unknown_design": True})
    assert patched.json()["study_design"] is None
    refused = _form(client, "/documents/thapa-2020/delete")
    assert refused.status_code == 400 and "--force" in refused.text
    done = _form(client, "/documents/thapa-2020/delete", force="true")
    assert "1 excerpt, 1 coding" in done.text
    assert client.get("/api/documents").json()["documents"] == []


def test_excerpts_and_codings_are_corrected_in_the_reader(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    excerpt_id = _coded(web_review, tmp_path)
    client = client_for()
    panel = client.get(
        f"/documents/study/excerpts/{excerpt_id}", headers={"HX-Request": "true"}
    ).text
    assert "Label or delete this excerpt" in panel and "Save coding" in panel
    coding_id = coding.get_excerpt(web_review, excerpt_id).codings[0].id
    htmx = {"HX-Request": "true", "X-CSRF-Token": token(client)}
    changed = client.post(
        f"/documents/study/codings/{coding_id}/change",
        data={"excerpt": str(excerpt_id), "stance": "refutes", "role": "context", "part": "1"},
        headers=htmx,
    )
    assert changed.status_code == 200 and "Coding changed." in changed.text
    assert 'stance-refutes">refutes' in changed.text
    labelled = client.post(
        f"/documents/study/excerpts/{excerpt_id}/label", data={"label": "E1"}, headers=htmx
    )
    assert "Label saved." in labelled.text and "Excerpt E1" in labelled.text
    patched = _api(client, "PATCH", f"/api/codings/{coding_id}", json={"stance": "refines"})
    assert patched.json()["stance"] == "refines" and patched.json()["reviewer"] == "bob"
    deleted = client.post(f"/documents/study/excerpts/{excerpt_id}/delete", headers=htmx)
    assert "Excerpt deleted with its codings." in deleted.text and "No excerpts yet" in deleted.text
    assert _api(client, "DELETE", f"/api/excerpts/{excerpt_id}").status_code == 404


def test_topics_and_configurations_are_corrected_on_the_board(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    _coded(web_review, tmp_path)
    theories.add_topic(web_review, "harms", "Harms", "owner")
    client = client_for()
    board = client.get("/theories").text
    assert "Edit or delete the topic Take-up" in board and "Delete this empty topic" in board
    saved = _form(
        client,
        "/theories/topics/harms/edit",
        new_key="negative",
        name="Negative impact",
        negative="true",
        position="1",
    )
    assert "Topic saved." in saved.text
    assert [t.key for t in theories.list_topics(web_review)] == ["negative", "take_up"]
    refused = _form(client, "/theories/topics/take_up/delete")
    assert refused.status_code == 400 and "1 configuration: 1" in refused.text
    card = client.get("/theories/1").text
    assert "Rename 1 to" in card and "Delete its codings too" in card
    renamed = _form(client, "/theories/1/rename", new_identifier="C1")
    assert str(renamed.url).endswith("/theories/C1?saved=renamed")
    refused = _api(client, "DELETE", "/api/theories/C1")
    assert refused.status_code == 400 and "--force" in refused.json()["error"]
    _api(client, "DELETE", "/api/theories/topics/take_up", params={"move_to": "negative"})
    done = _form(client, "/theories/C1/delete", force="true")
    assert "Configuration deleted" in done.text
    assert [t["cards"] for t in client.get("/api/theories").json()["topics"]] == [[]]
    patched = _api(client, "PATCH", "/api/theories/topics/negative", json={"negative": False})
    assert patched.json()["topics"][0]["negative"] is False


def test_people_are_added_renamed_retired_and_deleted(
    client_for: Client, web_review: Store
) -> None:
    client = client_for()
    _form(client, "/accounts/people", key="zed", name="Zed", role="viewer")
    _form(client, "/accounts/zed/name", name="Zed Z")
    people = {p["key"]: p for p in client.get("/api/reviewers").json()}
    assert people["zed"]["name"] == "Zed Z" and people["zed"]["has_account"] is False
    _form(client, "/accounts/zed/delete")
    assert "zed" not in [p["key"] for p in client.get("/api/accounts").json()]
    screening.screen(web_review, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "bob")
    refused = _api(client, "DELETE", "/api/reviewers/bob")
    assert "1 screening decision" in refused.json()["error"]
    page = client.get("/accounts").text
    assert "1 screening decision" in page and "Retire" in page
    _form(client, "/accounts/bob/retire", retired="true")
    assert "retired" in client.get("/accounts").text
    shared = client_for(local=False)
    login = shared.get("/login")
    refused_sign_in = shared.post(
        "/login",
        data={"reviewer": "bob", "password": PASSWORD, "csrf_token": csrf_of(login.text)},
        follow_redirects=False,
    )
    assert refused_sign_in.status_code != 303  # a retired reviewer cannot sign in
    sign_in(shared, "vic")  # others still can
    last_owner = _api(client, "POST", "/api/reviewers/owner/retire", json={"retired": True})
    assert last_owner.status_code == 400


def test_a_retired_reviewer_signed_in_is_signed_out(client_for: Client, web_review: Store) -> None:
    shared = client_for(local=False)
    sign_in(shared, "bob")
    assert shared.get("/records").status_code == 200
    reviewers.retire_reviewer(web_review, "bob", "owner")
    assert shared.get("/api/records").status_code == 401


def test_a_viewer_cannot_correct_anything(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    excerpt_id = _coded(web_review, tmp_path)
    coding_id = coding.get_excerpt(web_review, excerpt_id).codings[0].id
    client = client_for("vic")
    assert "Edit or delete" not in client.get("/documents/study").text
    assert "Delete" not in client.get("/screening/criteria").text
    assert "Edit or delete the topic" not in client.get("/theories").text
    assert "Delete batch" not in client.get("/records/batches").text
    forms = [
        "/documents/study/edit",
        "/documents/study/rename",
        "/documents/study/delete",
        f"/documents/study/excerpts/{excerpt_id}/delete",
        f"/documents/study/excerpts/{excerpt_id}/label",
        f"/documents/study/codings/{coding_id}/change",
        "/records/batches/1/delete",
        "/theories/1/delete",
        "/theories/topics/take_up/delete",
    ]
    for path in forms:
        assert _form(client, path, excerpt=str(excerpt_id), force="true").status_code == 403, path
    for method, path in [
        ("PATCH", "/api/documents/study"),
        ("DELETE", "/api/documents/study?force=true"),
        ("DELETE", f"/api/excerpts/{excerpt_id}"),
        ("PATCH", f"/api/excerpts/{excerpt_id}"),
        ("PATCH", f"/api/codings/{coding_id}"),
        ("DELETE", f"/api/codings/{coding_id}"),
    ]:
        assert _api(client, method, path, json={}).status_code == 403, path
    assert len(coding.list_excerpts(web_review)) == 1  # nothing changed
