"""The JSON API (documented by OpenAPI, served without a CDN) and what every page shares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from fastapi.testclient import TestClient

import realist
from realist.demo import CREDIT
from realist.store import Store
from realist.web import WebConfig, create_app
from realist.web.nav import AREAS
from web.conftest import Client
from web.kit import LOCAL

API = [
    "/api/session",
    "/api/dashboard",
    "/api/prisma",
    "/api/prisma.svg",
    "/api/screening/recall.svg",
    "/api/records",
    "/api/records/import",
    "/api/records/import/{job_id}",
    "/api/records/{record_id}",
    "/api/strategy",
    "/api/strategy/question",
    "/api/strategy/blocks",
    "/api/strategy/sources",
    "/api/duplicates",
    "/api/duplicates/merge",
    "/api/duplicates/run",
    "/api/duplicates/{group_id}",
    "/api/duplicates/{group_id}/undo",
    "/api/screening",
    "/api/screening/decisions",
    "/api/screening/undo",
    "/api/screening/mode",
    "/api/screening/order",
    "/api/screening/conflicts",
    "/api/screening/conflicts/{record_id}",
    "/api/screening/agreement",
    "/api/accounts",
    "/api/accounts/{key}/role",
    "/api/explore/matrix",
    "/api/explore/cell",
    "/api/explore/applies",
    "/api/explore/search",
    "/api/explore/framework",
    "/api/reports",
    "/api/reports/{kind}.{fmt}",
    "/api/exports/records.{fmt}",
    "/api/exports/review.qdpx",
    "/api/exports/review.realist.zip",
    "/api/exports/prisma.csv",
    "/api/documents",
    "/api/documents/{key}",
    "/api/documents/{key}/codings",
    "/api/documents/{key}/configurations",
    "/api/documents/{key}/mmat",
    "/api/excerpts/{excerpt_id}",
    "/api/excerpts/{excerpt_id}/appraisal",
    "/api/codings/{coding_id}",
    "/api/theories",
    "/api/theories/model",
    "/api/theories/topics",
    "/api/theories/{identifier}",
    "/api/theories/{identifier}/edit",
    "/api/theories/{identifier}/split",
    "/api/theories/{identifier}/merge",
    "/api/theories/{identifier}/verdict",
    "/api/theories/{identifier}/memo",
    "/api/interventions",
    "/api/interventions/{number}",
    "/api/interventions/{number}/attributes",
    "/api/interventions/{number}/documents",
    "/api/interventions/{number}/documents/{key}",
    "/api/attributes/rename",
    "/api/attributes/remove",
    # corrections (issue 10, section 5)
    "/api/criteria",
    "/api/criteria/{code}",
    "/api/criteria/{code}/retire",
    "/api/terms",
    "/api/batches",
    "/api/batches/{batch_id}",
    "/api/documents/{key}/edit",
    "/api/documents/{key}/rename",
    "/api/theories/topics/{key}",
    "/api/theories/{identifier}/rename",
    "/api/reviewers",
    "/api/reviewers/{key}",
    "/api/reviewers/{key}/retire",
]


def test_openapi_lists_the_api_and_only_the_api(client_for: Client) -> None:
    spec = client_for().get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Realist"
    assert sorted(spec["paths"]) == sorted(API)
    assert "ScreeningPage" in spec["components"]["schemas"]
    docs = client_for().get("/api/docs").text
    for path in API:
        assert f"<code>{path}</code>" in docs
    assert "cdn" not in docs.lower() and "swagger" not in docs.lower()
    assert client_for().get("/docs").status_code == 404


def test_dashboard_json_and_page_on_the_demo(demo_store: Store) -> None:
    client = TestClient(
        create_app(WebConfig(target=demo_store.target), store=demo_store), base_url=LOCAL
    )
    data = client.get("/api/dashboard").json()
    assert list(data) == [
        "title",
        "is_demo",
        "credit",
        "screening_mode",
        "stages",
        "next_steps",
        "problems",
        "prisma_svg",
        "status",
    ]
    assert data["is_demo"] is True and data["credit"] == CREDIT
    assert data["status"]["records"] == {"total": 29, "duplicates": 0, "unique": 29}
    stages = {s["key"]: s["count"] for s in data["stages"]}
    assert stages["documents"] == 29 and stages["configurations"] == 34
    details = {s["key"]: s["detail"] for s in data["stages"]}
    assert details["records"] == "0 duplicates merged, 29 unique"
    assert details["documents"] == "23 peer reviewed articles, 3 reports, 3 theses"
    assert details["excerpts"] == "153 codings"
    steps = {s["what"]: s["count"] for s in data["next_steps"]}
    assert steps.get("Configurations without evidence", 0) >= 0
    page = client.get("/").text
    assert "McLeish J, Ayers S, McCourt C" in page and "CC BY 4.0" in page
    assert '<img src="/api/prisma.svg"' in page
    svg = client.get("/api/prisma.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "PRISMA 2020" in svg.text
    assert client.get("/api/prisma").json()["database_results"] == 5126


def test_every_page_has_the_layout_and_security_headers(client_for: Client) -> None:
    client = client_for()
    page = client.get("/records")
    for area in AREAS:
        assert f'<a href="{area.path}"' in page.text, area.key
    assert re.search(r'<a href="/records" aria-current="page">\s*Records\s*</a>', page.text)
    assert '<meta name="csrf-token" content="' in page.text
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "http" not in page.text.split("<body", 1)[0].replace('content="width', "")


def test_areas_not_built_yet_say_what_they_will_hold(client_for: Client) -> None:
    client = client_for()
    for area in AREAS:
        page = client.get(area.path)
        assert page.status_code == 200
        if not area.built:
            assert "not built yet" in page.text and area.summary.split(",")[0] in page.text


def test_assets_are_served_from_the_package(client_for: Client) -> None:
    client = client_for()
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:200]
    assert "Zero-Clause BSD" in client.get("/static/vendor/htmx.LICENSE").text
    for asset in ("/static/css/realist.css", "/static/js/realist.js", "/static/js/screening.js"):
        assert client.get(asset).status_code == 200, asset


def test_the_favicon_is_linked_and_served_to_anyone(client_for: Client) -> None:
    page = client_for().get("/records").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    shared = client_for(local=False)  # not signed in: browsers ask before anyone signs in
    for path in ("/static/favicon.svg", "/favicon.ico"):
        icon = shared.get(path, follow_redirects=False)
        assert icon.status_code == 200, path
        assert icon.headers["content-type"].startswith("image/svg+xml"), path
        assert icon.text.startswith("<svg "), path


def test_every_template_and_static_file_is_package_data() -> None:
    """An installed Realist has only the files pyproject's package-data patterns name: a
    template or asset they miss works from a checkout but is missing from the wheel."""
    root = Path(realist.__file__).parent
    settings = tomllib.loads((root.parent.parent / "pyproject.toml").read_text())
    patterns = settings["tool"]["setuptools"]["package-data"]["realist"]
    packaged = {path for pattern in patterns for path in root.glob(pattern) if path.is_file()}
    web = {
        path
        for folder in ("web/static", "web/templates")
        for path in (root / folder).rglob("*")
        if path.is_file()
    }
    assert (root / "web/static/favicon.svg") in web
    assert sorted(str(p.relative_to(root)) for p in web - packaged) == []


def test_errors_come_back_in_the_form_asked_for(client_for: Client) -> None:
    client = client_for()
    assert client.get("/api/records/import/missing").json() == {
        "error": "no import missing (the server may have restarted; check the records)"
    }
    page = client.get("/records/import/missing")
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    assert client.get("/api/screening?stage=third").status_code == 422
