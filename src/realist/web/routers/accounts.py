"""People and sign-in accounts (owners only): who may use a shared server, and as what."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.review import ReviewerRole
from realist.services import accounts, reviewers
from realist.web.auth import Manager, StoreDep
from realist.web.templating import render

router = APIRouter()


class PersonItem(BaseModel):
    key: str
    name: str
    role: ReviewerRole
    has_account: bool
    password_set_at: str | None
    retired: bool = Field(False, description="can no longer act or sign in; work stays theirs")
    work: dict[str, int] = Field(default_factory=dict, description="what they did, by kind")
    work_summary: str = Field("", description="the same in words")


class AccountIn(BaseModel):
    key: str = Field(min_length=1, max_length=64)
    password: str = Field(
        min_length=accounts.MIN_PASSWORD_CHARS, max_length=accounts.MAX_PASSWORD_CHARS
    )
    role: ReviewerRole | None = None
    name: str = Field("", max_length=200)


class RoleIn(BaseModel):
    role: ReviewerRole


def people(store: StoreDep) -> list[PersonItem]:
    work = {r.key: r.work for r in reviewers.list_reviewers(store)}
    return [
        PersonItem(
            key=p.key,
            name=p.name,
            role=p.role,
            has_account=p.has_account,
            password_set_at=p.password_set_at,
            retired=p.retired,
            work=work.get(p.key, {}),
            work_summary=reviewers.describe_work(work.get(p.key, {})),
        )
        for p in accounts.list_people(store)
    ]


@router.get("/accounts", include_in_schema=False)
def accounts_page(request: Request, _: Manager, store: StoreDep) -> Response:
    return render(
        request, "accounts/index.html", {"people": people(store), "roles": list(ReviewerRole)}
    )


@router.post("/accounts", include_in_schema=False)
async def add_page(
    actor: Manager,
    store: StoreDep,
    key: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_CHARS)],
    role: Annotated[ReviewerRole, Form()] = ReviewerRole.REVIEWER,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    # Argon2 is slow on purpose; keep it off the event loop.
    await run_in_threadpool(
        lambda: accounts.add_account(store, key, password, role=role, name=name, by=actor.key)
    )
    return RedirectResponse("/accounts", status_code=303)


@router.post("/accounts/{key}/role", include_in_schema=False)
def role_page(
    actor: Manager, store: StoreDep, key: str, role: Annotated[ReviewerRole, Form()]
) -> Response:
    accounts.set_role(store, key, role, by=actor.key)
    return RedirectResponse("/accounts", status_code=303)


@router.post("/accounts/{key}/remove", include_in_schema=False)
def remove_page(actor: Manager, store: StoreDep, key: str) -> Response:
    accounts.remove_account(store, key, by=actor.key)
    return RedirectResponse("/accounts", status_code=303)


@router.get("/api/accounts", tags=["accounts"])
def accounts_api(_: Manager, store: StoreDep) -> list[PersonItem]:
    """Everyone in the review, their role, and whether they can sign in (owners only)."""
    return people(store)


@router.post("/api/accounts", tags=["accounts"])
async def add_api(actor: Manager, store: StoreDep, body: AccountIn) -> list[PersonItem]:
    """Let a person sign in (creating the reviewer if new) or replace their password."""
    await run_in_threadpool(
        lambda: accounts.add_account(
            store, body.key, body.password, role=body.role, name=body.name, by=actor.key
        )
    )
    return people(store)


@router.post("/api/accounts/{key}/role", tags=["accounts"])
def role_api(actor: Manager, store: StoreDep, key: str, body: RoleIn) -> list[PersonItem]:
    """Change a person's role; a review keeps at least one owner."""
    accounts.set_role(store, key, body.role, by=actor.key)
    return people(store)
