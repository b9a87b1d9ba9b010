"""Screening through the web: decisions land in the store, blinded dual screening,
conflicts and agreement, and the JSON the page is built from."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from realist.domain.review import ReviewerRole
from realist.domain.screening import Decision, Outcome, ScreeningMode, Stage
from realist.domain.screening_order import ScreeningOrder
from realist.services import accounts, prioritising, screening
from realist.services.documents import attach_document
from realist.services.records import list_records
from realist.store import Store
from realist.store.events import list_events
from web.conftest import Client
from web.kit import PASSWORD, sign_in, token

TA = Stage.TITLE_ABSTRACT
HTMX = {"HX-Request": "true"}


def _decide(client: TestClient, record: int, decision: str, **extra: str) -> str:
    data = {
        "record_id": str(record),
        "stage": "title_abstract",
        "decision": decision,
        "csrf_token": token(client),
    } | extra
    response = client.post("/screening/decide", data=data, headers=HTMX)
    assert response.status_code == 200, response.text
    return response.text


def test_decisions_made_in_the_browser_are_saved(client_for: Client, web_review: Store) -> None:
    client = client_for()
    card = _decide(client, 1, "include")
    assert "Record 1: included." in card
    assert "Record 2" in card  # the next record's card came back
    card = _decide(client, 2, "exclude", criterion="E-POP")
    assert "Record 2: excluded (E-POP)." in card
    rows = {r.record.id: r.title_abstract for r in list_records(web_review)}
    assert rows == {1: Outcome.INCLUDED, 2: Outcome.EXCLUDED, 3: Outcome.UNDECIDED}
    undone = client.post(
        "/screening/undo",
        data={"stage": "title_abstract", "csrf_token": token(client)},
        headers=HTMX,
    )
    assert "Undid your exclude on record 2." in undone.text
    assert screening.next_record(web_review, TA, "owner").record.id == 2  # type: ignore[union-attr]


def test_next_skips_the_record_for_now(client_for: Client, web_review: Store) -> None:
    """In file order, the record after the skipped one, going round (prioritised order:
    tests/test_prioritised_queue.py)."""
    prioritising.set_order(web_review, TA, ScreeningOrder.FILE, "owner")
    client = client_for()
    page = client.get("/screening").text
    assert 'hx-get="/screening/card?stage=title_abstract&amp;after=1"' in page
    card = client.get("/screening/card?stage=title_abstract&after=1", headers=HTMX).text
    assert "Record 2" in card and 'after=2"' in card
    # Past the last record it comes round to the first waiting one again.
    card = client.get("/screening/card?stage=title_abstract&after=3", headers=HTMX).text
    assert "Record 1" in card
    assert client.get("/api/screening?after=1").json()["record"]["id"] == 2
    # Deciding moves on from the decided record, not from the start of the queue.
    card = _decide(client, 2, "include")
    assert "Record 2: included." in card and "Record 3" in card


def test_card_shows_progress_criteria_terms_and_keys(client_for: Client) -> None:
    page = client_for().get("/screening").text
    assert '<progress id="screen-progress" max="3" value="0">' in page
    assert "Not perinatal" in page and "E-POP" in page
    assert '<mark class="term-include">peer</mark>' in page
    assert 'data-key="i"' in page and 'id="reason-picker"' in page
    assert '<script src="/static/js/screening.js" defer></script>' in page


def test_full_text_exclusion_needs_a_reason(client_for: Client, web_review: Store) -> None:
    screening.screen(web_review, 1, TA, Decision.INCLUDE, "owner")
    client = client_for()
    assert "required at full text" in client.get("/screening?stage=full_text").text
    data = {
        "record_id": "1",
        "stage": "full_text",
        "decision": "exclude",
        "csrf_token": token(client),
    }
    refused = client.post("/screening/decide", data=data, headers=HTMX)
    assert refused.status_code == 400
    assert refused.headers["HX-Retarget"] == "#messages"
    assert "must cite an eligibility criterion" in refused.text


def test_dual_screening_is_blinded_until_you_decide(client_for: Client, web_review: Store) -> None:
    screening.set_screening_mode(web_review, ScreeningMode.DUAL, "owner")
    accounts.add_account(web_review, "cat", PASSWORD, role=ReviewerRole.REVIEWER)
    owner, bob, cat = client_for(), client_for("bob"), client_for("cat")
    _decide(owner, 1, "include", note="owner's private reasons")
    page = bob.get("/api/screening").json()
    assert page["mode"] == "dual"
    assert page["record"]["id"] == 1  # bob still gets record 1; nothing shows owner's say
    # Finding: the answer to a decision said "Record 30: excluded; sa: include.". It names
    # only the decider's own vote, in the page and in the API.
    card = _decide(bob, 1, "exclude", criterion="E-POP")
    assert "Record 1: excluded (E-POP)." in card
    assert "owner" not in card.split("Record 1: excluded")[1].split("</")[0]
    assert "include" not in card.split("Record 1: excluded")[1].split("</")[0]
    body = {"record_id": 2, "decision": "maybe"}
    _decide(owner, 2, "exclude", criterion="E-POP")
    answer = bob.post("/api/screening/decisions", json=body, headers={"X-CSRF-Token": token(bob)})
    assert answer.status_code == 200 and answer.json()["message"] == "Record 2: maybe."
    # Both votes are in: neither can take theirs back or change it (decide, read, undo,
    # decide again would let a reviewer match the other's vote).
    undo = bob.post(
        "/screening/undo", data={"stage": "title_abstract", "csrf_token": token(bob)}, headers=HTMX
    )
    assert undo.status_code == 403 and "can no longer be taken back" in undo.text
    again = bob.post(
        "/screening/decide",
        headers=HTMX,
        data={"record_id": "1", "stage": "title_abstract", "decision": "include",
              "csrf_token": token(bob)},
    )  # fmt: skip
    assert again.status_code == 403 and "both votes are in" in again.text
    conflicts = bob.get("/api/screening/conflicts").json()
    assert [c["record"]["id"] for c in conflicts["conflicts"]] == [1, 2]
    # Finding: a party to a conflict resolved it alone. Bob voted: refused; cat did not.
    resolve = {"stage": "title_abstract", "decision": "include"}
    refused = bob.post(
        "/screening/conflicts/1", headers=HTMX, data=resolve | {"csrf_token": token(bob)}
    )
    assert refused.status_code == 403 and "never by one of its parties" in refused.text
    refused = owner.post(
        "/screening/conflicts/1", headers=HTMX, data=resolve | {"csrf_token": token(owner)}
    )
    assert refused.status_code == 403  # an owner who voted is a party too
    assert "Resolve: include" in cat.get("/screening/conflicts").text
    resolved = cat.post(
        "/screening/conflicts/1", headers=HTMX, data=resolve | {"csrf_token": token(cat)}
    )
    assert "Record 1 resolved: included." in resolved.text
    assert [r.id for r, _ in screening.conflicts(web_review, TA)] == [2]
    agreement = owner.get("/api/screening/agreement").json()
    assert agreement == [
        {
            "stage": "title_abstract",
            "reviewers": ["bob", "owner"],
            "records": 2,
            "percent": 0.0,
            "kappa": -0.333,
        }
    ]


def test_screening_json_shape(client_for: Client) -> None:
    client = client_for()
    page = client.get("/api/screening").json()
    assert list(page) == [
        "stage",
        "mode",
        "record",
        "progress",
        "inclusion",
        "exclusion",
        "terms",
        "reason_required",
        "message",
        "full_text",
        "order",
        "order_seed",
        "why",
    ]
    assert page["order"] == "prioritised" and page["order_seed"] is None
    assert list(page["why"]) == ["ranked_by", "basis", "score", "score_means", "terms", "note"]
    assert page["progress"] == {"done": 0, "total": 3, "percent": 0}
    assert page["record"]["id"] == 1 and page["terms"]["inclusion"] == ["peer*", "script"]
    assert page["exclusion"][0] == {
        "code": "E-POP",
        "dimension": "population",
        "kind": "exclusion",
        "text": "Not perinatal",
    }
    after = client.post(
        "/api/screening/decisions",
        json={"record_id": 1, "decision": "maybe"},
        headers={"X-CSRF-Token": token(client)},
    ).json()
    assert after["message"] == "Record 1: maybe." and after["record"]["id"] == 2
    assert after["progress"]["done"] == 1


def test_full_text_card_says_whether_a_full_text_is_attached(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    screening.screen(web_review, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "owner")
    client = client_for()
    page = client.get("/api/screening?stage=full_text").json()
    assert page["record"]["id"] == 1 and page["full_text"] is None
    card = client.get("/screening?stage=full_text").text
    assert "No full text attached." in card and 'data-key="r"' in card  # and "Not retrieved"
    text = tmp_path / "trial.md"
    text.write_text("# Trial\n\nPeer support helped.\n")
    attach_document(web_review, text, record_id=1, reviewer="owner")
    page = client.get("/api/screening?stage=full_text").json()
    assert page["full_text"]["key"] == "author-2000"
    assert page["full_text"]["href"] == "/documents/author-2000"
    token_ = token(client)
    done = client.post(
        "/api/screening/decisions",
        json={"record_id": 1, "stage": "full_text", "decision": "not_retrieved"},
        headers={"X-CSRF-Token": token_},
    ).json()
    assert done["message"] == "Record 1: not retrieved."


def test_the_card_says_why_and_the_order_can_be_switched(
    client_for: Client, web_review: Store
) -> None:
    client = client_for()
    page = client.get("/screening").text
    assert "Ranked by:</span> <strong>prioritised</strong>" in page  # on the card
    assert '<strong id="ranked-by">prioritised</strong>' in page  # and beside it
    # Record 1's title holds a script tag and the inclusion terms: the cold start's reasons.
    why = client.get("/api/screening").json()["why"]
    assert "cold start" in why["basis"] and why["terms"] and why["score"] > 0
    assert '<mark class="term-why">' in page and "<script>alert" not in page
    switched = client.post(
        "/screening/order",
        data={"stage": "title_abstract", "order": "random", "csrf_token": token(client)},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    seed = prioritising.orders(web_review)[TA].seed
    assert seed is not None
    page = client.get("/screening").text
    assert f'<strong id="ranked-by">random</strong> (seed {seed})' in page
    answer = client.post(
        "/api/screening/order",
        json={"stage": "full_text", "order": "prioritised"},
        headers={"X-CSRF-Token": token(client)},
    ).json()
    assert answer["stage"] == "full_text" and answer["order"] == "prioritised"
    assert prioritising.orders(web_review)[Stage.FULL_TEXT].order is ScreeningOrder.PRIORITISED
    with web_review.reading() as connection:
        events = [e for e in list_events(connection) if e.action == "screening.order_set"]
    assert [e.detail["order"] for e in events] == ["prioritised", "random"]  # newest first


def test_only_a_manager_switches_the_order(client_for: Client) -> None:
    client = client_for(local=False)
    sign_in(client, "bob")
    refused = client.post(
        "/api/screening/order",
        json={"order": "file"},
        headers={"X-CSRF-Token": token(client)},
    )
    assert refused.status_code == 403
    assert 'id="order"' not in client.get("/screening").text  # no menu to switch with
