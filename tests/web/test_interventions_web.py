"""The interventions page: a classification sheet edited in place, and its JSON twin."""

from __future__ import annotations

from fastapi.testclient import TestClient

from realist.services import interventions
from realist.store import Store
from realist.store.events import list_events
from realist.web import WebConfig, create_app
from web.conftest import Client
from web.kit import ESCAPED, LOCAL, SCRIPT, token

HTMX = {"HX-Request": "true"}


def _form(client: TestClient, path: str, **fields: str) -> str:
    response = client.post(path, data={**fields, "csrf_token": token(client)}, headers=HTMX)
    assert response.status_code == 200, response.text
    return response.text


def _attributes(store: Store, number: int) -> dict[str, object]:
    found, _ = interventions.list_interventions(store)
    return dict(next(i for i in found if i.number == number).attributes)


def _actions(store: Store, n: int) -> list[str]:
    with store.reading() as connection:
        return [e.action for e in list_events(connection, limit=n)]


def test_the_sheet_edits_cells_columns_rows_and_links(
    client_for: Client, web_review: Store
) -> None:
    client = client_for()
    page = client.get("/interventions")
    assert page.status_code == 200 and "No interventions yet." in page.text
    _form(client, "/interventions", number="1", name="Mums Together")
    sheet = _form(client, "/interventions", number="2", name=SCRIPT)
    assert "Intervention #2 added." in sheet and SCRIPT not in sheet and ESCAPED in sheet
    # A new column is shown until its first value is saved.
    added = client.get("/interventions?add=bp device", headers=HTMX).text
    assert "bp device" in added and "new: fill a cell to keep it" in added
    cell = _form(client, "/interventions/1/cell", attribute="bp device", value="yes")
    assert 'value="yes"' in cell and "#1: bp device saved." in cell
    assert "<table" not in cell  # only the cell comes back: the reviewer keeps their place
    _form(client, "/interventions/2/cell", attribute="bp device", value="no")
    _form(client, "/interventions/2/cell", attribute="sessions", value="6")
    assert _attributes(web_review, 1) == {"bp device": True}
    assert _attributes(web_review, 2) == {"bp device": False, "sessions": 6}
    # An empty cell takes the attribute off that intervention only.
    emptied = _form(client, "/interventions/2/cell", attribute="sessions", value=" ")
    assert "#2: sessions removed." in emptied
    assert _attributes(web_review, 2) == {"bp device": False}
    assert _actions(web_review, 1) == ["intervention.attribute_unset"]
    # Rename and remove a column.
    renamed = _form(client, "/interventions/attributes/rename", attribute="bp device", to="BP")
    assert "bp device renamed BP on 2 interventions." in renamed
    assert _attributes(web_review, 1) == {"BP": True}
    removed = _form(client, "/interventions/attributes/remove", attribute="BP")
    assert "BP removed from 2 interventions." in removed
    assert _attributes(web_review, 1) == {}
    # Rename an intervention, then delete it.
    _form(client, "/interventions/1/name", name="Mums Together (Leeds)")
    assert "Mums Together (Leeds)" in client.get("/interventions").text
    gone = _form(client, "/interventions/1/delete")
    assert "Intervention #1 deleted with 0 attributes" in gone
    assert [i.number for i in interventions.list_interventions(web_review)[0]] == [2]
    assert _actions(web_review, 1) == ["intervention.deleted"]


def test_documents_link_and_unlink(demo_store: Store) -> None:
    client = TestClient(create_app(WebConfig(target=demo_store.target), store=demo_store),
                        base_url=LOCAL)  # fmt: skip
    page = client.get("/interventions").text
    assert "Anderson 2013 [57]" in page and "Link a document to #1" in page
    _form(client, "/interventions/1/documents", key="lynch-2019")
    assert interventions.list_interventions(demo_store)[0][0].document_keys == [
        "anderson-2013", "lynch-2019"
    ]  # fmt: skip
    sheet = _form(client, "/interventions/1/documents/unlink", key="lynch-2019")
    assert "#1: lynch-2019 unlinked." in sheet
    assert interventions.list_interventions(demo_store)[0][0].document_keys == ["anderson-2013"]
    # A mistake is a message, not a page: refused with the reason.
    refused = client.post(
        "/interventions/1/documents/unlink",
        data={"key": "lynch-2019", "csrf_token": token(client)},
        headers=HTMX,
    )
    assert refused.status_code == 404 and "not linked to intervention #1" in refused.text
    assert refused.headers["HX-Retarget"] == "#messages"


def test_the_api_is_the_same_sheet(client_for: Client, web_review: Store) -> None:
    client = client_for()
    csrf = {"X-CSRF-Token": token(client)}
    made = client.post(
        "/api/interventions",
        json={"number": 3, "name": "Phone", "attributes": {"sessions": 8, "online": True}},
        headers=csrf,
    )
    assert made.status_code == 200, made.text
    sheet = made.json()
    assert sheet["attributes"] == ["online", "sessions"]
    assert sheet["interventions"][0] == {
        "number": 3, "name": "Phone", "attributes": {"online": True, "sessions": 8},
        "documents": [],
    }  # fmt: skip
    cleared = client.post(
        "/api/interventions/3/attributes", json={"attribute": "online", "value": None},
        headers=csrf,
    ).json()  # fmt: skip
    assert cleared["interventions"][0]["attributes"] == {"sessions": 8}
    client.post("/api/attributes/rename", json={"attribute": "sessions", "to": "visits"},
                headers=csrf)  # fmt: skip
    assert client.get("/api/interventions").json()["attributes"] == ["visits"]
    deleted = client.delete("/api/interventions/3", headers=csrf).json()
    assert deleted["number"] == 3 and deleted["attributes"] == {"visits": 8}
    missing = client.delete("/api/interventions/3", headers=csrf)
    assert missing.status_code == 404 and "no intervention #3" in missing.json()["error"]
    bad = client.post("/api/attributes/rename", json={"attribute": "x", "to": "number"},
                      headers=csrf)  # fmt: skip
    assert bad.status_code in (400, 404)


def test_a_viewer_reads_the_sheet_without_controls(client_for: Client, web_review: Store) -> None:
    interventions.set_intervention(web_review, 1, "owner", attributes={"country": "UK"})
    html = client_for("vic").get("/interventions").text
    assert "UK" in html and "cell-input" not in html and "Add an intervention" not in html
    assert "can read the interventions but not change them" in html
