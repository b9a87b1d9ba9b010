"""Reports: every report and export of the review, downloadable in each of its formats."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from realist.demo import CREDIT
from realist.reports.kinds import KINDS
from realist.services.interchange import RECORD_FORMATS
from realist.store import Store
from realist.web import WebConfig, create_app
from web.conftest import Client
from web.kit import LOCAL

TYPES = {
    "html": "text/html",
    "md": "text/markdown",
    "text": "text/plain",
    "json": "application/json",
    "csv": "text/csv",
    "svg": "image/svg+xml",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ris": "application/x-research-info-systems",
    "qdpx": "application/zip",
    "zip": "application/zip",
}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def demo(demo_store: Store) -> Iterator[TestClient]:
    app = create_app(WebConfig(target=demo_store.target), store=demo_store)
    with TestClient(app, base_url=LOCAL) as client:
        yield client


def _check(response: Response, fmt: str) -> None:
    where = str(response.request.url)
    assert response.status_code == 200, (where, response.text[:300])
    assert response.headers["content-type"].startswith(TYPES[fmt]), where
    assert response.headers["content-disposition"].startswith("attachment; filename="), where
    body = response.content
    assert body, where
    if fmt in ("docx", "xlsx", "qdpx", "zip"):
        assert body[:2] == b"PK", where
    if fmt == "png":
        assert body.startswith(PNG), where
    if fmt == "svg":
        assert b"<svg" in body[:500], where


def test_the_page_lists_every_report_and_export(demo: TestClient) -> None:
    data = demo.get("/api/reports").json()
    assert data["review"]["key"] == "review"
    assert data["review"]["downloads"] == [
        {"format": "html", "label": "HTML", "href": "/api/reports/review.html"}
    ]
    kinds = [r["key"] for r in data["reports"]]
    assert set(KINDS) - {"review"} <= set(kinds) and "evidence-matrix-by-documents" in kinds
    for report in data["reports"]:
        kind = report["key"].removesuffix("-by-documents")
        assert [d["format"] for d in report["downloads"]] == list(KINDS[kind].formats)
    exports = {e["key"]: [d["format"] for d in e["downloads"]] for e in data["exports"]}
    assert exports == {
        "records": list(RECORD_FORMATS),
        "records-with-decisions": list(RECORD_FORMATS),
        "qdpx": ["qdpx"],
        "archive": ["zip"],
        "prisma-csv": ["csv"],
    }
    page = demo.get("/reports").text
    # The whole review comes first, prominently; then every download, one click each.
    assert page.index("Download the whole review") < page.index('id="reports-heading"')
    every = [
        d for r in [data["review"], *data["reports"], *data["exports"]] for d in r["downloads"]
    ]
    for download in every:
        assert f'href="{download["href"].replace("&", "&amp;")}" download' in page
    for figure in data["figures"]:
        assert f'<img src="{figure["src"].replace("&", "&amp;")}"' in page
    assert "style=" not in page


def test_every_report_and_export_downloads(demo: TestClient) -> None:
    data = demo.get("/api/reports").json()
    every = [
        d for r in [data["review"], *data["reports"], *data["exports"]] for d in r["downloads"]
    ]
    assert len(every) >= 50
    for download in every:
        _check(demo.get(download["href"]), download["format"])


def test_the_whole_review_carries_the_title_and_credit(demo: TestClient) -> None:
    response = demo.get("/api/reports/review.html")
    _check(response, "html")
    assert response.headers["content-disposition"] == 'attachment; filename="review.html"'
    html = response.text
    title = demo.get("/api/dashboard").json()["title"]
    assert title in html
    assert "CC BY 4.0" in html and "McLeish J, Ayers S, McCourt C" in html
    credit = CREDIT.removeprefix("Demo review: ").split(" (http")[0]
    assert credit in unescape(html)


def test_downloads_are_the_files_the_commands_write(demo: TestClient, demo_store: Store) -> None:
    from realist.reports.kinds import Options
    from realist.services.reporting import render_report

    docx = demo.get("/api/reports/model.docx").content
    assert docx == render_report(demo_store, "model", "docx").content
    by_documents = demo.get("/api/reports/evidence-matrix.csv?by=documents")
    expected = render_report(demo_store, "evidence-matrix", "csv", Options(by="documents"))
    assert by_documents.text == expected.content
    assert "evidence-matrix-by-documents.csv" in by_documents.headers["content-disposition"]
    assert (
        demo.get("/api/reports/intervention-summary.text")
        .headers["content-disposition"]
        .endswith('filename="intervention-summary.txt"')
    )
    shown = demo.get("/api/reports/network.svg?inline=true")
    assert shown.headers["content-disposition"].startswith("inline;")


def test_exports_hold_what_they_should(demo: TestClient) -> None:
    ris = demo.get("/api/exports/records.ris").text
    assert ris.count("ER  -") == 29
    decided = demo.get("/api/exports/records.csv", params={"with_decisions": "true"}).text
    assert "decision" in decided.splitlines()[0]
    assert "decision" not in demo.get("/api/exports/records.csv").text.splitlines()[0]
    archive = zipfile.ZipFile(io.BytesIO(demo.get("/api/exports/review.realist.zip").content))
    names = archive.namelist()
    assert names and not any("account" in n for n in names)
    assert not any(b"argon2" in archive.read(n) for n in names)
    project = zipfile.ZipFile(io.BytesIO(demo.get("/api/exports/review.qdpx").content))
    assert "project.qde" in project.namelist()
    prisma = demo.get("/api/exports/prisma.csv").text
    assert prisma.startswith("data,node,box,description") and "database_results" in prisma


def test_unknown_reports_and_formats_are_not_found(demo: TestClient) -> None:
    assert demo.get("/api/reports/horoscope.html").status_code == 404
    wrong = demo.get("/api/reports/network.docx")
    assert wrong.status_code == 404 and "comes as svg, png" in wrong.json()["error"]
    assert demo.get("/api/exports/records.pdf").status_code == 422
    assert demo.get("/api/reports/evidence-matrix.svg?by=topics").status_code == 422


def test_a_viewer_can_read_and_download(client_for: Client) -> None:
    client = client_for("vic")
    assert "Download the whole review" in client.get("/reports").text
    _check(client.get("/api/reports/review.html"), "html")
    _check(client.get("/api/reports/cmo-tables.xlsx"), "xlsx")
    _check(client.get("/api/reports/prisma.png"), "png")
    _check(client.get("/api/exports/records.ris"), "ris")
    _check(client.get("/api/exports/review.realist.zip"), "zip")
