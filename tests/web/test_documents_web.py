"""The Documents area: attaching full texts, the reader, coding a selection, appraisal."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from realist.domain.theory import MechanismKind
from realist.services import coding, documents, theories
from realist.store import Store
from web.conftest import Client
from web.kit import token

# An accented letter, an emoji (two UTF-16 units) and a family emoji (a ZWJ sequence of
# five code points, eight UTF-16 units): offsets differ between the server and a browser.
TEXT = (
    "Café mothers 🙂 said peer support 👩‍👧 helped them feel heard.\n\n"
    "A second paragraph: volunteers were trained. Some felt judged.\n"
)
QUOTE = "peer support 👩‍👧 helped them"
KEY = "cafe-study"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def review(web_review: Store, tmp_path: Path) -> Iterator[Store]:
    """The web review with a topic, two configurations and a document with text."""
    theories.add_topic(web_review, "take_up", "Take-up", "owner")
    coding.create_configuration(
        web_review,
        "1",
        "take_up",
        "owner",
        title="Feeling heard",
        statement="If a mother is heard, then she stays, because she feels accepted.",
        contexts=["a mother who wants to talk"],
        mechanisms=[("she feels accepted", MechanismKind.REASONING)],
        outcomes=["she stays"],
    )
    coding.create_configuration(web_review, "2", "take_up", "owner", title="Volunteers")
    path = tmp_path / "cafe.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(web_review, path, key=KEY, title="Café study")
    yield web_review


def _span(quote: str = QUOTE) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


def _code(client: TestClient, body: dict[str, object]) -> dict[str, object]:
    response = client.post(
        f"/api/documents/{KEY}/codings", json=body, headers={"X-CSRF-Token": token(client)}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert isinstance(result, dict)
    return result


def _evidence(client: TestClient, identifier: str) -> dict[str, int]:
    for topic in client.get("/api/theories").json()["topics"]:
        for card in topic["cards"]:
            if card["identifier"] == identifier:
                return dict(card["evidence"])
    raise AssertionError(identifier)


def test_attach_a_document_by_upload_shows_its_warnings(client_for: Client) -> None:
    client = client_for()
    page = client.get("/documents")
    assert 'enctype="multipart/form-data"' in page.text
    response = client.post(
        "/documents",
        files={"file": ("notes.txt", b"<html><body><p>Peer support helps.</p></body></html>")},
        data={"title": "Notes", "document_type": "report", "csrf_token": token(client)},
    )
    assert response.status_code == 200, response.text
    assert "Attached notes (text version 1)" in response.text
    assert "the file is named .txt but holds HTML" in response.text
    assert '<a href="/documents/notes">Open it in the reader</a>' in response.text
    listed = client.get("/api/documents").json()["documents"]
    assert [(d["key"], d["document_type"], d["pages"], d["excerpts"]) for d in listed] == [
        ("notes", "report", 1, 0)
    ]
    reader = client.get("/documents/notes")
    assert '<div class="page-text" data-start="0">Peer support helps.</div>' in reader.text


def test_attach_by_api_adds_a_version_to_an_existing_key(client_for: Client) -> None:
    client = client_for()
    headers = {"X-CSRF-Token": token(client)}
    first = client.post(
        "/api/documents", files={"file": ("a.md", b"# Title\n\nOne.")}, headers=headers
    ).json()
    assert (first["key"], first["version"], first["format"]) == ("a", 1, "md")
    again = client.post(
        "/api/documents",
        files={"file": ("a2.txt", b"Other words.")},
        data={"key": "a"},
        headers=headers,
    ).json()
    assert (again["key"], again["version"]) == ("a", 2)
    assert client.get("/api/documents").json()["documents"][0]["versions"] == 2
    bad = client.post("/api/documents", files={"file": ("x.txt", b"")}, headers=headers)
    assert bad.status_code == 400 and "error" in bad.json()


def test_the_reader_shows_the_exact_text_by_page(review: Store, client_for: Client) -> None:
    page = client_for().get(f"/documents/{KEY}")
    assert page.status_code == 200
    texts = re.findall(r'<div class="page-text" data-start="(\d+)">(.*?)</div>', page.text, re.S)
    assert [(int(start), html.unescape(body)) for start, body in texts] == [(0, TEXT.strip())]
    assert 'src="/static/js/reader.js"' in page.text
    assert 'id="code-form"' in page.text and 'name="target" ' in page.text
    assert 'value="mechanism:0:1"' in page.text  # a part of a configuration, as a target
    data = client_for().get(f"/api/documents/{KEY}").json()
    assert data["text"] == TEXT.strip() and data["pages"] == [
        {"number": 1, "start": 0, "end": len(TEXT.strip())}
    ]
    assert [c["identifier"] for c in data["configurations"]] == ["1", "2"]


def test_offsets_are_code_points_and_checked_against_the_words(
    review: Store, client_for: Client
) -> None:
    client = client_for()
    start, end = _span()
    # What a browser counts: the emoji and the family are longer in UTF-16.
    u16_start = _utf16(TEXT[:start])
    assert u16_start > start
    wrong = client.post(
        f"/api/documents/{KEY}/codings",
        json={"start": u16_start, "end": u16_start + _utf16(QUOTE), "quote": QUOTE,
              "configuration": "1"},
        headers={"X-CSRF-Token": token(client)},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert "does not match" in wrong.json()["error"]
    assert coding.list_excerpts(review, KEY) == []  # nothing stored
    done = _code(client, {"start": start, "end": end, "quote": QUOTE, "configuration": "1"})
    excerpt = done["excerpt"]
    assert isinstance(excerpt, dict) and done["new_excerpt"] is True
    assert excerpt["text"] == QUOTE and (excerpt["start"], excerpt["end"]) == (start, end)
    stored = coding.get_excerpt(review, int(excerpt["id"]))
    assert stored.text == QUOTE == TEXT[stored.start : stored.end]
    accented = _code(client, {"start": 0, "end": 4, "quote": "Café", "configuration": "2"})
    assert coding.get_excerpt(review, int(accented["excerpt"]["id"])).text == "Café"  # type: ignore[index]


def test_coding_through_the_page_changes_the_evidence_count(
    review: Store, client_for: Client
) -> None:
    client = client_for()
    assert _evidence(client, "1") == {"supports": 0, "refutes": 0, "refines": 0, "excerpts": 0}
    start, end = _span()
    response = client.post(
        f"/documents/{KEY}/code",
        data={"start": str(start), "end": str(end), "quote": QUOTE, "target": "mechanism:0:1",
              "stance": "refines", "csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert 'id="excerpts"' in response.text and 'hx-swap-oob="true"' in response.text
    assert f'data-start="{start}" data-end="{end}"' in response.text
    assert _evidence(client, "1") == {"supports": 0, "refutes": 0, "refines": 1, "excerpts": 1}
    board = client.get("/theories").text
    assert "1 refining" in board
    # The same span again reuses the excerpt; a plain form post goes back to the reader.
    again = client.post(
        f"/documents/{KEY}/code",
        data={"start": str(start), "end": str(end), "quote": QUOTE,
              "target": "configuration:0:2", "csrf_token": token(client)},
        follow_redirects=False,
    )  # fmt: skip
    assert again.status_code == 303
    (excerpt,) = coding.list_excerpts(review, KEY)
    assert again.headers["location"] == f"/documents/{KEY}?saved=coded&excerpt={excerpt.id}"
    assert [(c.configuration_identifier, c.stance.value) for c in excerpt.codings] == [
        ("1", "refines"),
        ("2", "supports"),
    ]
    # Uncode from the excerpt's panel, then by the API.
    first, second = excerpt.codings
    removed = client.post(
        f"/documents/{KEY}/codings/{first.id}/delete",
        data={"excerpt": str(excerpt.id), "csrf_token": token(client)},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert _evidence(client, "1")["excerpts"] == 0
    gone = client.delete(f"/api/codings/{second.id}", headers={"X-CSRF-Token": token(client)})
    assert gone.json() == {"coding_id": second.id}
    assert _evidence(client, "2")["excerpts"] == 0


def test_a_wrong_target_stores_no_excerpt(review: Store, client_for: Client) -> None:
    client = client_for()
    start, end = _span()
    for target, status in [("outcome:4:1", 400), ("configuration:0:99", 404), ("nonsense", 400)]:
        response = client.post(
            f"/documents/{KEY}/code",
            data={"start": str(start), "end": str(end), "quote": QUOTE, "target": target,
                  "csrf_token": token(client)},
        )  # fmt: skip
        assert response.status_code == status, target
    assert coding.list_excerpts(review, KEY) == []


def test_coding_the_same_again_says_what_exists(review: Store, client_for: Client) -> None:
    client = client_for()
    start, end = _span()
    form = {"start": str(start), "end": str(end), "quote": QUOTE, "target": "mechanism:0:1",
            "stance": "refines"}  # fmt: skip
    first = client.post(
        f"/documents/{KEY}/code",
        data=form | {"csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert first.status_code == 200, first.text
    (excerpt,) = coding.list_excerpts(review, KEY)
    (made,) = excerpt.codings
    said = (
        f"excerpt {excerpt.id} already refines mechanism 1 of configuration 1 "
        f"(coding {made.id}, by owner)"
    )
    # htmx: a message in the page's message region, the reader left as it was.
    again = client.post(
        f"/documents/{KEY}/code",
        data=form | {"csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 400 and again.headers["HX-Retarget"] == "#messages"
    assert 'role="alert"' in again.text and said in again.text
    # Without scripts: the error page says the same; the API answers with it as JSON.
    plain = client.post(f"/documents/{KEY}/code", data=form | {"csrf_token": token(client)})
    assert plain.status_code == 400 and said in plain.text
    api = client.post(
        f"/api/documents/{KEY}/codings",
        json={"excerpt": excerpt.id, "configuration": "1", "role": "mechanism", "position": 0,
              "stance": "refines"},
        headers={"X-CSRF-Token": token(client)},
    )  # fmt: skip
    assert api.status_code == 400 and api.json() == {"error": said}
    assert [len(e.codings) for e in coding.list_excerpts(review, KEY)] == [1]


def test_without_scripts_a_pasted_quote_is_found(review: Store, client_for: Client) -> None:
    client = client_for()
    client.post(
        f"/documents/{KEY}/code",
        data={"quote": "volunteers were trained", "target": "configuration:0:2",
              "csrf_token": token(client)},
    )  # fmt: skip
    (excerpt,) = coding.list_excerpts(review, KEY)
    assert TEXT[excerpt.start : excerpt.end] == "volunteers were trained"


def test_new_configuration_from_a_selection(review: Store, client_for: Client) -> None:
    client = client_for()
    quote = "Some felt judged."
    start = TEXT.index(quote)
    response = client.post(
        f"/documents/{KEY}/new-configuration",
        data={"start": str(start), "end": str(start + len(quote)), "quote": quote,
              "identifier": "N1", "topic": "take_up", "stance": "supports",
              "csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert "Created N1 and coded it." in response.text
    assert 'id="target-list"' in response.text  # the panel's list now offers N1
    view = theories.show_theory(review, "N1")
    assert view.configuration.origin.value == "inductive"
    assert view.configuration.title == quote and view.evidence["supports"] == 1


def test_appraisal_of_an_excerpt_and_mmat(review: Store, client_for: Client) -> None:
    client = client_for()
    start, end = _span()
    excerpt = _code(client, {"start": start, "end": end, "quote": QUOTE, "configuration": "1"})
    excerpt_id = excerpt["excerpt"]["id"]  # type: ignore[index]
    response = client.post(
        f"/documents/{KEY}/excerpts/{excerpt_id}/appraisal",
        data={"relevance": "high", "rigour": "moderate", "note": "clear",
              "csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200 and "Appraisal of the excerpt saved." in response.text
    item = client.get(f"/api/excerpts/{excerpt_id}").json()
    assert (item["relevance"], item["rigour"], item["note"]) == ("high", "moderate", "clear")
    detail = client.get(f"/documents/{KEY}/excerpts/{excerpt_id}", headers={"HX-Request": "true"})
    assert "Uncode" in detail.text and '<option value="high" selected>' in detail.text
    # MMAT: both screening answers yes, then the five criteria.
    page = client.get(f"/documents/{KEY}?mmat=qualitative")
    assert "1.1. Is the qualitative approach appropriate" in page.text
    form = {"category": "qualitative", "s1": "yes", "s2": "yes", "csrf_token": token(client)}
    criteria = {f"c{n}": "yes" if n < 4 else "no" for n in range(1, 6)}
    saved = client.post(f"/documents/{KEY}/mmat", data=form | criteria, follow_redirects=False)
    assert saved.status_code == 303
    assert "3 of 5 criteria met" in client.get(saved.headers["location"]).text
    refused = client.post(f"/documents/{KEY}/mmat", data=form | {"s2": "no"} | criteria)
    assert refused.status_code == 400 and "only answered when both" in refused.text
    api = client.post(
        f"/api/documents/{KEY}/mmat",
        json={"category": "qualitative", "screening": ["no", "cant_tell"]},
        headers={"X-CSRF-Token": token(client)},
    )
    assert api.json()["met"] == 0
    (latest,) = client.get(f"/api/documents/{KEY}").json()["mmat"]  # one per reviewer
    assert latest["screening"] == ["no", "cant_tell"]


def test_a_viewer_reads_but_cannot_code_or_attach(review: Store, client_for: Client) -> None:
    client = client_for("vic")
    page = client.get(f"/documents/{KEY}")
    assert page.status_code == 200
    assert 'id="code-form"' not in page.text and "can read the documents but not code" in page.text
    start, end = _span()
    body = {"start": start, "end": end, "quote": QUOTE, "configuration": "1"}
    refused = client.post(
        f"/api/documents/{KEY}/codings", json=body, headers={"X-CSRF-Token": token(client)}
    )
    assert refused.status_code == 403
    form = client.post(
        f"/documents/{KEY}/code",
        data={"quote": QUOTE, "target": "configuration:0:1", "csrf_token": token(client)},
        headers={"HX-Request": "true"},
    )
    assert form.status_code == 403 and form.headers["HX-Retarget"] == "#messages"
    upload = client.post(
        "/documents", files={"file": ("x.txt", b"words")}, data={"csrf_token": token(client)}
    )
    assert upload.status_code == 403
    assert coding.list_excerpts(review, KEY) == []
    # A reviewer may code.
    assert _code(client_for("bob"), body)["new_excerpt"] is True


def test_coding_needs_the_csrf_token(review: Store, client_for: Client) -> None:
    client = client_for()
    start, end = _span()
    body = {"start": start, "end": end, "quote": QUOTE, "configuration": "1"}
    assert client.post(f"/api/documents/{KEY}/codings", json=body).status_code == 403
    wrong = client.post(
        f"/api/documents/{KEY}/codings", json=body, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    form = {"quote": QUOTE, "target": "configuration:0:1", "csrf_token": "forged"}
    assert client.post(f"/documents/{KEY}/code", data=form).status_code == 403
    assert coding.list_excerpts(review, KEY) == []


def test_a_document_without_text_offers_the_upload(web_review: Store, client_for: Client) -> None:
    from realist.domain.documents import Document
    from realist.store import documents as documents_repo

    with web_review.transaction() as connection:
        documents_repo.insert_document(connection, Document(key="later", title="Later"))
    page = client_for().get("/documents/later")
    assert page.status_code == 200 and "No full text yet" in page.text
    assert '<input type="hidden" name="key" value="later">' in page.text
    assert client_for().get("/documents/missing").status_code == 404
