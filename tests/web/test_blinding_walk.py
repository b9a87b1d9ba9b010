"""Blinded dual screening, walked as reviewer B and as a viewer: every GET route of the app,
every report, export and archive they may download, and the JSON API.

Reviewer A ("aster") has voted on records that B ("bryony") has not decided, with a note
that carries a marker; the demo's owner ("jm") has voted on the demo's own records, which
nobody else has decided. Until a second reviewer decides a record, nothing B or the viewer
can reach may reveal those votes: not their way, not their notes, not which records are
awaiting a second vote. One record both A and B decided ("maybe") shows both votes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.routing import Route

from realist.domain.review import ReviewerRole
from realist.domain.screening import Decision, ScreeningMode, Stage
from realist.reports.kinds import KINDS
from realist.services import accounts, coding, imports, screening
from realist.services.blinding import DOWNLOADS, Access
from realist.store import Store
from realist.store.schema import record
from realist.web import WebConfig, create_app
from web.kit import LOCAL, PASSWORD, ris, sign_in

A, B, VIEWER, OWNER = "aster", "bryony", "vic", "jm"
MARKER = "ZQX-aster-private-note"
TA = Stage.TITLE_ABSTRACT
# A reviewer's key next to an include/exclude: "aster: include", "aster: 1 include",
# '"aster": {"include": 1'. A's only revealed vote is a maybe; jm's votes are all blinded.
LEAKS = [re.compile(rf"\b{who}\W{{1,6}}(\d+ )?(include|exclude)\b") for who in (A, OWNER)]


class Walk:
    """The review the walk is made on, and the ids to fill routes' path parameters with."""

    def __init__(self, store: Store, blinded: list[int], revealed: int, untouched: int) -> None:
        self.store = store
        self.blinded = blinded  # records only A decided
        self.revealed = revealed  # A and B both decided: maybe
        self.untouched = untouched  # nobody decided it
        first = coding.list_excerpts(store)[0]  # the demo codes the paper's own text
        self.excerpt = first.id
        self.document = first.document_key


@pytest.fixture
def walk(demo_store: Store, tmp_path: Path) -> Iterator[Walk]:
    store = demo_store
    accounts.add_account(store, OWNER, PASSWORD)
    accounts.add_account(store, A, PASSWORD, role=ReviewerRole.REVIEWER)
    accounts.add_account(store, B, PASSWORD, role=ReviewerRole.REVIEWER)
    accounts.add_account(store, VIEWER, PASSWORD, role=ReviewerRole.VIEWER)
    path = tmp_path / "search.ris"
    path.write_text(ris("Peer support trial", "Doula study", "Mentor cohort", "Fourth one"))
    imports.import_file(store, path, source_name="Scopus", reviewer=OWNER)
    ids = _imported_ids(store)
    screening.set_screening_mode(store, ScreeningMode.DUAL, OWNER)
    code = screening.criteria(store)[0].code
    screening.screen(store, ids[0], TA, Decision.INCLUDE, A, note=f"{MARKER} keep")
    screening.screen(store, ids[1], TA, Decision.EXCLUDE, A, code, note=f"{MARKER} out")
    screening.screen(store, ids[2], TA, Decision.MAYBE, A, note="both saw this")
    screening.screen(store, ids[2], TA, Decision.MAYBE, B, note="both saw this")
    yield Walk(store, ids[:2], ids[2], ids[3])


def _imported_ids(store: Store) -> list[int]:
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(record.c.id).where(record.c.batch_id.is_not(None)).order_by(record.c.id)
        )
        return [r.id for r in rows]


def _client(store: Store, who: str) -> TestClient:
    config = WebConfig(target=store.target, local=False, allowed_hosts=("*",))
    client = TestClient(create_app(config, store=store), base_url=LOCAL)
    sign_in(client, who)
    return client


