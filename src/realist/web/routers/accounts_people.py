"""People (owners only): add a person without an account, rename, retire or reinstate,
delete one who did no work. Signing in (accounts, passwords, roles) is ``accounts``'.

Form posts go back to ``/accounts``; JSON under ``/api/reviewers`` answers with everyone.
The rules (a review keeps an active owner, work keeps its author) are
``services.reviewers``'.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse, Response

from realist.domain.review import ReviewerRole
from realist.services import reviewers
from realist.web.auth import Manager, StoreDep
from realist.web.routers.accounts import PersonItem, people

router = APIRouter()


class ReviewerIn(BaseModel):
    key: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=200)
    role: ReviewerRole = ReviewerRole.REVIEWER


class ReviewerPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    role: ReviewerRole | None = None


class RetiredIn(BaseModel):
    retired: bool = True


def _back() -> Response:
    return RedirectResponse("/accounts", status_code=303)


@router.post("/accounts/people", include_in_schema=False)
def add_form(
    actor: Manager,
    store: StoreDep,
    key: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[ReviewerRole, Form()] = ReviewerRole.REVIEWER,
) -> Response:
    reviewers.add_reviewer(store, key, actor.key, name=name, role=role)
    return _back()


@router.post("/accounts/{key}/name", include_in_schema=False)
def name_form(
    actor: Manager, store: StoreDep, key: str, name: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    reviewers.edit_reviewer(store, key, actor.key, name=name)
    return _back()


@router.post("/accounts/{key}/retire", include_in_schema=False)
def retire_form(
    actor: Manager, store: StoreDep, key: str, retired: Annotated[bool, Form()] = True
) -> Response:
    reviewers.retire_reviewer(store, key, actor.key, retired=retired)
    return _back()


@router.post("/accounts/{key}/delete", include_in_schema=False)
def delete_form(actor: Manager, store: StoreDep, key: str) -> Response:
    reviewers.delete_reviewer(store, key, actor.key)
    return _back()


@router.get("/api/reviewers", tags=["accounts"])
def reviewers_api(_: Manager, store: StoreDep) -> list[PersonItem]:
    """Everyone in the review: role, account, whether retired, and the work of each."""
    return people(store)


@router.post("/api/reviewers", tags=["accounts"])
def add_api(actor: Manager, store: StoreDep, body: ReviewerIn) -> list[PersonItem]:
    """Add a person to attribute work to (no account: add one to let them sign in)."""
    reviewers.add_reviewer(store, body.key, actor.key, name=body.name, role=body.role)
    return people(store)


@router.patch("/api/reviewers/{key}", tags=["accounts"])
def edit_api(actor: Manager, store: StoreDep, key: str, body: ReviewerPatch) -> list[PersonItem]:
    """Change a person's display name or role (a review keeps an active owner)."""
    reviewers.edit_reviewer(store, key, actor.key, name=body.name, role=body.role)
    return people(store)


@router.post("/api/reviewers/{key}/retire", tags=["accounts"])
def retire_api(actor: Manager, store: StoreDep, key: str, body: RetiredIn) -> list[PersonItem]:
    """Retire a person (they can no longer act or sign in; their work stays theirs), or
    with ``retired: false`` reinstate them."""
    reviewers.retire_reviewer(store, key, actor.key, retired=body.retired)
    return people(store)


@router.delete("/api/reviewers/{key}", tags=["accounts"])
def delete_api(actor: Manager, store: StoreDep, key: str) -> list[PersonItem]:
    """Delete a person who did no work; one with work is refused (400, saying what)."""
    reviewers.delete_reviewer(store, key, actor.key)
    return people(store)
