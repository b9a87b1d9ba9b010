"""Records through the web: upload with progress and a problem report, filters, and the
duplicate queue."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from realist.domain.screening import Decision, Stage
from realist.services import dedup, imports, screening
from realist.store import Store
from realist.web import WebConfig, create_app
from web.conftest import Client
from web.kit import LOCAL, SCRIPT, ris, token

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
HTMX = {"HX-Request": "true"}


def _upload(client: TestClient, name: str, body: bytes, **form: str) -> str:
    """Upload as the page does (htmx), then poll the job as the page does until done."""
    started = client.post(
        "/records/import",
        headers=HTMX,
        files={"file": (name, body)},
        data={"csrf_token": token(client)} | form,
    )
    assert started.status_code == 200, started.text
    html = started.text
    for _ in range(100):
        if "every 500ms" not in html:
            return html
        job = html.split('hx-get="/records/import/', 1)[1].split('"', 1)[0]
        time.sleep(0.05)
        html = client.get(f"/records/import/{job}", headers=HTMX).text
    raise AssertionError("the import did not finish")


def test_upload_reports_progress_and_problems(client_for: Client, web_review: Store) -> None:
    client = client_for()
    html = _upload(client, "cut.ris", (FIXTURES / "missing_er.ris").read_bytes(), source="Ovid")
    assert "Imported <strong>3</strong> records from ris" in html
    assert "<h4>2 problems</h4>" in html
    assert "<code>cut.ris:" in html  # problems read file:line: reason
    records = client.get("/api/records?source=Ovid").json()["records"]
    assert [r["title"] for r in records][:1] == ["First record, properly closed"]
    again = _upload(client, "cut.ris", (FIXTURES / "missing_er.ris").read_bytes())
    assert "Skipped: already imported as batch" in again


def test_the_import_report_counts_one_of_a_thing_as_one(client_for: Client) -> None:
    client = client_for()
    # Two records, the second cut off (one problem), one with a DOI.
    cut = b"TY  - JOUR\nTI  - Alpha\nDO  - 10.1000/alpha\nER  - \n\nTY  - JOUR\nTI  - Beta\n"
    html = _upload(client, "cut.ris", cut)
    assert "Imported <strong>2</strong> records from ris" in html
    assert "<h4>1 problem</h4>" in html
    # The DOI again, in a file of one record.
    again = _upload(client, "alpha.ris", b"TY  - JOUR\nTI  - Alpha\nDO  - 10.1000/alpha\nER  - \n")
    assert "Imported <strong>1</strong> record from ris" in again
    assert "1 record shares a DOI or PMID with earlier records" in again
    assert "problem" not in again.split("See these records", 1)[1]


def test_an_upload_over_the_limit_is_refused_and_leaves_no_file(
    web_review: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))  # nothing goes to /tmp either
    monkeypatch.setenv("REALIST_SPOOL_DIR", str(uploads))  # where uploads are saved
    config = WebConfig(target=web_review.target, max_upload_bytes=1 << 20)
    client = TestClient(create_app(config, store=web_review), base_url=LOCAL)
    for url in ("/api/records/import", "/api/documents"):
        refused = client.post(
            url,
            files={"file": ("big.ris", ris("A study") + "x" * (2 << 20))},
            headers={"X-CSRF-Token": token(client)},
        )
        assert refused.status_code == 413  # by its length, before it is read
        assert "an upload may send at most 1 MB" in refused.json()["error"]
    assert list(uploads.iterdir()) == []


def test_upload_of_an_unreadable_file_says_why(client_for: Client) -> None:
    html = _upload(client_for(), "x.txt", (FIXTURES / "not_a_format.txt").read_bytes())
    assert "Not imported:" in html
    page = client_for().get("/records/import")
    assert 'enctype="multipart/form-data"' in page.text and 'name="csrf_token"' in page.text


def test_upload_without_javascript_redirects_to_the_job(client_for: Client) -> None:
    client = client_for()
    response = client.post(
        "/records/import",
        files={"file": ("a.ris", ris("Alpha").encode())},
        data={"csrf_token": token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/records/import/")
    assert client.get("/records/import/nope").status_code == 404


def test_api_upload_waits_for_the_result(client_for: Client) -> None:
    client = client_for()
    result = client.post(
        "/api/records/import",
        files={"file": ("b.ris", ris("Beta").encode())},
        data={"kind": "citation"},
        headers={"X-CSRF-Token": token(client)},
    )
    assert result.status_code == 200
    body = result.json()
    assert (body["imported"], body["source"], body["problems"]) == (1, "b", [])


def test_filters(client_for: Client, web_review: Store) -> None:
    screening.screen(web_review, 2, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "owner")
    client = client_for()
    page = client.get("/api/records?q=second").json()
    assert [r["id"] for r in page["records"]] == [2]
    assert list(page) == ["filters", "records", "more", "sources", "total", "offset", "limit"]
    assert (page["total"], page["offset"], page["limit"]) == (1, 0, 100)
    assert page["sources"] == ["Scopus"]
    assert list(page["records"][0]) == [
        "id",
        "title",
        "authors",
        "year",
        "journal",
        "doi",
        "pmid",
        "source",
        "title_abstract",
        "full_text",
        "duplicate_of",
    ]
    excluded = client.get("/api/records?stage=title_abstract&outcome=exclude").json()
    assert [r["id"] for r in excluded["records"]] == [2]
    assert client.get("/api/records?limit=2").json()["more"] is True
    assert client.get("/api/records?outcome=nonsense").status_code == 422
    fragment = client.get("/records?q=third", headers=HTMX).text
    assert "<html" not in fragment and "Third study" in fragment
    assert '<p class="muted">1 record.</p>' in fragment


def test_pages_keep_the_filters_and_count_every_match(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    path = tmp_path / "more.ris"
    path.write_text(ris(*(f"Extra study {n}" for n in range(4, 10))))
    imports.import_file(web_review, path, source_name="Embase")  # records 4 to 9
    for rid in (2, 5, 9):
        screening.screen(web_review, rid, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "owner")
    client = client_for()
    first = client.get("/api/records?limit=4").json()
    assert (first["total"], first["offset"], first["limit"], first["more"]) == (9, 0, 4, True)
    assert [r["id"] for r in first["records"]] == [1, 2, 3, 4]
    last = client.get("/api/records?limit=4&offset=8").json()
    assert [r["id"] for r in last["records"]] == [9] and last["more"] is False
    assert client.get("/api/records?offset=-1").status_code == 422

    # A filter finds the excluded record beyond the first page of records, and pages too.
    wanted = "/records?stage=title_abstract&outcome=exclude&limit=2"
    html = client.get(wanted, headers=HTMX).text
    assert "Showing 1–2 of 3 records." in html
    assert "Previous page" not in html
    link = html.split('rel="next" hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert link == "/records?stage=title_abstract&outcome=exclude&offset=2&limit=2"
    html = client.get(link, headers=HTMX).text
    assert "Showing 3–3 of 3 records." in html and "Extra study 9" in html
    assert "Second study" not in html and "Next page" not in html
    assert 'href="/records?stage=title_abstract&amp;outcome=exclude&amp;limit=2"' in html
    excluded = client.get("/api/records?outcome=exclude&offset=2&limit=2").json()
    assert [r["id"] for r in excluded["records"]] == [9] and excluded["total"] == 3
    assert client.get("/api/records?outcome=exclude&source=Embase").json()["total"] == 2
    assert client.get("/api/records?duplicates=merged").json()["total"] == 0
    past = client.get("/records?limit=2&offset=40", headers=HTMX).text
    assert "9 records match; this page is past the last of them." in past
    assert "First page" in past
    # The whole page carries the pager too, and the form keeps the page size.
    page = client.get("/records?limit=3&offset=3").text
    assert "Showing 4–6 of 9 records." in page and 'name="limit" value="3"' in page
    assert 'rel="prev"' in page and 'rel="next"' in page


def test_duplicate_queue_side_by_side(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    path = tmp_path / "more.ris"
    path.write_text(ris(f"Trial {SCRIPT} of peer support (conference abstract)"))
    client = client_for()
    client.post(
        "/api/records/import",
        files={"file": ("more.ris", path.read_bytes())},
        headers={"X-CSRF-Token": token(client)},
    )
    ran = client.post("/records/duplicates/run", headers=HTMX, data={"csrf_token": token(client)})
    assert "merged 0 duplicates in 0 groups, 1 new pair to review." in ran.text, ran.text
    pairs = client.get("/api/duplicates").json()["queue"]
    assert len(pairs) == 1
    group = pairs[0]["group_id"]
    assert "title" in pairs[0]["differs"]
    assert 'class="differs"' in client.get("/records/duplicates").text
    merged = client.post(
        f"/records/duplicates/{group}",
        headers=HTMX,
        data={"same": "yes", "csrf_token": token(client)},
    )
    assert f"Pair {group}: merged." in merged.text
    assert dedup.review_queue(web_review) == []
    # The merged group is listed by titles (escaped), not only record numbers.
    shown = client.get("/api/duplicates").json()["merged"][0]
    assert "conference abstract" in (shown["keeper"]["title"] + shown["members"][0]["title"])
    page = client.get("/records/duplicates").text
    assert "(conference abstract)" in page and SCRIPT not in page
    undone = client.post(f"/api/duplicates/{group}/undo", headers={"X-CSRF-Token": token(client)})
    assert undone.json()["merged"] == []


def test_the_queue_says_which_pairs_the_errata_setting_kept_apart(
    client_for: Client, web_review: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REALIST_DEDUP_MERGE_ERRATA", raising=False)
    path = tmp_path / "erratum.ris"
    path.write_text(ris("Second study", "Erratum: Second study"))
    imports.import_file(web_review, path, source_name="PubMed")
    client = client_for()
    ran = client.post("/api/duplicates/run", headers={"X-CSRF-Token": token(client)}).json()
    assert ran["merge_errata"] is False and ran["kept_apart"] >= 1
    pairs = [p for p in client.get("/api/duplicates").json()["queue"] if p["kept_apart"]]
    assert pairs and pairs[0]["reason"].endswith("kept apart by setting dedup_merge_errata")
    page = client.get("/records/duplicates").text
    assert "Kept apart by a setting:" in page
    assert "REALIST_DEDUP_MERGE_ERRATA=1" in page


def test_a_server_waits_for_its_imports_before_the_review_closes(
    web_review: Store, tmp_path: Path
) -> None:
    """An import thread still writing when a server (or a test) ends met a closed or
    dropped database; the app now waits for its imports, within a bound, first."""
    import threading

    from realist.web.jobs import ImportJobs

    release = threading.Event()

    def work(progress: object) -> imports.FileImport:
        release.wait(10)
        return imports.FileImport(filename="slow.ris", imported=0)

    upload = tmp_path / "spool" / "slow.ris"
    upload.parent.mkdir()
    upload.write_text("")
    jobs = ImportJobs(web_review)
    job = jobs.start("slow.ris", "owner", upload, work)
    assert jobs.wait(timeout=0.2) is False  # still running: says so after the bound
    release.set()
    assert jobs.wait(timeout=10) is True
    ended = jobs.get(job.id)
    assert ended is not None and ended.done and not ended.error
    assert ended.result is not None and ended.result.filename == "slow.ris"
    assert not upload.exists()  # and the upload is gone