def _values(walk: Walk, name: str) -> list[str]:
    """Values to fill a path parameter with."""
    records = [*walk.blinded, walk.revealed, 1]
    return {
        "record_id": [str(r) for r in records],
        "job_id": ["no-such-job"],
        "key": [walk.document],
        "excerpt_id": [str(walk.excerpt)],
        "identifier": ["1"],
        "fmt": ["ris", "csv", "xlsx"],
    }[name]


def _urls(walk: Walk, path: str) -> list[str]:
    """Every URL the walk asks of one GET route."""
    if path == "/api/reports/{kind}.{fmt}":
        urls = [f"/api/reports/{k}.{f}" for k, entry in KINDS.items() for f in entry.formats]
        return [*urls, "/api/reports/evidence-matrix.csv?by=documents"]
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    urls = [path]
    for name in names:
        pattern = re.compile(r"{" + name + r"(?::\w+)?}")
        urls = [pattern.sub(value, u) for u in urls for value in _values(walk, name)]
    extra: dict[str, list[str]] = {
        "/api/exports/records.{fmt}": [f"?with_decisions={w}" for w in ("true", "false")],
        "/screening": ["", "?stage=full_text"],
        "/screening/card": ["", "?stage=full_text"],
        "/api/screening": ["", "?stage=full_text"],
        "/screening/conflicts": ["", "?stage=full_text"],
        "/api/screening/conflicts": ["", "?stage=full_text"],
        "/records": ["", *_filters()],
        "/api/records": ["", *_filters()],
    }
    return [u + q for u in urls for q in extra.get(path, [""])]


def _filters() -> list[str]:
    outcomes = ["awaiting_second", "undecided", "include", "exclude", "maybe", "conflict"]
    return [
        f"?stage={stage}&outcome={o}" for stage in ("title_abstract", "full_text") for o in outcomes
    ]


def _text(response: Any) -> str:
    """Everything a response says, with zip-based files (XLSX, DOCX, QDPX, archives)
    unpacked; images are pictures, not text."""
    kind = response.headers.get("content-type", "")
    body = response.content
    if kind.startswith("image/png"):
        return ""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as packed:
            return "\n".join(packed.read(n).decode("utf-8", "replace") for n in packed.namelist())
    return str(body.decode("utf-8", "replace"))


def _json_leaks(walk: Walk, data: Any, where: str) -> Iterator[str]:
    """A's or jm's blinded votes, or a blinded record said to await a second vote."""
    if isinstance(data, dict):
        who = data.get("reviewer") or data.get("who")
        if who in (A, OWNER) and data.get("decision") in ("include", "exclude"):
            yield f"{where}: a blinded vote {data}"
        if data.get("id") in walk.blinded and "awaiting_second" in json.dumps(data):
            yield f"{where}: record {data.get('id')} shown as awaiting a second vote"
        votes = data.get("votes")
        if isinstance(votes, dict) and OWNER in votes:
            yield f"{where}: jm's blinded votes counted {votes[OWNER]}"
        for value in data.values():
            yield from _json_leaks(walk, value, where)
    elif isinstance(data, list):
        for value in data:
            yield from _json_leaks(walk, value, where)


def _html_leaks(walk: Walk, text: str, where: str) -> Iterator[str]:
    """A row of a records list that says a blinded record awaits a second vote."""
    for rid in walk.blinded:
        for row in re.findall(rf'href="/records/{rid}".*?</tr>', text, re.S):
            if "awaiting" in row:
                yield f"{where}: record {rid} shown as awaiting a second vote"


def _csv_leaks(walk: Walk, text: str, where: str) -> Iterator[str]:
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    for row in rows:
        rid = row.get("id", "")
        if rid.isdigit() and int(rid) in walk.blinded and "awaiting_second" in row.values():
            yield f"{where}: record {row['id']} shown as awaiting a second vote"


