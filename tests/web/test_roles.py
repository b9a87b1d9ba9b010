"""Each role sees every page it may and is refused (403) what it may not."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web.conftest import Client
from web.kit import sign_in, token

PAGES = [
    "/",
    "/records",
    "/records/import",
    "/records/duplicates",
    "/records/1",
    "/records/strategy",
    "/screening",
    "/screening?stage=full_text",
    "/screening/card",
    "/screening/conflicts",
    "/screening/agreement",
    "/documents",
    "/theories",
    "/explore",
    "/reports",
    "/api/docs",
    "/api/openapi.json",
    "/api/session",
    "/api/dashboard",
    "/api/prisma",
    "/api/prisma.svg",
    "/api/records",
    "/api/records/1",
    "/api/strategy",
    "/api/duplicates",
    "/api/screening",
    "/api/screening/conflicts",
    "/api/screening/agreement",
    "/explore?dimension=intervention",
    "/explore/cell?dimension=intervention&configuration=1&value=%231",
    "/explore/applies?q=telephone+volunteers",
    "/explore/search?q=peer",
    "/explore/framework",
    "/api/explore/matrix",
    "/api/explore/cell?dimension=intervention&configuration=1&value=%231",
    "/api/explore/applies?q=telephone",
    "/api/explore/search?q=peer",
    "/api/explore/framework",
    "/api/reports",
    "/api/reports/review.html",
    "/api/reports/cmo-tables.xlsx",
    "/api/reports/network.png",
    "/api/exports/records.ris",
    "/api/exports/records.xlsx?with_decisions=true",
    "/api/exports/review.qdpx",
    "/api/exports/review.realist.zip",
    "/api/exports/prisma.csv",
    "/theories/model",
    "/theories/new",
    "/api/documents",
    "/api/theories",
    "/api/theories/model",
    "/interventions",
    "/interventions?add=country",
    "/api/interventions",
    "/screening/criteria",
    "/records/batches",
    "/api/criteria",
    "/api/batches",
]
OWNER_ONLY = ["/accounts", "/api/accounts"]
# (method, path, form or JSON body, permission needed): one per kind of change.
CHANGES = [
    (
        "form",
        "/screening/decide",
        {"record_id": "1", "stage": "title_abstract", "decision": "include"},
        "edit",
    ),
    ("form", "/screening/undo", {"stage": "title_abstract"}, "edit"),
    ("json", "/api/screening/decisions", {"record_id": 2, "decision": "maybe"}, "edit"),
    ("form", "/records/duplicates/run", {}, "edit"),
    ("form", "/records/strategy/sources", {"name": "Scopus", "searched": "2024-03-01"}, "edit"),
    ("json", "/api/strategy/blocks", {"name": "Population", "terms": ["teacher*"]}, "edit"),
    ("form", "/records/strategy/question", {"question": "What works?"}, "edit"),
    ("json", "/api/duplicates/run", {}, "edit"),
    ("form", "/screening/mode", {"mode": "dual"}, "manage"),
    ("json", "/api/accounts", {"key": "zed", "password": "long enough passphrase"}, "manage"),
    ("form", "/accounts/vic/role", {"role": "viewer"}, "manage"),
    ("form", "/theories/topics", {"key": "equity", "name": "Equity"}, "edit"),
    ("json", "/api/theories/topics", {"key": "access", "name": "Access"}, "edit"),
    ("form", "/theories/new", {"identifier": "9", "topic": "equity"}, "edit"),
    ("json", "/api/theories", {"identifier": "10", "topic": "access"}, "edit"),
    ("form", "/theories/9/edit", {"title": "Nine", "why": "a title"}, "edit"),
    ("json", "/api/theories/10/verdict", {"rationale": "not yet", "untested": True}, "edit"),
    ("form", "/theories/9/memo", {"text": "a memo"}, "edit"),
    ("json", "/api/theories/10/merge", {"into": "9", "rationale": "the same"}, "edit"),
    ("form", "/interventions", {"number": "5"}, "edit"),
    ("form", "/interventions/5/cell", {"attribute": "country", "value": "UK"}, "edit"),
    ("json", "/api/interventions", {"number": 6, "attributes": {"online": True}}, "edit"),
    ("json", "/api/attributes/rename", {"attribute": "online", "to": "remote"}, "edit"),
    ("form", "/interventions/5/delete", {}, "edit"),
    # corrections: criteria, terms, topics, configurations, batches, people
    ("form", "/screening/criteria", {"code": "E-X", "text": "x"}, "edit"),
    ("form", "/screening/criteria/E-X/edit", {"text": "Not x"}, "edit"),
    ("form", "/screening/criteria/E-X/retire", {"retired": "true"}, "edit"),
    ("form", "/screening/criteria/E-X/delete", {}, "edit"),
    ("json", "/api/criteria", {"code": "E-Y", "text": "why"}, "edit"),
    ("patch", "/api/criteria/E-Y", {"text": "y"}, "edit"),
    ("json", "/api/criteria/E-Y/retire", {"retired": True}, "edit"),
    ("delete", "/api/criteria/E-Y", {}, "edit"),
    ("form", "/screening/terms", {"terms": "nurse", "kind": "exclusion"}, "edit"),
    ("form", "/screening/terms/remove", {"term": "nurse", "kind": "exclusion"}, "edit"),
    ("json", "/api/terms", {"terms": ["doula"], "kind": "inclusion"}, "edit"),
    ("delete", "/api/terms?term=doula", {}, "edit"),
    ("form", "/theories/topics/equity/edit", {"name": "Equity of access"}, "edit"),
    ("patch", "/api/theories/topics/equity", {"negative": True}, "edit"),
    ("form", "/theories/10/rename", {"new_identifier": "11"}, "edit"),
    ("json", "/api/theories/11/rename", {"identifier": "12"}, "edit"),
    ("form", "/theories/12/delete", {"force": "true"}, "edit"),
    ("delete", "/api/theories/9?force=true", {}, "edit"),
    ("form", "/theories/topics/access/delete", {}, "edit"),
    ("delete", "/api/theories/topics/equity", {}, "edit"),
    ("form", "/records/batches/1/move", {"source": "Scopus", "source_kind": "register"}, "edit"),
    ("patch", "/api/batches/1", {"source": "Scopus", "source_kind": "database"}, "edit"),
    ("form", "/accounts/people", {"key": "kim"}, "manage"),
    ("form", "/accounts/kim/name", {"name": "Kim"}, "manage"),
    ("form", "/accounts/kim/retire", {"retired": "true"}, "manage"),
    ("form", "/accounts/kim/delete", {}, "manage"),
    ("json", "/api/reviewers", {"key": "lee"}, "manage"),
    ("patch", "/api/reviewers/lee", {"name": "Lee"}, "manage"),
    ("json", "/api/reviewers/lee/retire", {"retired": True}, "manage"),
    ("delete", "/api/reviewers/lee", {}, "manage"),
    ("delete", "/api/batches/1", {}, "edit"),  # last: its records go
]
GRANTED = {"owner": {"edit", "manage"}, "bob": {"edit"}, "vic": set()}


def _post(client: TestClient, kind: str, path: str, body: dict[str, object]) -> int:
    csrf = token(client)
    if kind == "json":
        return client.post(path, json=body, headers={"X-CSRF-Token": csrf}).status_code
    if kind in ("patch", "delete"):
        sent = client.request(kind.upper(), path, json=body or None, headers={"X-CSRF-Token": csrf})
        return sent.status_code
    data = {k: str(v) for k, v in body.items()} | {"csrf_token": csrf}
    return client.post(path, data=data, follow_redirects=False).status_code


@pytest.mark.parametrize("who", ["owner", "bob", "vic"])
def test_every_page_opens_for_every_role(client_for: Client, who: str) -> None:
    client = client_for(who)
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    for path in OWNER_ONLY:
        assert client.get(path).status_code == (200 if who == "owner" else 403), path


@pytest.mark.parametrize("who", ["owner", "bob", "vic"])
def test_changes_need_the_right_role(client_for: Client, who: str) -> None:
    client = client_for(who)
    for kind, path, body, needs in CHANGES:
        status = _post(client, kind, path, body)
        if needs in GRANTED[who]:
            assert status in (200, 303), (path, status)
        else:
            assert status == 403, (path, status)


def test_viewer_cannot_screen_and_sees_why(client_for: Client) -> None:
    client = client_for("vic")
    page = client.get("/screening")
    assert "can read the screening but not decide" in page.text
    assert 'id="decide-form"' not in page.text
    refused = client.post(
        "/screening/decide",
        data={
            "record_id": "1",
            "stage": "title_abstract",
            "decision": "include",
            "csrf_token": token(client),
        },
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 403
    assert refused.headers["HX-Retarget"] == "#messages"
    assert "viewer" in refused.text


def test_reviewer_cannot_manage_accounts(client_for: Client) -> None:
    client = client_for("bob")
    assert client.get("/accounts").status_code == 403
    assert "People</a>" not in client.get("/").text
    assert "People</a>" in client_for("owner").get("/").text


def test_roles_apply_when_signed_in_too(client_for: Client) -> None:
    client = client_for(local=False)
    sign_in(client, "vic")
    assert client.get("/records").status_code == 200
    assert _post(client, "json", "/api/duplicates/run", {}) == 403
