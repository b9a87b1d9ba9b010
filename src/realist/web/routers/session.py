"""Signing in and out (shared mode), and who the API is talking to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.services import accounts
from realist.web import csrf
from realist.web.auth import (
    GRANTS,
    Reader,
    StoreDep,
    Throttle,
    Visitor,
    config_of,
    sign_in,
    sign_out,
)
from realist.web.templating import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this server: an open redirect would help phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, _: Visitor, next: str = "/") -> Response:
    if config_of(request).local:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "session/login.html", {"next": _safe_next(next), "error": ""})


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    _: Visitor,
    store: StoreDep,
    reviewer: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_CHARS)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password (Argon2); on success start a fresh session and go on."""
    if config_of(request).local:
        return RedirectResponse(_safe_next(next), status_code=303)
    throttle: Throttle = request.app.state.throttle
    keys = (f"key:{reviewer.strip()}", f"client:{request.client.host if request.client else ''}")
    person = None
    if not throttle.blocked(*keys):
        person = await run_in_threadpool(accounts.authenticate, store, reviewer, password)
    if person is None:
        throttle.failed(*keys)
        message = (
            "Too many attempts; wait a few minutes and try again."
            if throttle.blocked(*keys)
            else "That reviewer key and password do not match."
        )
        data = {"next": _safe_next(next), "error": message, "reviewer": reviewer}
        return render(request, "session/login.html", data, status_code=401)
    sign_in(request, person)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, _: Visitor) -> Response:
    sign_out(request)
    return RedirectResponse("/login" if not config_of(request).local else "/", status_code=303)


class SessionInfo(BaseModel):
    """Who the request acts as, and the token unsafe requests must send."""

    reviewer: str
    name: str
    role: str
    local: bool
    permissions: list[str]
    csrf_token: str
    csrf_header: str = csrf.HEADER


@router.get("/api/session", tags=["session"])
def session_info(request: Request, actor: Reader) -> SessionInfo:
    """The acting reviewer, their permissions, and the CSRF token for POST requests."""
    return SessionInfo(
        reviewer=actor.key,
        name=actor.name,
        role=actor.role.value,
        local=actor.local,
        permissions=sorted(p.value for p in GRANTS[actor.role]),
        csrf_token=csrf.token(request),
    )