def get_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """Every GET route of the app with its full path, through included routers."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI keeps an included router whole
            yield from get_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route) and "GET" in (route.methods or set()):
            yield prefix + route.path, route


def _responses(client: TestClient, urls: list[str]) -> Iterator[tuple[str, Any]]:
    """Each URL's answer; a page's htmx fragment (the same URL asked by htmx) too."""
    for url in urls:
        response = client.get(url)
        yield url, response
        if response.headers.get("content-type", "").startswith("text/html"):
            yield f"{url} (htmx)", client.get(url, headers={"HX-Request": "true"})


def _walk_as(walk: Walk, who: str) -> tuple[list[str], set[str]]:
    client = _client(walk.store, who)
    leaks: list[str] = []
    visited: set[str] = set()
    for path, _ in get_routes(client.app.routes):  # type: ignore[attr-defined]
        for url, response in _responses(client, _urls(walk, path)):
            assert response.status_code < 500, f"{url}: {response.status_code}"
            visited.add(path)
            text = _text(response)
            if MARKER in text:
                leaks.append(f"{url}: A's note")
            leaks += [f"{url}: {m.group(0)!r}" for p in LEAKS for m in p.finditer(text)]
            if "json" in response.headers.get("content-type", ""):
                leaks += list(_json_leaks(walk, response.json(), url))
            if url.startswith("/records"):
                leaks += list(_html_leaks(walk, text, url))
            if url.startswith("/api/exports/records.csv"):
                leaks += list(_csv_leaks(walk, text, url))
    return leaks, visited


@pytest.mark.parametrize("who", [B, VIEWER])
def test_nothing_reachable_reveals_a_vote_still_blinded(walk: Walk, who: str) -> None:
    leaks, visited = _walk_as(walk, who)
    client = _client(walk.store, who)
    every_get = {path for path, _ in get_routes(client.app.routes)}  # type: ignore[attr-defined]
    assert len(every_get) > 60 and visited == every_get  # no GET route left out
    assert leaks == [], "\n".join(leaks[:40])
    # The record both decided shows both votes: the walk would see a leak if it were there.
    page = client.get(f"/api/records/{walk.revealed}").json()["stages"]["title_abstract"]
    assert page["outcome"] == "maybe"
    assert sorted(d["reviewer"] for d in page["decisions"]) == [A, B]
    # A record A voted on reads exactly as one nobody voted on: not even the fact shows.
    untouched = client.get(f"/api/records/{walk.untouched}").json()["stages"]
    for rid in walk.blinded:
        assert client.get(f"/api/records/{rid}").json()["stages"] == untouched
    assert untouched["title_abstract"] == {"outcome": "undecided", "blinded": True, "decisions": []}
    # Finding: the criteria page counted the citation in A's blinded exclusion, telling
    # that someone had excluded a record, and why. An owner (who may take every vote)
    # counts it; B and the viewer do not.
    code = screening.criteria(walk.store)[0].code
    owner = _client(walk.store, OWNER)
    cited = {c["code"]: c["cited"] for c in owner.get("/api/criteria").json()["criteria"]}
    seen = {c["code"]: c["cited"] for c in client.get("/api/criteria").json()["criteria"]}
    assert cited[code] == seen[code] + 1
    # The archive holds every vote: refused while any is blinded, except to an owner.
    assert client.get("/api/exports/review.realist.zip").status_code == 403
    assert owner.get("/api/exports/review.realist.zip").status_code == 200


def test_the_download_role_table_in_security_md_is_the_codes() -> None:
    """docs/SECURITY.md's table of who may download what is services.blinding.DOWNLOADS."""
    text = (Path(__file__).parents[2] / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    table = text.split("<!-- downloads table:")[1].split("\n\n")[0]
    rows = [line.strip("| ").split(" | ") for line in table.splitlines()[3:]]
    roles = (ReviewerRole.OWNER, ReviewerRole.REVIEWER, ReviewerRole.VIEWER)
    expected = [[name, *(access[r].value for r in roles)] for name, access in DOWNLOADS.items()]
    assert rows == expected
    assert DOWNLOADS["whole-review archive (review.realist.zip)"][ReviewerRole.REVIEWER] is (
        Access.REFUSED
    )
