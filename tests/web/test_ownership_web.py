"""Whose work may be changed, through the web: reviewer ``bob``, signed in to a shared
server, cannot delete the owner's coding nor overwrite the owner's appraisal note (403,
nothing changed); the owner may change bob's, and the event says whose it was."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from realist.domain.coding import Grade
from realist.services import coding, documents, theories
from realist.store import Store
from realist.store.events import list_events
from web.conftest import Client
from web.kit import sign_in, token

TEXT = "Mothers said peer support helped them feel heard.\n"


def _coded(store: Store, tmp_path: Path, reviewer: str) -> tuple[int, int]:
    """An excerpt made, coded and appraised by ``reviewer``: (excerpt id, coding id)."""
    if not documents.list_documents(store):
        theories.add_topic(store, "take_up", "Take-up", "owner")
        coding.create_configuration(store, "1", "take_up", "owner", contexts=["a mother"])
        path = tmp_path / "study.txt"
        path.write_text(TEXT, encoding="utf-8")
        documents.attach_document(store, path, key="study")
    excerpt = coding.create_excerpt(store, "study", 14, 26, reviewer)
    assert excerpt.id is not None
    made = coding.code_excerpt(store, excerpt.id, "1", reviewer)
    coding.appraise_excerpt(store, excerpt.id, reviewer, Grade.HIGH, None, f"{reviewer}'s")
    assert made.id is not None
    return excerpt.id, made.id


def _signed_in(client_for: Client, who: str) -> TestClient:
    client = client_for(local=False)
    sign_in(client, who)
    return client


def test_a_reviewer_cannot_delete_or_overwrite_the_owners_work(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    excerpt, made = _coded(web_review, tmp_path, "owner")
    bob = _signed_in(client_for, "bob")
    csrf = {"X-CSRF-Token": token(bob)}
    deleted = bob.delete(f"/api/codings/{made}", headers=csrf)
    assert deleted.status_code == 403
    assert "owner's work" in deleted.text
    appraised = bob.post(
        f"/api/excerpts/{excerpt}/appraisal", json={"note": "bob's", "rigour": "low"}, headers=csrf
    )
    assert appraised.status_code == 403
    page = bob.post(
        f"/documents/study/codings/{made}/delete",
        data={"excerpt": str(excerpt), "csrf_token": csrf["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert page.status_code == 403
    kept = coding.get_excerpt(web_review, excerpt)
    assert [c.id for c in kept.codings] == [made]
    assert (kept.note, kept.rigour) == ("owner's", None)


def test_the_owner_may_and_the_event_says_it_was_bobs(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    excerpt, made = _coded(web_review, tmp_path, "bob")
    owner = _signed_in(client_for, "owner")
    csrf = {"X-CSRF-Token": token(owner)}
    appraised = owner.post(
        f"/api/excerpts/{excerpt}/appraisal", json={"note": "owner's"}, headers=csrf
    )
    assert appraised.status_code == 200, appraised.text
    assert owner.delete(f"/api/codings/{made}", headers=csrf).status_code == 200
    with web_review.reading() as connection:
        uncoded, note = list_events(connection, limit=2)
    assert (uncoded.action, uncoded.actor, uncoded.detail["of"]) == (
        "excerpt.uncoded",
        "owner",
        "bob",
    )
    assert (note.action, note.actor, note.detail["of"]) == ("excerpt.appraised", "owner", "bob")


def test_bob_changes_his_own_work(client_for: Client, web_review: Store, tmp_path: Path) -> None:
    excerpt, made = _coded(web_review, tmp_path, "bob")
    bob = _signed_in(client_for, "bob")
    csrf = {"X-CSRF-Token": token(bob)}
    assert (
        bob.post(
            f"/api/excerpts/{excerpt}/appraisal", json={"note": "second thoughts"}, headers=csrf
        ).status_code
        == 200
    )
    assert bob.delete(f"/api/codings/{made}", headers=csrf).status_code == 200
    assert coding.get_excerpt(web_review, excerpt).codings == []


def test_pages_offer_only_the_changes_the_services_would_allow(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    excerpt, _ = _coded(web_review, tmp_path, "owner")
    page = f"/documents/study/excerpts/{excerpt}"
    as_bob = _signed_in(client_for, "bob").get(page)
    assert as_bob.status_code == 200
    assert "Uncode" not in as_bob.text and "Save appraisal" not in as_bob.text
    assert "Delete excerpt" not in as_bob.text
    assert "owner&#39;s" in as_bob.text  # the note is shown, escaped, not offered for editing
    assert "Code to another configuration" in as_bob.text  # his own coding of it is his
    as_owner = _signed_in(client_for, "owner").get(page)
    assert "Uncode" in as_owner.text and "Save appraisal" in as_owner.text
