"""Signing in and out (shared mode), and who the API is talking to."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.services import accounts, sign_in
from realist.web import csrf
from realist.web.auth import (
    GRANTS,
    Reader,
    StoreDep,
    Visitor,
    config_of,
    session_token,
    sign_out,
    start_session,
)
from realist.web.proxies import client_address
from realist.web.templating import render

router = APIRouter()

# A browser that signed in as an account before holds this cookie: its own failures are
# counted apart, so others guessing the account's password never lock it out (see
# services.sign_in). Signed with the session key; it proves nothing without the password.
DEVICE_COOKIE = "realist_device"
DEVICE_DAYS = 180


def _devices(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.cookie_secret, salt="realist-device")


def _device_of(request: Request, key: str) -> str:
    """The nonce of this browser's device cookie when it was left by ``key``'s sign-in."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return ""
    try:
        found = _devices(request).loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return ""
    if not isinstance(found, dict) or found.get("k") != key.strip():
        return ""
    nonce = found.get("n")
    return nonce if isinstance(nonce, str) else ""


def _remember_device(request: Request, response: Response, key: str, nonce: str) -> None:
    value = _devices(request).dumps({"k": key, "n": nonce or secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=config_of(request).secure_cookies,
    )


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
    """Count the attempt (refused when too many failed), then check the password (Argon2);
    on success start a fresh session, kept on the server, and go on."""
    config = config_of(request)
    if config.local:
        return RedirectResponse(_safe_next(next), status_code=303)
    device = _device_of(request, reviewer)
    attempt = await run_in_threadpool(
        sign_in.reserve_attempt, store, reviewer, client_address(request), device
    )
    data = {"next": _safe_next(next), "reviewer": reviewer}
    if attempt.refused:
        message = f"Too many attempts: {attempt.refused}."
        refusal = render(request, "session/login.html", data | {"error": message}, status_code=429)
        refusal.headers["Retry-After"] = str(attempt.retry_after)
        return refusal
    person = await run_in_threadpool(accounts.authenticate, store, reviewer, password)
    token = await run_in_threadpool(
        lambda: sign_in.finish_attempt(
            store, attempt, person.key if person else None, hours=config.session_hours
        )
    )
    if person is None or token is None:
        message = "That reviewer key and password do not match."
        return render(request, "session/login.html", data | {"error": message}, status_code=401)
    start_session(request, token)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _remember_device(request, response, person.key, device)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, _: Visitor, store: StoreDep) -> Response:
    """End the session on the server (a copy of the cookie stops working), then here."""
    token = session_token(request)
    if token is not None:
        sign_in.sign_out(store, token)
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
