"""Passwords a team server accepts (NIST SP 800-63B-4: length, a list of common passwords,
the context's words; no composition rules) and the last owner, kept on every path that
could take them away. Runs on SQLite and (with REALIST_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import pytest

from realist.domain.review import ReviewerRole
from realist.errors import InvalidInput
from realist.services import accounts, reviewers
from realist.services.passwords import MIN_PASSWORD_CHARS, check_password
from realist.store import Store
from web.conftest import Client
from web.kit import PASSWORD, sign_in, token


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 10, "at least 15"),
        ("a" * 10, "at least 15"),
        (" " * 20, "repeated"),
        ("a" * 20, "repeated"),
        ("abcabcabcabcabcabc", "repeated"),
        ("123456789012345678", "sequential"),
        ("qwertyuiopasdfgh", "sequential"),
        ("password123456789", "common"),
        ("!!iloveyou2024!!!", "common"),
        ("!!sunshine2024!!", "common"),
        ("987654321098765", "sequential"),
        ("bob web review 2024", "reviewer key"),
        ("Realist bob Realist", "reviewer key"),
    ],
)
def test_weak_passwords_are_refused_saying_why(web_review: Store, password: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        accounts.add_account(web_review, "bob", password)
    assert accounts.authenticate(web_review, "bob", PASSWORD) is not None  # unchanged


@pytest.mark.parametrize(
    "password", ["correct horse battery", "mauve kettle of dusk", "Zw8#q1 lamp ferry OK"]
)
def test_a_few_unrelated_words_are_enough(web_review: Store, password: str) -> None:
    check_password(password, "bob", "Bob", "Web review")
    accounts.add_account(web_review, "bob", password)
    assert accounts.authenticate(web_review, "bob", password) is not None
    assert MIN_PASSWORD_CHARS == 15


def test_the_web_form_refuses_a_weak_password_too(client_for: Client, web_review: Store) -> None:
    owner = client_for(local=False)
    sign_in(owner, "owner")
    sent = owner.post(
        "/api/accounts",
        json={"key": "amy", "password": "a" * 20, "role": "reviewer"},
        headers={"X-CSRF-Token": token(owner)},
    )
    assert sent.status_code == 400, sent.text
    assert "repeated" in sent.text
    assert "amy" not in {p.key for p in accounts.list_people(web_review)}


@pytest.mark.parametrize(
    "path", ["account role", "reviewer role", "retire", "delete", "remove account"]
)
def test_the_last_owner_cannot_be_taken_away(web_review: Store, path: str) -> None:
    attempts = {
        "account role": lambda: accounts.set_role(web_review, "owner", ReviewerRole.VIEWER, "bob"),
        "reviewer role": lambda: reviewers.edit_reviewer(
            web_review, "owner", "bob", role=ReviewerRole.REVIEWER
        ),
        "retire": lambda: reviewers.retire_reviewer(web_review, "owner", "bob"),
        "delete": lambda: reviewers.delete_reviewer(web_review, "zoe", "bob"),
        "remove account": lambda: accounts.remove_account(web_review, "owner", "bob"),
    }
    if path == "delete":  # only a person without work may be deleted: make one the owner
        accounts.add_account(web_review, "zoe", "zoe's own long phrase", role=ReviewerRole.OWNER)
        reviewers.retire_reviewer(web_review, "owner", "zoe")
    with pytest.raises(InvalidInput, match=r"only (active )?owner"):
        attempts[path]()
    if path == "delete":
        assert "zoe" in {p.key for p in accounts.list_people(web_review)}
        return
    people = {p.key: p for p in accounts.list_people(web_review)}
    assert people["owner"].role is ReviewerRole.OWNER and people["owner"].has_account
    assert accounts.authenticate(web_review, "owner", PASSWORD) is not None


def test_with_a_second_owner_the_first_may_step_down(web_review: Store) -> None:
    accounts.set_role(web_review, "bob", ReviewerRole.OWNER, "owner")
    reviewers.retire_reviewer(web_review, "owner", "bob")
    with pytest.raises(InvalidInput, match=r"only (active )?owner"):
        accounts.remove_account(web_review, "bob", "bob")
