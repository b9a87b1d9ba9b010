"""The theory board: cards by topic, edit with a reason, create, split, merge, verdicts,
memos, and the final model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from realist.domain.appraisal import Grade
from realist.domain.coding import Stance
from realist.domain.theory import MechanismKind, Origin, Role, Verdict
from realist.services import coding, documents, theories
from realist.store import Store
from realist.web import WebConfig, create_app
from web.conftest import Client
from web.kit import LOCAL, token

TEXT = "Mothers felt heard by peers. Volunteers were kind. Some felt judged by others."


@pytest.fixture
def review(web_review: Store, tmp_path: Path) -> Iterator[Store]:
    """Two topics, three configurations, and excerpts coded to the first."""
    theories.add_topic(web_review, "take_up", "Take-up", "owner")
    theories.add_topic(web_review, "harm", "Negative impact", "owner", negative=True)
    coding.create_configuration(
        web_review,
        "1",
        "take_up",
        "owner",
        title="Feeling heard",
        statement="If a mother is heard, then she stays, because she feels accepted.",
        contexts=["a mother who wants to talk"],
        mechanisms=[("peers listen", MechanismKind.RESOURCE), ("she feels accepted", None)],
        outcomes=["she stays"],
    )
    coding.create_configuration(web_review, "2", "take_up", "owner", title="Kind volunteers")
    coding.create_configuration(web_review, "N1", "harm", "owner", title="Judged")
    path = tmp_path / "study.txt"
    path.write_text(TEXT)
    documents.attach_document(web_review, path, key="study")
    heard = coding.create_excerpt(web_review, "study", 0, 28, "owner", rigour=Grade.HIGH)
    coding.code_excerpt(web_review, heard.id or 0, "1", "owner")
    coding.code_excerpt(
        web_review, heard.id or 0, "1", "owner", role=Role.MECHANISM, position=1,
        stance=Stance.REFINES,
    )  # fmt: skip
    yield web_review


def _post(client: TestClient, path: str, **form: str) -> int:
    data = form | {"csrf_token": token(client)}
    return client.post(path, data=data, follow_redirects=False).status_code


def _card(client: TestClient, identifier: str) -> dict[str, object]:
    card = client.get(f"/api/theories/{identifier}").json()["card"]
    assert isinstance(card, dict)
    return card


def test_the_board_groups_cards_by_topic(review: Store, client_for: Client) -> None:
    client = client_for()
    board = client.get("/api/theories").json()
    assert [(t["key"], [c["identifier"] for c in t["cards"]]) for t in board["topics"]] == [
        ("take_up", ["1", "2"]),
        ("harm", ["N1"]),
    ]
    first = board["topics"][0]["cards"][0]
    assert first["evidence"] == {"supports": 1, "refutes": 0, "refines": 1, "excerpts": 1}
    assert first["mechanisms"][0] == {
        "role": "mechanism", "position": 0, "text": "peers listen", "kind": "resource",
    }  # fmt: skip
    assert first["proposed"]["verdict"] == "refined" and first["verdict"] is None
    assert [t["next_identifier"] for t in board["topics"]] == ["3", "N2"]
    page = client.get("/theories").text
    assert 'id="topic-take_up"' in page and 'id="topic-harm"' in page
    assert "If a mother is heard, then she stays" in page
    assert '<span class="kind">resource</span> peers listen' in page
    assert "1 supporting" in page and "1 refining" in page


def test_edit_needs_a_reason_and_keeps_history(review: Store, client_for: Client) -> None:
    client = client_for()
    assert _post(client, "/theories/1/edit", statement="Changed", why="  ") == 400
    assert _post(client, "/theories/1/edit", statement="Changed") == 400
    assert _card(client, "1")["statement"].startswith("If a mother")  # type: ignore[union-attr]
    status = _post(
        client, "/theories/1/edit", title="Feeling heard", statement="If heard, then stays.",
        contexts="a mother who wants to talk", mechanisms="peers listen\nshe feels accepted",
        outcomes="she stays\nshe recommends it", why="the second study adds an outcome",
    )  # fmt: skip
    assert status == 303
    card = _card(client, "1")
    assert card["statement"] == "If heard, then stays."
    assert [o["text"] for o in card["outcomes"]] == ["she stays", "she recommends it"]  # type: ignore[union-attr]
    assert card["mechanisms"][0]["kind"] == "resource"  # type: ignore[index]
    (earlier,) = card["history"]  # type: ignore[misc]
    assert earlier["why"] == "the second study adds an outcome" and earlier["reviewer"] == "owner"
    assert earlier["before"]["statement"].startswith("If a mother")
    assert card["evidence"]["excerpts"] == 1  # type: ignore[index]  # codings survived
    page = client.get("/theories/1?saved=edited").text
    assert "the second study adds an outcome" in page and "Saved: the previous wording" in page
    api = client.post(
        "/api/theories/1/edit",
        json={"why": "typo", "title": "Feeling heard by peers"},
        headers={"X-CSRF-Token": token(client)},
    )
    assert api.status_code == 200 and len(api.json()["card"]["history"]) == 2
    no_reason = client.post(
        "/api/theories/1/edit", json={"title": "x"}, headers={"X-CSRF-Token": token(client)}
    )
    assert no_reason.status_code == 422


def test_create_also_from_an_excerpt(review: Store, client_for: Client) -> None:
    client = client_for()
    form = client.get("/theories/new?topic=harm").text
    assert 'id="new-identifier" name="identifier" required maxlength="32" value="N2"' in form
    assert _post(
        client, "/theories/new", identifier="N2", topic="harm", title="Endings hurt",
        statement="If a group ends, then she is distressed.", contexts="a group that ends",
        mechanisms="reasoning: loss of support", outcomes="",
    ) == 303  # fmt: skip
    made = _card(client, "N2")
    assert made["origin"] == "inductive" and made["partial"] is True
    assert made["mechanisms"] == [  # type: ignore[comparison-overlap]
        {"role": "mechanism", "position": 0, "text": "loss of support", "kind": "reasoning"}
    ]
    (excerpt,) = coding.list_excerpts(review, "study")
    page = client.get(f"/theories/new?excerpt={excerpt.id}").text
    assert "Mothers felt heard by peers." in page
    assert f'name="excerpt" value="{excerpt.id}"' in page
    status = _post(
        client, "/theories/new", identifier="3", topic="take_up", title="Heard",
        excerpt=str(excerpt.id), stance="refutes",
    )  # fmt: skip
    assert status == 303
    assert _card(client, "3")["evidence"] == {  # type: ignore[comparison-overlap]
        "supports": 0, "refutes": 1, "refines": 0, "excerpts": 1,
    }  # fmt: skip
    assert _post(client, "/theories/new", identifier="3", topic="take_up") == 400  # exists
    api = client.post(
        "/api/theories",
        json={"identifier": "4", "topic": "take_up", "outcomes": ["she stays"]},
        headers={"X-CSRF-Token": token(client)},
    )
    assert api.status_code == 200 and api.json()["card"]["outcomes"][0]["text"] == "she stays"


def test_split_copies_parts_and_records_why(review: Store, client_for: Client) -> None:
    client = client_for()
    response = client.post(
        "/theories/1/split",
        data={"new_identifier": "1b", "parts": ["context:0", "mechanism:1"],
              "why": "acceptance works apart from listening", "csrf_token": token(client)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/theories/1b?saved=split"
    new = _card(client, "1b")
    assert [p["text"] for p in new["contexts"]] == ["a mother who wants to talk"]  # type: ignore[union-attr]
    assert [p["text"] for p in new["mechanisms"]] == ["she feels accepted"]  # type: ignore[union-attr]
    assert new["partial"] is True and new["topic"] == "take_up"
    assert "acceptance works apart from listening" in str(new["source_note"])
    original = _card(client, "1")
    assert len(original["mechanisms"]) == 2  # type: ignore[arg-type]  # kept
    assert original["history"][0]["why"].startswith("split into 1b")  # type: ignore[index]
    assert _post(client, "/theories/1/split", new_identifier="1c", why="x") == 400  # no parts
    assert _post(client, "/theories/1/split", new_identifier="1c", parts="mechanism:0") == 400


def test_merge_moves_codings_and_marks_the_other_unsupported(
    review: Store, client_for: Client
) -> None:
    client = client_for()
    assert _post(client, "/theories/1/merge", into="2", rationale="") == 400
    assert _post(client, "/theories/1/merge", into="1", rationale="same") == 400
    assert _post(client, "/theories/1/merge", into="2", rationale="the same idea") == 303
    merged = _card(client, "1")
    assert merged["verdict"] == "not_supported"
    assert "Merged into 2: the same idea" in str(merged["rationale"])
    assert merged["evidence"]["excerpts"] == 0  # type: ignore[index]
    kept = _card(client, "2")
    # Both codings moved; "2" has no mechanism, so the part's coding is now to "2" as a whole.
    assert kept["evidence"] == {"supports": 1, "refutes": 0, "refines": 1, "excerpts": 1}
    (excerpt,) = coding.list_excerpts(review, "study")
    assert {(c.configuration_identifier, c.role) for c in excerpt.codings} == {
        ("2", Role.CONFIGURATION)
    }


def test_verdict_confirm_or_override_with_a_rationale(review: Store, client_for: Client) -> None:
    client = client_for()
    assert _post(client, "/theories/1/verdict", rationale="") == 400
    assert _post(client, "/theories/1/verdict", rationale="three studies agree") == 303
    card = _card(client, "1")
    assert card["verdict"] == "refined" and card["agrees"] is True  # the proposal
    overridden = client.post(
        "/api/theories/1/verdict",
        json={"verdict": "supported", "rationale": "the refinement is minor"},
        headers={"X-CSRF-Token": token(client)},
    ).json()["card"]
    assert overridden["verdict"] == "supported" and overridden["agrees"] is False
    assert overridden["history"][-1]["why"] == "verdict supported: the refinement is minor"
    assert "differs from the proposal" in client.get("/theories").text
    assert theories.show_theory(review, "1").configuration.verdict is Verdict.SUPPORTED


def test_memo_versions(review: Store, client_for: Client) -> None:
    client = client_for()
    assert _post(client, "/theories/N1/memo", text="Check downward comparison") == 303
    assert _post(client, "/theories/N1/memo", text="Check upward comparison too") == 303
    data = client.get("/api/theories/N1").json()
    assert [m["version"] for m in data["memos"]] == [1, 2]
    assert "1 earlier version kept" in client.get("/theories/N1").text


def test_a_viewer_reads_the_board_but_cannot_change_it(review: Store, client_for: Client) -> None:
    client = client_for("vic")
    page = client.get("/theories/1")
    assert page.status_code == 200
    assert "can read the theory but not change it" in page.text
    assert 'action="/theories/1/edit"' not in page.text
    assert _post(client, "/theories/1/edit", why="x", title="y") == 403
    assert _post(client, "/theories/1/verdict", rationale="x") == 403
    refused = client.post(
        "/api/theories", json={"identifier": "9", "topic": "harm"},
        headers={"X-CSRF-Token": token(client)},
    )  # fmt: skip
    assert refused.status_code == 403
    assert client.post("/theories/1/memo", data={"text": "no token"}).status_code == 403
    assert _post(client_for("bob"), "/theories/1/memo", text="a reviewer may") == 303


def test_the_final_model_strikes_through_unsupported_theories(demo_store: Store) -> None:
    client = TestClient(
        create_app(WebConfig(target=demo_store.target), store=demo_store), base_url=LOCAL
    )
    page = client.get("/theories/model").text
    for identifier in ("NH1", "NH2"):
        found = re.search(
            rf'<li class="model-struck">\s*<a href="/theories/{identifier}" class="model-id">'
            rf"{identifier}\.</a>\s*<del>([^<]+)</del>",
            page,
        )
        assert found, identifier
    assert page.count("<del>") == 3  # NH1, NH2 and the legend
    data = client.get("/api/theories/model").json()
    struck = [c["identifier"] for t in data["topics"] for c in t["configurations"]
              if c["style"] == "struck"]  # fmt: skip
    assert struck == ["NH1", "NH2"]
    assert data["counts"] == {"normal": 32, "struck": 2, "new": 0}
    # Each says where it stands on what evidence: refuted is not "no evidence".
    assert "not supported: 1 refuting excerpt" in page and "no evidence found" not in page
    entries = {c["identifier"]: c for t in data["topics"] for c in t["configurations"]}
    assert entries["NH1"]["standing"] == "not_supported"
    board = client.get("/theories").text
    card = board[board.index('id="card-NH1"') :]
    assert 'class="badge standing-not_supported"' in card[: card.index("</article>")]
    # A configuration without evidence is untested, on the board and in the model.
    coding.create_configuration(demo_store, "X0", "take_up", "jm", title="Not coded yet",
                                origin=Origin.INITIAL)  # fmt: skip
    assert "untested: no evidence coded" in client.get("/theories/model").text
    # A new inductive configuration, once supported, is in CAPITALS.
    coding.create_configuration(demo_store, "X1", "take_up", "jm", title="Trust in peers")
    excerpt = coding.get_excerpt(demo_store, "E001")
    coding.code_excerpt(demo_store, excerpt.id or 0, "X1", "jm")
    token_ = token(client)
    client.post("/theories/X1/verdict", data={"rationale": "E001 shows it", "csrf_token": token_})
    model = client.get("/theories/model").text
    assert '<li class="model-new">' in model and "TRUST IN PEERS" in model
    board = client.get("/theories").text
    assert board.count('class="theory-card ') == 36
