"""The app factory: one FastAPI app per review store, wired with its middleware."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import realist
from realist.errors import InvalidInput, NotAllowed, NotFound, RealistError, StoreBusy
from realist.services import prioritising
from realist.services.accounts import session_secret
from realist.services.import_jobs import fail_orphaned_jobs
from realist.services.reviews import review_title
from realist.settings import setting
from realist.store import Store, open_store
from realist.web import errors
from realist.web.auth import Forbidden, LoginRequired
from realist.web.config import WebConfig
from realist.web.csrf import CsrfRejected
from realist.web.jobs import ImportJobs
from realist.web.limits import BodyLimits, Limits
from realist.web.proxies import TrustedProxies, parse_proxies
from realist.web.routers import ROUTERS
from realist.web.uploads import clean_spool, spool_folder

# How long a stopping server waits for imports under way to write their end.
IMPORTS_AT_SHUTDOWN_SECONDS = 10.0

STATIC = Path(__file__).parent / "static"
FAVICON = STATIC / "favicon.svg"

# Scripts and styles only from this server (no inline script, no CDN); nothing may frame
# the app. htmx is configured (base.html) not to inject its own <style> or eval anything.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


# Browsers that once reached a shared server over HTTPS use only HTTPS for it for a year
# (not its subdomains: they may be other people's). Never on a local server: HSTS for
# localhost would apply to every program on every port of it.
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """Adds the headers above to every HTTP response, and HSTS (``hsts``) to those over
    HTTPS (TLS here, or a trusted proxy's ``X-Forwarded-Proto: https``)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*SECURITY_HEADERS, HSTS] if self.hsts and scope["scheme"] == "https" else None

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + (extra or SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, with_headers)


# A decision's request goes to the database about twenty times; each time its thread comes
# back it must take the GIL from a thread that is busy (HTML, JSON), which Python hands over
# only every "switch interval" (5 ms by default). With 50 reviewers on two processes that
# wait was a third of a decision's time. bench/web_load.py on PostgreSQL (runs in
# bench/README.md): at 1 ms p95 with 50 reviewers 1.86x one reviewer alone (5 ms: 1.98 to
# 2.52x), and 2 processes still did 1.38x the decisions of one at full load; at 0.5 ms
# latency improved further but full-load throughput of 2 processes fell to 1.05x.
SWITCH_INTERVAL_SECONDS = 0.001


def prepare_server_process() -> None:
    """Tune this interpreter for serving many short requests from threads (see above):
    called by every server process (`realist serve`, its workers, gunicorn or uvicorn),
    not by tests or the CLI, which run one thing at a time."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


def create_app(config: WebConfig, store: Store | None = None) -> FastAPI:
    """The web app for the review at ``config.target`` (or the already open ``store``,
    which the caller then closes)."""
    owns_store = store is None
    opened = store or open_store(config.target, lock_wait=config.lock_wait)
    # Jobs another server process was running when it died will never finish: say so.
    # (Imports it left half written were removed by open_store.)
    fail_orphaned_jobs(opened)
    prioritising.warm(opened)  # a big review's screening features, built in the background

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # Let imports under way finish writing (bounded: a stopping server should stop).
        await asyncio.to_thread(_app.state.jobs.wait, IMPORTS_AT_SHUTDOWN_SECONDS)
        if owns_store:
            opened.close()

    app = FastAPI(
        title="Realist",
        version=realist.__version__,
        summary="The data of every page of the Realist web app, as JSON.",
        docs_url=None,  # Swagger UI loads from a CDN; /api/docs is served from here instead
        redoc_url=None,
        openapi_url=None,  # served by routers/apidocs.py, behind the same permission check
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.store = opened
    app.state.jobs = ImportJobs(opened)
    app.state.review_title = review_title(opened)
    app.state.spool = spool_folder(config.target)
    clean_spool(app.state.spool)  # what a killed server left (issue 11)
    # Inside the session (it reads who is asking), outside everything that reads a body.
    app.add_middleware(BodyLimits, limits=Limits(config.max_upload_bytes, config.max_form_bytes))
    app.state.cookie_secret = config.secret_key or setting("secret_key") or session_secret(opened)
    proxies = parse_proxies(config.trusted_proxies or (setting("trusted_proxies"),))
    # Added last runs first: the proxy's word on the client is taken (when trusted), then
    # hosts are checked before anything else happens.
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.cookie_secret,
        session_cookie="realist_session",
        max_age=config.session_hours * 3600,
        same_site="lax",
        https_only=config.secure_cookies,
    )
    app.add_middleware(SecurityHeaders, hsts=not config.local)
    if "*" not in config.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(config.allowed_hosts))
    if proxies:
        app.add_middleware(TrustedProxies, networks=proxies)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)
    for router in ROUTERS:
        app.include_router(router)
    _handle_errors(app)
    return app


def favicon() -> FileResponse:
    """The icon, for browsers and tools that ask for /favicon.ico whatever the page links
    (base.html links the SVG): the same SVG, so the address is not a 404 in their logs."""
    return FileResponse(FAVICON, media_type="image/svg+xml")


def _handle_errors(app: FastAPI) -> None:
    async def login(request: Request, _: Exception) -> Response:
        return errors.login_required(request)

    async def forbidden(request: Request, error: Exception) -> Response:
        return errors.respond(request, 403, str(error))

    async def not_found(request: Request, error: Exception) -> Response:
        return errors.respond(request, 404, str(error))

    async def invalid(request: Request, error: Exception) -> Response:
        return errors.respond(request, 400, str(error))

    async def busy(request: Request, error: Exception) -> Response:
        assert isinstance(error, StoreBusy)
        return errors.busy(request, error.retry_after, str(error))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return errors.respond(request, error.status_code, str(error.detail))

    async def bad_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return errors.validation(request, error)

    app.add_exception_handler(LoginRequired, login)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(CsrfRejected, forbidden)
    app.add_exception_handler(NotAllowed, forbidden)  # and NotPermitted, its subclass
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(InvalidInput, invalid)
    app.add_exception_handler(StoreBusy, busy)
    app.add_exception_handler(RealistError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
