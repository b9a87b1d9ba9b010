"""How much a request may send, decided before its body is read (issue 11).

A request body used to be read (and a multipart upload written to disk) before anything
looked at who sent it: an anonymous 700 MB multipart POST reached /tmp before the 403 for
its missing CSRF token, and an anonymous 400 MB JSON body grew the server by a gigabyte.
:class:`BodyLimits` sits in front of every route:

- every body has a limit: an upload route (one that takes a file) the upload limit
  (megabytes), every other route the form limit (kilobytes: a JSON or form body);
- a ``Content-Length`` above the limit is refused (413) without reading a byte, and the
  bytes actually received are counted as they arrive, so a body sent without a length (or
  with a false one) is cut off at the limit too, before it is parsed;
- before an upload route reads its body, the sender must be signed in with a role that may
  use the route and must have sent the CSRF token: in the ``X-CSRF-Token`` header, or as the
  form's fields before its file (the app's forms put ``csrf_token`` first; a browser sends
  fields in order), read from at most the first few kilobytes, which are handed on unchanged.
  Anyone else gets the same answer the route would give (sign in, 403), having sent nothing
  that was stored.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException
from fastapi.params import File
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realist.web import csrf, errors
from realist.web.auth import Allow, Forbidden, LoginRequired
from realist.web.routers import ROUTERS

__all__ = ["BodyLimits", "BodyTooLarge", "Limits"]

_PEEK_BYTES = 16 * 1024  # the CSRF field of an upload form is within its first bytes
_BOUNDARY = re.compile(rb'boundary="?([^";,\s]+)"?', re.I)
_NAME = re.compile(rb'\bname="([^"]*)"', re.I)
_FILENAME = re.compile(rb"\bfilename\*?=", re.I)


@dataclass(frozen=True)
class Limits:
    """The largest body, in bytes, of an upload and of any other request."""

    upload_bytes: int
    form_bytes: int


class BodyTooLarge(HTTPException):
    """A body over its route's limit (413)."""

    def __init__(self, limit: int, upload: bool) -> None:
        size = f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit >> 10} KB"
        what = "an upload" if upload else "a request"
        hint = "; import it with `realist import` on the server" if upload else ""
        super().__init__(413, f"{what} may send at most {size} here{hint}")


def _upload_routes() -> list[tuple[APIRoute, Allow | None]]:
    """Routes that take a file, each with the guard that decides who may use it."""
    found = []
    for route in (r for router in ROUTERS for r in router.routes):
        if not isinstance(route, APIRoute):
            continue
        if not any(isinstance(f.field_info, File) for f in route.dependant.body_params):
            continue
        guard = next(
            (d.call for d in route.dependant.dependencies if isinstance(d.call, Allow)), None
        )
        found.append((route, guard))
    return found


class BodyLimits:
    """The ASGI middleware described above, in front of ``app``."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits
        self._uploads = _upload_routes()

    def _upload_route(self, scope: Scope) -> tuple[APIRoute, Allow | None] | None:
        for route, guard in self._uploads:
            if route.matches(scope)[0] == Match.FULL:
                return route, guard
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = self._upload_route(scope) if scope["method"] not in csrf.SAFE_METHODS else None
        limit = self.limits.upload_bytes if upload else self.limits.form_bytes
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > limit):
            await self._answer(request, send, BodyTooLarge(limit, upload is not None))
            return
        if upload:
            peeked, refusal = await self._may_upload(request, receive, upload[1])
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            receive = _replaying(peeked, receive)
        await self.app(scope, _counting(receive, limit, upload is not None), send)

    async def _answer(self, request: Request, send: Send, error: HTTPException) -> None:
        response = errors.respond(request, error.status_code, str(error.detail))
        await response(request.scope, _no_body, send)

    async def _may_upload(
        self, request: Request, receive: Receive, guard: Allow | None
    ) -> tuple[list[Message], Callable[[Scope, Receive, Send], Awaitable[None]] | None]:
        """(messages read to find the CSRF field, a response refusing the upload or None)."""
        peeked: list[Message] = []
        token = request.headers.get(csrf.HEADER)
        if token is None:
            token, peeked = await _first_form_field(request, receive)
        if guard is None:
            return peeked, None
        # The guard checks the token, the session and the role exactly as the route would;
        # it sees the token as a header, so it never reads the body.
        headers = [(k, v) for k, v in request.scope["headers"] if k != b"x-csrf-token"]
        headers.append((b"x-csrf-token", (token or "").encode("latin-1", "replace")))
        checking = Request({**request.scope, "headers": headers}, _no_body)
        try:
            await guard(checking)
        except LoginRequired:
            return peeked, errors.login_required(request)
        except (Forbidden, csrf.CsrfRejected) as error:
            return peeked, errors.respond(request, 403, str(error))
        return peeked, None


async def _first_form_field(request: Request, receive: Receive) -> tuple[str | None, list[Message]]:
    """The CSRF token among a multipart body's fields before its first file, reading at
    most ``_PEEK_BYTES``; and the messages read, to be handed on unchanged."""
    boundary = _BOUNDARY.search(request.headers.get("content-type", "").encode("latin-1"))
    peeked: list[Message] = []
    if boundary is None:
        return None, peeked
    data = b""
    while len(data) < _PEEK_BYTES:
        message = await receive()
        peeked.append(message)
        if message["type"] != "http.request":
            break
        data += message.get("body", b"")
        done, token = _token_in(data, b"--" + boundary[1])
        if done or not message.get("more_body", False):
            return token, peeked
    return None, peeked


def _token_in(data: bytes, delimiter: bytes) -> tuple[bool, str | None]:
    """(whether ``data`` settles it, the token): fields are read in order until the token,
    a file, the end, or bytes that have not arrived yet."""
    at = data.find(delimiter)
    if at < 0:
        return len(data) >= len(delimiter) + 2, None
    while True:
        start = at + len(delimiter)
        if data[start : start + 2] == b"--":
            return True, None  # the end of the form
        headers_end = data.find(b"\r\n\r\n", start)
        if headers_end < 0:
            return False, None
        headers = data[start:headers_end]
        if _FILENAME.search(headers):
            return True, None  # a file comes before the token
        value_end = data.find(b"\r\n" + delimiter, headers_end + 4)
        if value_end < 0:
            return False, None
        name = _NAME.search(headers)
        if name and name[1] == csrf.FIELD.encode():
            return True, data[headers_end + 4 : value_end].decode("latin-1")
        at = value_end + 2


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _replaying(peeked: list[Message], receive: Receive) -> Receive:
    waiting = list(peeked)

    async def replay() -> Message:
        return waiting.pop(0) if waiting else await receive()

    return replay


def _counting(receive: Receive, limit: int, upload: bool) -> Receive:
    """``receive`` that raises BodyTooLarge once more than ``limit`` bytes have arrived,
    before they reach a parser."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit, upload)
        return message

    return counted
