"""CSRF protection: one random token per session, required on every unsafe request.

A form sends it as the ``csrf_token`` field; htmx and scripts send the ``X-CSRF-Token``
header (``static/js/realist.js`` copies it from the page's ``<meta name="csrf-token">``
into every htmx request). The session cookie is SameSite=Lax as a second line of defence,
but the token is what is relied on: it also protects local mode, where no one signs in.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

SESSION_KEY = "csrf"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token (answered with 403)."""


def token(request: Request) -> str:
    """The session's token, made on first use."""
    found = request.session.get(SESSION_KEY)
    if not isinstance(found, str) or not found:
        found = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = found
    return found


def renew(request: Request) -> str:
    """A fresh token (after signing in or out, so a token seen before is worthless)."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(request.session[SESSION_KEY])


async def verify(request: Request) -> None:
    """Raise CsrfRejected unless a safe method, or the header or form field matches."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        # Starlette caches the parsed form, so the handler reads the same one.
        field = (await request.form()).get(FIELD)
        sent = field if isinstance(field, str) else None
    if not isinstance(expected, str) or not expected or not sent:
        raise CsrfRejected("missing CSRF token: reload the page and try again")
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRejected("wrong CSRF token: reload the page and try again")
