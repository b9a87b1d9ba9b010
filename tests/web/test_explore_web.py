"""Explore on the demo: the matrix and its drill-down, "what applies", search, framework."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from realist.services import coding, queries
from realist.store import Store
from realist.web import WebConfig, create_app
from web.conftest import Client
from web.kit import LOCAL

APPLIES = "telephone, volunteers, mother prefers anonymity"


@pytest.fixture
def demo(demo_store: Store) -> Iterator[TestClient]:
    app = create_app(WebConfig(target=demo_store.target), store=demo_store)
    with TestClient(app, base_url=LOCAL) as client:
        yield client


def _links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def test_matrix_by_format_gives_the_services_counts(demo: TestClient, demo_store: Store) -> None:
    expected = queries.matrix(demo_store, "attribute:format")
    data = demo.get("/api/explore/matrix", params={"dimension": "attribute:format"}).json()
    assert data["dimension"] == "attribute:format"
    assert [c["value"] for c in data["columns"]] == expected.columns
    rows = [row for topic in data["topics"] for row in topic["rows"]]
    assert [r["identifier"] for r in rows] == expected.rows
    for row in rows:
        for cell in row["cells"]:
            assert cell["count"] == expected.count(row["identifier"], cell["value"])
            assert (cell["level"] > 0) == (cell["count"] > 0) and cell["level"] <= 4
    assert data["largest"] == max(expected.cells.values())
    assert {t["name"] for t in data["topics"]} >= {"Take-up of peer support"}
    assert any(t["negative"] for t in data["topics"])
    # The page: the same counts, shaded by class (no style attributes), each a drill-down.
    page = demo.get("/explore", params={"dimension": "attribute:format"}).text
    assert "style=" not in page
    n1 = next(r for r in rows if r["identifier"] == "N1")
    cell = next(c for c in n1["cells"] if c["value"] == "one_to_one_volunteer_in_person")
    assert cell["count"] == 3
    href = cell["href"].replace("&", "&amp;")
    assert f'<td class="heat heat-{cell["level"]}">' in page
    assert f'<a href="{href}" hx-get="{href}" hx-target="#drill"' in page
    assert '<option value="attribute:format" selected>Format</option>' in page
    assert 'id="drill"' in page and "/static/js/explore.js" in page


def test_the_matrix_is_formatted_by_default_and_takes_every_dimension(demo: TestClient) -> None:
    data = demo.get("/api/explore/matrix").json()
    assert data["dimension"] == "attribute:format"
    values = [d["value"] for d in data["dimensions"]]
    assert "attribute:country" in values and "document:study_design" in values
    assert values[-1] == "intervention"
    for value in values:
        if value == "document:study_design":
            continue  # see test_matrix_by_study_design
        assert demo.get("/explore", params={"dimension": value}).status_code == 200, value
    intervention = demo.get("/api/explore/matrix", params={"dimension": "intervention"}).json()
    assert "#12" in [c["value"] for c in intervention["columns"]]
    refused = demo.get("/explore", params={"dimension": "planets"})
    assert refused.status_code == 400 and "unknown matrix dimension" in refused.text
    assert demo.get("/api/explore/matrix?dimension=attribute:nothing").json() == {
        "error": "no intervention has an attribute 'nothing'"
    }


def test_matrix_by_study_design(demo: TestClient) -> None:
    assert demo.get("/explore?dimension=document:study_design").status_code == 200


def test_a_cell_lists_its_excerpts_with_links_to_the_span(
    demo: TestClient, demo_store: Store
) -> None:
    params = {
        "dimension": "attribute:format",
        "configuration": "N1",
        "value": "one_to_one_volunteer_in_person",
    }
    ids = queries.matrix_cell(demo_store, *params.values())
    data = demo.get("/api/explore/cell", params=params).json()
    assert [e["id"] for e in data["excerpts"]] == ids
    assert data["configuration_title"] == "Lack of validation"
    first = coding.get_excerpt(demo_store, ids[0])
    assert data["excerpts"][0]["text"] == first.text
    assert data["excerpts"][0]["stance"] == "supports"
    span = f"/documents/{first.document_key}?start={first.start}&end={first.end}&excerpt={ids[0]}"
    assert data["excerpts"][0]["reader_href"] == span
    # htmx gets the fragment for #drill; a plain request a whole page.
    fragment = demo.get("/explore/cell", params=params, headers={"HX-Request": "true"}).text
    assert not fragment.lstrip().startswith("<!doctype")
    assert 'id="drill-heading"' in fragment and "Lack of validation" in fragment
    assert span in _links(fragment)
    for e in data["excerpts"]:
        assert e["label"] in fragment
    page = demo.get("/explore/cell", params=params).text
    assert page.startswith("<!doctype html>") and "Back to the matrix" in page
    assert span in _links(page)


def test_what_applies_for_a_provider(demo: TestClient) -> None:
    data = demo.get("/api/explore/applies", params={"q": APPLIES}).json()
    may = [a["identifier"] for a in data["may_apply"]]
    risks = [a["identifier"] for a in data["risks"]]
    assert {"11", "12", "21", "22"} <= set(may)
    assert risks and all(a["risk"] for a in data["risks"])
    first = data["may_apply"][0]
    # The asker's own words, not the matcher's stems.
    assert "volunteers" in first["matched_words"] and "volunte" not in first["matched_words"]
    assert 1 <= len(first["evidence"]) <= 3 and first["evidence_total"] >= len(first["evidence"])
    assert first["evidence"][0]["reader_href"].startswith("/documents/")
    page = demo.get("/explore/applies", params={"q": APPLIES}).text
    assert "Describe the person or the programme" in page
    # Examples come from the review's own contexts, never from code.
    assert data["examples"] and 'placeholder="e.g. a mother who wanted to talk about' in page
    may_at, risks_at = page.index("May apply"), page.index("Risks to guard against")
    assert may_at < risks_at
    for identifier in ("11", "12", "21", "22"):
        at = page.index(f'id="cfg-{identifier}"')
        assert may_at < at < risks_at, identifier
    assert page.index(f'id="cfg-{risks[0]}"') > risks_at
    assert "What it may set off" in page and "<blockquote>" in page


def test_what_applies_before_and_after_asking_nothing(demo: TestClient) -> None:
    blank = demo.get("/explore/applies").text
    assert "May apply" not in blank and "<textarea" in blank
    empty = demo.get("/api/explore/applies", params={"q": "the and of"}).json()
    assert empty["asked"] and "describe the circumstances" in empty["message"]
    assert "describe the circumstances" in demo.get("/explore/applies?q=the").text
    nothing = demo.get("/explore/applies", params={"q": "xylophones"}).text
    assert "No theory" in nothing


def test_search_links_to_the_span(demo: TestClient, demo_store: Store) -> None:
    expected = queries.search(demo_store, "loneliness")
    data = demo.get("/api/explore/search", params={"q": "loneliness"}).json()
    assert [(r["kind"], r["start"], r["end"]) for r in data["results"]] == [
        (r.kind, r.start, r.end) for r in expected
    ]
    page = demo.get("/explore/search", params={"q": "loneliness"}).text
    for r in expected:
        assert f"/documents/{r.document_key}?start={r.start}&end={r.end}" in _links(page)
    assert '<mark class="term-include">loneliness</mark>' in page
    assert "Search documents and excerpts" in demo.get("/explore/search").text
    assert "Nothing contains every word" in demo.get("/explore/search?q=zzzqqq").text


def test_framework_matrix(demo: TestClient, demo_store: Store) -> None:
    documents, configurations, cells = queries.framework_matrix(demo_store)
    data = demo.get("/api/explore/framework").json()
    assert [d["key"] for d in data["documents"]] == documents
    assert [r["identifier"] for r in data["rows"]] == configurations
    coded = sum(len(cell) for row in data["rows"] for cell in row["cells"])
    assert coded == sum(len(c.excerpts) for c in cells)
    page = demo.get("/explore/framework").text
    assert cells[0].excerpts[0][1] in unescape(page)


def test_explore_on_an_empty_review(client_for: Client) -> None:
    client = client_for("vic")  # a viewer may explore
    for path in ["/explore", "/explore/framework", "/explore/applies?q=telephone",
                 "/explore/search?q=peer", "/api/explore/matrix"]:  # fmt: skip
        assert client.get(path).status_code == 200, path
    assert "Nothing is coded yet" in client.get("/explore").text
