"""Error responses: JSON under /api, a message fragment for htmx, a page otherwise.

htmx fragments are retargeted to the page's ``#messages`` region, so a refused decision
shows as a message instead of replacing the card the reviewer is looking at.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from realist.web.templating import is_htmx, render

TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    413: "Too large",
    503: "Busy, nothing was changed",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def respond(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error in the form the client asked for."""
    if is_api(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    data = {
        "status": status,
        "heading": TITLES.get(status, "Something went wrong"),
        "message": message,
    }
    if is_htmx(request):
        swap = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML", **(headers or {})}
        return render(request, "errors/_message.html", data, status_code=status, headers=swap)
    return render(request, "errors/error.html", data, status_code=status, headers=headers)


def busy(request: Request, retry_after: int, message: str) -> Response:
    """Another writer held the review too long: 503 with Retry-After, nothing changed."""
    return respond(request, 503, message, {"Retry-After": str(retry_after)})


def login_required(request: Request) -> Response:
    """Send the browser to sign in (and back afterwards); tell the API 401."""
    if is_api(request):
        return JSONResponse({"error": "sign in first (POST /login)"}, status_code=401)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login?next=" + quote(here)
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def validation(request: Request, error: RequestValidationError) -> Response:
    """A malformed request (a missing field, a word where a number goes)."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', '')}"
        for e in error.errors()
    )
    if is_api(request):
        detail = jsonable_encoder(error.errors())
        return JSONResponse({"error": problems, "detail": detail}, status_code=422)
    return respond(request, 422, problems)
