"""The reader's MMAT form for a mixed methods study: section 5's criteria, the qualitative
component and the chosen quantitative component, by form (no script) and by the JSON API."""

from __future__ import annotations

import html
from pathlib import Path

from realist.services import documents
from realist.store import Store
from web.conftest import Client
from web.kit import token

KEY = "hall-2019"


def _attach(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "hall.txt"
    path.write_text("A mixed methods evaluation of peer support.\n", encoding="utf-8")
    documents.attach_document(store, path, key=KEY)


def test_a_mixed_methods_form_appraises_both_components(
    web_review: Store, client_for: Client, tmp_path: Path
) -> None:
    _attach(web_review, tmp_path)
    client = client_for()
    page = client.get(f"/documents/{KEY}?mmat=mixed_methods&quantitative=non_randomised").text
    assert "Qualitative component" in page
    assert "Quantitative component: Non randomised" in page
    assert "3.1. Are the participants representative" in page
    form = {
        "category": "mixed_methods", "s1": "yes", "s2": "yes", "csrf_token": token(client),
        **{f"c{n}": "yes" for n in range(1, 6)},
        **{f"q{n}": "yes" if n != 5 else "no" for n in range(1, 6)},
        "quantitative": "non_randomised",
        **{f"k{n}": "cant_tell" if n == 2 else "yes" for n in range(1, 6)},
    }  # fmt: skip
    saved = client.post(f"/documents/{KEY}/mmat", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert "quantitative=non_randomised" in saved.headers["location"]
    shown = html.unescape(client.get(saved.headers["location"]).text)
    assert "5 of 5 criteria met" in shown
    assert "Qualitative component: 4 of 5 met" in shown
    (item,) = client.get(f"/api/documents/{KEY}").json()["mmat"]
    assert item["components"] == [
        {"category": "qualitative", "answers": ["yes"] * 4 + ["no"], "met": 4},
        {"category": "non_randomised",
         "answers": ["yes", "cant_tell", "yes", "yes", "yes"], "met": 4},
    ]  # fmt: skip
    # Without the quantitative component's answers the form is refused, saying why.
    partial = {k: v for k, v in form.items() if not k.startswith("k")}
    refused = client.post(f"/documents/{KEY}/mmat", data=partial)
    assert refused.status_code == 400 and "needs its quantitative component" in refused.text
    # Other categories send no components, whatever the hidden fields hold.
    qualitative = form | {"category": "qualitative"}
    assert client.post(f"/documents/{KEY}/mmat", data=qualitative).status_code in (200, 303)
    (item,) = client.get(f"/api/documents/{KEY}").json()["mmat"]
    assert (item["category"], item["components"]) == ("qualitative", [])


def test_the_api_takes_components(web_review: Store, client_for: Client, tmp_path: Path) -> None:
    _attach(web_review, tmp_path)
    client = client_for()
    body = {
        "category": "mixed_methods", "screening": ["yes", "yes"], "criteria": ["yes"] * 5,
        "components": {"qualitative": ["yes"] * 5, "quantitative_descriptive": ["no"] * 5},
    }  # fmt: skip
    made = client.post(
        f"/api/documents/{KEY}/mmat", json=body, headers={"X-CSRF-Token": token(client)}
    ).json()
    assert [(c["category"], c["met"]) for c in made["components"]] == [
        ("qualitative", 5),
        ("quantitative_descriptive", 0),
    ]
    wrong = client.post(
        f"/api/documents/{KEY}/mmat",
        json=body | {"category": "qualitative"},
        headers={"X-CSRF-Token": token(client)},
    )
    assert wrong.status_code == 400
    assert "only a mixed methods study has components" in wrong.text
